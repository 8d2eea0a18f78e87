"""Imports from the browser: upload, the job imports once and deletes the file, every bad line
listed as the command lists it, who may upload, and hostile files."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.helpers import post_form
from volunteer_hub.expenses.models import ExpenseClaim
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.jobs.queue import JOBS, run_recorded
from volunteer_hub.timebank.models import Transfer
from volunteer_hub.uploads.jobs import import_one
from volunteer_hub.uploads.models import Upload
from volunteer_hub.volunteers.models import Volunteer

HOURS_HEADER = (
    "ref,volunteer_email,volunteer_name,organisation,role,soc_code,date,hours,employer_time"
)
A = "Organisation A"
V = "volunteer@example.test"


def hours_csv(*rows: str) -> bytes:
    return (HOURS_HEADER + "\n" + "\n".join(rows) + "\n").encode()


GOOD_HOURS = hours_csv(f"h1,{V},,{A},,,2025-05-01,2.5,no", f"h2,{V},,{A},,,2025-05-02,1,yes")


def upload(client, kind: str, target: int, data: bytes, name: str = "file.csv"):
    return post_form(
        client,
        f"/imports/{kind}/new",
        {"target": str(target), "file": (io.BytesIO(data), name)},
        form_page=f"/imports/{kind}/new",
    )


def upload_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(model.id))) or 0


def folder(app: Flask) -> Path:
    return Path(app.config["IMPORT_UPLOAD_FOLDER"])


def run_job() -> dict[str, int]:
    """The job as the worker runs it (without the run record, which ends the session)."""
    return dict(JOBS["imports"].function())


def test_a_good_csv_is_imported_once_and_the_file_deleted(app, personas, login) -> None:
    client = login(personas.coordinator_a)
    uid = upload_id(upload(client, "hours", personas.org_a.id, GOOD_HOURS))
    assert [p.name for p in folder(app).iterdir()]  # kept until the job runs
    waiting = client.get(f"/imports/{uid}")
    assert waiting.status_code == 200 and waiting.headers["Refresh"] == "2"
    assert "Waiting" in waiting.get_data(as_text=True)
    assert json.loads(client.get(f"/imports/{uid}/status").data)["finished"] is False

    assert run_job() == {"imported": 1, "refused": 0}
    assert count(HourRecord) == 2
    assert list(folder(app).iterdir()) == []
    done = client.get(f"/imports/{uid}")
    assert "Refresh" not in done.headers
    page = done.get_data(as_text=True)
    assert "Imported" in page and "2 hours" in page
    status = json.loads(client.get(f"/imports/{uid}/status").data)
    assert status | {"result_url": ""} == {
        "id": uid,
        "status": "done",
        "finished": True,
        "checked": 2,
        "imported": 2,
        "skipped": 0,
        "result_url": "",
    }
    record = db.session.scalar(select(HourRecord).where(HourRecord.ref == "h1"))
    assert record.approved_by_id == personas.coordinator_a.id and record.source == "imported"


def test_the_job_run_twice_imports_once(app, personas, login) -> None:
    client = login(personas.coordinator_a)
    uid = upload_id(upload(client, "hours", personas.org_a.id, GOOD_HOURS))
    assert import_one(uid) == "imported"
    assert import_one(uid) is None  # already done: nothing claimed
    assert run_recorded(JOBS["imports"]) == {"imported": 0, "refused": 0}
    assert count(HourRecord) == 2
    assert db.session.get(Upload, uid).status == "done"


def test_an_upload_left_part_way_by_a_dead_worker_is_imported_later(app, personas, login) -> None:
    client = login(personas.coordinator_a)
    uid = upload_id(upload(client, "hours", personas.org_a.id, GOOD_HOURS))
    held = db.session.get(Upload, uid)
    held.status, held.started_at = "checking", held.created_at
    db.session.commit()
    assert run_job() == {"imported": 0, "refused": 0}  # another worker may still be on it
    held.started_at = held.created_at - timedelta(hours=1)
    db.session.commit()
    assert run_job() == {"imported": 1, "refused": 0}
    assert count(HourRecord) == 2


def test_a_good_xlsx_is_imported(app, personas, login) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HOURS_HEADER.split(","))
    sheet.append(["x1", V, "", A, "", "", "2025-05-01", 3, "no"])
    buffer = io.BytesIO()
    book.save(buffer)
    client = login(personas.coordinator_a)
    uid = upload_id(upload(client, "hours", personas.org_a.id, buffer.getvalue(), "hours.xlsx"))
    assert run_job()["imported"] == 1
    assert db.session.scalar(select(HourRecord.seconds).where(HourRecord.ref == "x1")) == 3 * 3600
    assert list(folder(app).iterdir()) == []
    assert db.session.get(Upload, uid).imported == 1


def test_bad_lines_import_nothing_and_are_listed_as_the_command_lists_them(
    app, personas, login, runner, tmp_path
) -> None:
    data = hours_csv(
        f"b1,{V},,{A},,,2025-05-01,2,no",
        f"b2,{V},,{A},,,not a date,2,no",
        f"b3,nobody@example.test,,{A},,,2025-05-01,30,maybe",
    )
    client = login(personas.coordinator_a)
    uid = upload_id(upload(client, "hours", personas.org_a.id, data, "mine.csv"))
    assert run_job() == {"imported": 0, "refused": 1}
    assert count(HourRecord) == 0
    assert list(folder(app).iterdir()) == []
    page = client.get(f"/imports/{uid}").get_data(as_text=True)
    assert "Nothing was imported" in page
    path = tmp_path / "same.csv"
    path.write_bytes(data)
    command = runner.invoke(args=["hours", "import", str(path)])
    assert command.exit_code != 0
    listed = [line for line in command.output.splitlines() if line.startswith("line ")]
    assert len(listed) == 2
    shown = db.session.get(Upload, uid).error_lines
    assert shown == listed
    from markupsafe import escape

    for line in listed:
        assert str(escape(line)) in page


def test_rows_for_another_organisation_are_refused(app, personas, login) -> None:
    data = hours_csv(f"o1,{V},,{A},,,2025-05-01,2,no", f"o2,{V},,Organisation B,,,2025-05-01,2,no")
    client = login(personas.coordinator_a)
    uid = upload_id(upload(client, "hours", personas.org_a.id, data))
    run_job()
    assert count(HourRecord) == 0
    assert db.session.get(Upload, uid).error_lines == [
        "line 3: organisation 'Organisation B' is not Organisation A, whose file this is"
    ]


def test_a_header_error_names_the_uploaded_file(app, personas, login) -> None:
    client = login(personas.coordinator_a)
    uid = upload_id(
        upload(client, "hours", personas.org_a.id, b"ref,date\nr,2025-01-01\n", "x.csv")
    )
    run_job()
    assert db.session.get(Upload, uid).error.startswith("x.csv: the header must be")


@pytest.mark.parametrize("who", ["coordinator_b", "volunteer", "partner"])
def test_others_may_not_upload_for_the_organisation(app, personas, login, who) -> None:
    client = login(personas.get(who))
    response = (
        upload(client, "hours", personas.org_a.id, GOOD_HOURS) if who == "coordinator_b" else None
    )
    if response is not None:  # B's own organisation is the only choice: A is not one
        assert response.status_code == 200 and count(Upload) == 0
    else:
        assert client.get("/imports/hours/new").status_code == 403
        assert client.get("/imports").status_code == 403
    assert count(Upload) == 0


def test_signed_out_is_sent_to_sign_in_and_others_cannot_see_an_upload(
    app, personas, login, client
) -> None:
    assert client.get("/imports/hours/new").status_code == 302
    owner = login(personas.coordinator_a)
    uid = upload_id(upload(owner, "hours", personas.org_a.id, GOOD_HOURS))
    assert client.get(f"/imports/{uid}").status_code == 302
    other = login(personas.coordinator_b)
    assert other.get(f"/imports/{uid}").status_code == 404
    assert other.get(f"/imports/{uid}/status").status_code == 404


def test_expenses_and_time_bank_exchanges(app, personas, login, bank) -> None:
    claims = (
        "ref,volunteer_email,volunteer_name,organisation,date,type,miles,amount,status,paid_on,"
        "description\n"
        f"E1,{V},,{A},2025-05-05,parking,,3.00,approved,,Car park\n"
    ).encode()
    db.session.add(Volunteer(name="Vera", email=V, user_id=personas.volunteer.id))
    db.session.commit()
    client = login(personas.coordinator_a)
    upload_id(upload(client, "expenses", personas.org_a.id, claims))
    from datetime import date

    day = date.today() - timedelta(days=3)
    exchanges = (
        "ref,date,giver_email,receiver_email,hours,description\n"
        f"t1,{day},{V},bob@example.test,1.5,Shopping\n"
    ).encode()
    upload_id(upload(client, "timebank", bank.timebank.id, exchanges))
    assert run_job() == {"imported": 2, "refused": 0}
    assert count(ExpenseClaim) == 1 and count(Transfer) == 1
    # A coordinator of no time bank may not import exchanges.
    assert login(personas.coordinator_b).get("/imports/timebank/new").status_code == 403


def test_hostile_files_are_refused_by_the_form(app, personas, login) -> None:
    app.config["IMPORT_UPLOAD_MAX_BYTES"] = 1024
    client = login(personas.coordinator_a)
    for data, name, message in (
        (b"x" * 2048, "big.csv", "The file must be smaller than"),
        (HOURS_HEADER.encode() + b"\nh\x00,1\n", "nul.csv", "NUL bytes"),
        (b"MZ\x90\x00", "program.exe", "CSV (.csv) or Excel (.xlsx)"),
        (b"", "empty.csv", "empty"),
    ):
        response = upload(client, "hours", personas.org_a.id, data, name)
        assert response.status_code == 200, name
        assert message in response.get_data(as_text=True), name
    assert count(Upload) == 0
    assert not folder(app).exists() or list(folder(app).iterdir()) == []


def test_formula_cells_are_text_checked_like_any_other(app, personas, login) -> None:
    data = hours_csv(f'=HYPERLINK("http://x"),{V},,{A},,,2025-05-01,=1+1,no')
    client = login(personas.coordinator_a)
    uid = upload_id(upload(client, "hours", personas.org_a.id, data))
    run_job()
    assert count(HourRecord) == 0
    assert db.session.get(Upload, uid).error_lines == [
        "line 2: hours '=1+1' is not a number like 2.5"
    ]


def test_erasing_a_person_replaces_their_mentions_in_refused_imports(app, personas) -> None:
    from datetime import date

    from volunteer_hub.privacy.erasure import erase

    db.session.add(
        Upload(
            kind="hours",
            organisation_id=personas.org_a.id,
            uploaded_by_id=personas.coordinator_a.id,
            filename="f.csv",
            stored_name="gone.csv",
            status="failed",
            error=f"Nothing was imported: 1 row needs fixing.\nline 2: {V} would have more "
            "than 24 hours on 2025-05-01 in this file",
        )
    )
    db.session.commit()
    erase(actor=personas.admin, user=personas.volunteer, today=date.today())
    db.session.commit()
    error = db.session.scalar(select(Upload.error))
    assert V not in error and "line 2: [erased] would have more" in error


def test_the_pages_link_to_the_imports(app, personas, login, bank) -> None:
    client = login(personas.coordinator_a)
    assert "/imports/hours/new" in client.get("/hours/approvals").get_data(as_text=True)
    page = client.get("/imports").get_data(as_text=True)
    for kind in ("hours", "expenses", "timebank"):
        assert f"/imports/{kind}/new" in page
    assert "No imports yet." in page
    centre = login(personas.centre)
    assert "/imports/expenses/new" not in centre.get("/imports").get_data(as_text=True)


def test_a_request_over_the_app_limit_is_refused_before_it_is_read(app, personas, login) -> None:
    client = login(personas.coordinator_a)
    huge = b"x" * (int(app.config["MAX_CONTENT_LENGTH"]) + 1)
    response = upload(client, "hours", personas.org_a.id, huge, "huge.csv")
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)
    assert count(Upload) == 0


def test_two_workers_at_once_import_it_once(app, personas, login) -> None:
    import threading

    client = login(personas.coordinator_a)
    uid = upload_id(upload(client, "hours", personas.org_a.id, GOOD_HOURS))
    barrier = threading.Barrier(2)
    outcomes: list[str | None] = []

    def worker() -> None:
        with app.app_context():
            barrier.wait()
            outcomes.append(import_one(uid))
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes, key=lambda o: o or "") == [None, "imported"]
    assert count(HourRecord) == 2


def test_progress_is_stored_at_once_for_the_page(app, personas, login) -> None:
    from volunteer_hub.uploads.services import _progress

    client = login(personas.coordinator_a)
    uid = upload_id(upload(client, "hours", personas.org_a.id, GOOD_HOURS))
    report = _progress(uid)
    report("checked", 50_000)
    report("saved", 20_000)
    status = json.loads(client.get(f"/imports/{uid}/status").data)
    assert (status["status"], status["checked"], status["imported"]) == (
        "importing",
        50_000,
        20_000,
    )
    page = client.get(f"/imports/{uid}").get_data(as_text=True)
    assert "50,000" in page and "20,000" in page and "Importing" in page


def test_someone_who_imports_for_several_organisations_chooses_one(app, personas, login) -> None:
    """The organisation list starts with "Choose one" when there are several: the page shows,
    and sending it without a choice is a form error that imports nothing."""
    centre = login(personas.centre)
    page = centre.get("/imports/hours/new")
    assert page.status_code == 200 and "Choose one" in page.get_data(as_text=True)
    response = post_form(
        centre,
        "/imports/hours/new",
        {"target": "", "file": (io.BytesIO(GOOD_HOURS), "file.csv")},
        form_page="/imports/hours/new",
    )
    assert response.status_code in (200, 400)
    assert "Choose the organisation" in response.get_data(as_text=True)
    assert count(Upload) == 0


def test_an_import_that_keeps_stopping_the_worker_is_reported(app, personas, login) -> None:
    """A file whose import killed the worker three times (claimed, never finished) is given up
    with a clear message, and its file deleted, rather than tried for ever."""
    from sqlalchemy import update

    from volunteer_hub.core.models import utcnow
    from volunteer_hub.uploads.jobs import MAX_ATTEMPTS

    client = login(personas.coordinator_a)
    uid = upload_id(upload(client, "hours", personas.org_a.id, GOOD_HOURS))
    stale = utcnow() - timedelta(minutes=31)
    db.session.execute(
        update(Upload).values(status="importing", started_at=stale, attempts=MAX_ATTEMPTS)
    )
    db.session.commit()
    assert import_one(uid) == "refused"
    db.session.rollback()
    stopped = db.session.get(Upload, uid)
    assert stopped is not None and stopped.status == "failed"
    assert stopped.error_heading.startswith("Nothing was imported: the import was stopped")
    assert "3 times" in stopped.error_heading
    assert count(HourRecord) == 0
    page = client.get(f"/imports/{uid}").get_data(as_text=True)
    assert "the import was stopped part-way 3 times" in page
    assert list(Path(app.config["IMPORT_UPLOAD_FOLDER"]).iterdir()) == []


def test_stale_minutes_can_be_set(app, personas, login) -> None:
    from sqlalchemy import update

    from volunteer_hub.core.models import utcnow

    app.config["IMPORT_STALE_MINUTES"] = 1
    client = login(personas.coordinator_a)
    uid = upload_id(upload(client, "hours", personas.org_a.id, GOOD_HOURS))
    db.session.execute(
        update(Upload).values(status="checking", started_at=utcnow() - timedelta(seconds=90))
    )
    db.session.commit()
    assert import_one(uid) == "imported"
