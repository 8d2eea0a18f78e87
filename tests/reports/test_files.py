"""PDF downloads as background jobs: asking makes one file per person, choice and data; the page
shows progress (refreshing itself, or polled as JSON) and then the download; only the person who
asked sees any of it; a report that may not be released is refused and the person told; old
files are removed."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, update

from tests.factories import UserFactory
from tests.parallel import Shot
from tests.reports.pdf_tools import fetch_pdf
from volunteer_hub.accounts.models import AuditEvent
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.reports import files
from volunteer_hub.reports.jobs import build_one, build_report_files, remove_old_report_files
from volunteer_hub.reports.models import ReportFile

pytestmark = pytest.mark.usefixtures("default_rates")

Q1 = {"period": "quarter", "year": "2025", "quarter": "1"}


def _ask(client, fmt: str = "pdf", query: dict[str, str] | None = None) -> str:
    response = client.get(f"/reports/value/download/{fmt}", query_string=query or Q1)
    assert response.status_code == 303, response.status_code
    return response.headers["Location"]


def _count() -> int:
    db.session.rollback()
    return int(db.session.scalar(select(func.count(ReportFile.id))) or 0)


def _only() -> ReportFile:
    db.session.rollback()
    return db.session.scalars(select(ReportFile)).one()


def test_a_pdf_is_asked_for_built_by_the_job_and_downloaded(hours, personas, login) -> None:
    client = login(personas.centre)
    page_url = _ask(client)
    assert page_url.startswith("/reports/files/")
    waiting = client.get(page_url)
    assert waiting.status_code == 200
    # Without JavaScript the page refreshes itself; with it, the status URL is polled.
    assert waiting.headers["Refresh"] == "2" and waiting.headers["Cache-Control"] == "no-store"
    body = waiting.get_data(as_text=True)
    assert "Making your report" in body and 'data-module="vh-import-progress"' in body
    assert "Quarter 1 of 2025 to 2026, All organisations" in body
    assert f'data-status-url="{page_url}/status"' in body
    status = client.get(f"{page_url}/status").get_json()
    assert status["status"] == "queued" and status["finished"] is False
    assert client.get(f"{page_url}/download").status_code == 404  # not built yet

    assert build_report_files() == {"built": 1, "refused": 0}
    status = client.get(f"{page_url}/status").get_json()
    assert status == {"status": "ready", "finished": True, "result_url": page_url}
    ready = client.get(page_url)
    assert "Refresh" not in ready.headers and "Your report is ready" in ready.get_data(as_text=True)
    events = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "report.downloaded")
    )
    download = client.get(f"{page_url}/download")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert (
        "value-report-all-2025-04-01-to-2025-06-30.pdf" in download.headers["Content-Disposition"]
    )
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(download.data)).pages)
    assert "Value of volunteering" in text and "2,694.00" in text
    db.session.rollback()
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "report.downloaded")
        )
        == events + 1
    )
    # Kept under a random name in the report folder, not under the download's name.
    stored = _only().stored_name
    assert stored and stored.endswith(".pdf") and "value-report" not in stored
    assert (files.folder() / stored).is_file()


def test_the_same_request_twice_is_one_file_and_changed_data_is_another(
    hours, personas, login, cli
) -> None:
    client = login(personas.centre)
    first = _ask(client)
    assert _ask(client) == first and _count() == 1
    build_report_files()
    assert _ask(client) == first and _count() == 1  # the built one is offered again
    assert build_report_files() == {"built": 0, "refused": 0}
    # Another choice, another format, another person: files of their own.
    assert _ask(client, "quarterly.pdf") != first
    assert _ask(client, "pdf", {"period": "year", "year": "2025"}) != first
    assert _ask(login(personas.admin)) != first
    assert _count() == 4
    # New approved hours: the report would differ, so it is made again.
    row = ["c1", "c1@example.org", "C 1", "Organisation A", "", "", "2025-05-02", "3", "no"]
    cli("hours", [row], "--create-missing")
    second = _ask(client)
    assert second != first and _count() == 5
    # Investment entered (no hours changed): the investment figures would differ, so again.
    from datetime import date

    from volunteer_hub.investment.models import CATEGORIES, InvestmentEntry

    db.session.add(
        InvestmentEntry(
            organisation_id=personas.org_a.id,
            period_start=date(2025, 4, 1),
            period_end=date(2026, 3, 31),
            category=next(iter(CATEGORIES)),
            amount_pence=125_000,
        )
    )
    db.session.commit()
    assert _ask(client) not in (first, second) and _count() == 6


def test_double_clicks_at_once_make_one_file(hours, personas, login, parallel) -> None:
    """Ten requests released together (run on PostgreSQL too): one file, every answer the same
    progress page."""
    client = login(personas.centre)
    query = "&".join(f"{k}={v}" for k, v in Q1.items())
    results = parallel.run(
        [Shot(client, f"/reports/value/download/pdf?{query}", method="GET", times=10)]
    )
    assert results.server_errors == []
    assert results.statuses == [303] * 10
    assert len({r.location for r in results.results}) == 1
    assert _count() == 1


@pytest.mark.parametrize("who", ["coordinator_a", "partner", "admin", "centre_other"])
def test_only_the_person_who_asked_sees_the_file(hours, personas, login, app, who) -> None:
    page_url = _ask(login(personas.centre))
    build_report_files()
    if who == "centre_other":
        other = UserFactory(email="centre-two@example.test", roles=["centre_coordinator"])
        db.session.commit()
        client = login(other)
    else:
        client = login(personas.get(who))
    for url in (page_url, f"{page_url}/status", f"{page_url}/download"):
        assert client.get(url).status_code == 404, url
    assert login(personas.centre).get(f"{page_url}/download").status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(hours, personas, login, client) -> None:
    page_url = _ask(login(personas.centre))
    for url in (page_url, f"{page_url}/status", f"{page_url}/download"):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert client.get("/reports/files/not-a-token").status_code in (302, 404)


def test_a_report_that_may_not_be_released_is_refused_and_the_person_told(
    hours, personas, login
) -> None:
    client = login(personas.partner)
    small = {**Q1, "organisation": str(personas.org_b.id)}
    page_url = _ask(client, "pdf", small)
    assert build_report_files() == {"built": 0, "refused": 1}
    page = client.get(page_url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "This report cannot be released" in text
    assert "fewer than 10 active volunteers" in text and "Nothing was released" in text
    assert client.get(f"{page_url}/download").status_code == 404
    refused = _only()
    assert refused.status == "refused" and refused.stored_name is None
    assert list(files.folder().iterdir()) == []
    # The quarterly PDF as the partner's own helper runs it: the same refusal, by the same path.
    answer = fetch_pdf(client, "quarterly.pdf", small)
    assert "fewer than 10 active volunteers" in answer.get_data(as_text=True)


def test_bad_choices_are_refused_at_once(hours, personas, login) -> None:
    client = login(personas.centre)
    year = {"period": "year", "year": "2025"}
    assert client.get("/reports/value/download/quarterly.pdf", query_string=year).status_code == 400
    hostile = {"period": "custom", "start": "2025-04-01\x00", "end": "9" * 40}
    assert client.get("/reports/value/download/pdf", query_string=hostile).status_code == 400
    other = login(personas.coordinator_b)
    mine = {**Q1, "organisation": str(personas.org_a.id)}
    assert other.get("/reports/value/download/pdf", query_string=mine).status_code == 403
    assert login(personas.volunteer).get("/reports/value/download/pdf").status_code == 403
    assert _count() == 0


def test_a_person_who_lost_the_role_gets_no_file(hours, personas, login, app) -> None:
    from sqlalchemy import delete

    from volunteer_hub.accounts.models import UserRole

    helper = UserFactory(email="centre-two@example.test", roles=["centre_coordinator"])
    db.session.commit()
    page_url = _ask(login(helper))
    db.session.execute(delete(UserRole).where(UserRole.user_id == helper.id))
    db.session.commit()
    assert build_report_files() == {"built": 0, "refused": 1}
    assert _only().message == files.NO_LONGER
    assert list(files.folder().iterdir()) == []
    assert page_url


def test_a_build_that_fails_is_retried_then_reported(hours, personas, login, app) -> None:
    client = login(personas.centre)
    page_url = _ask(client)
    # The report folder cannot be written (a plain file where the folder should be).
    folder = Path(app.config["REPORT_FILE_FOLDER"])
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("not a folder\n")
    for attempt in range(1, files.MAX_ATTEMPTS + 1):
        with pytest.raises(OSError):
            build_report_files()
        assert _only().status == ("failed" if attempt == files.MAX_ATTEMPTS else "queued")
    page = client.get(page_url).get_data(as_text=True)
    assert "Your report could not be made" in page and files.NOT_BUILT in page
    # Asking again queues it again; with the folder back, it is built.
    folder.unlink()
    assert _ask(client) == page_url and _only().status == "queued"
    assert build_report_files() == {"built": 1, "refused": 0}


def test_a_build_left_by_a_dead_worker_is_claimed_again(hours, personas, login) -> None:
    _ask(login(personas.centre))
    file_id = _only().id
    assert files.claim(file_id, utcnow()) is not None  # a worker took it, then died
    db.session.commit()
    assert build_one(file_id) is None  # still its, for now
    db.session.execute(
        update(ReportFile).values(started_at=utcnow() - timedelta(minutes=files.STALE_MINUTES + 1))
    )
    db.session.commit()
    assert build_one(file_id) == "built"
    assert _only().status == "ready" and _only().attempts == 2


def test_old_files_and_stray_files_are_removed(hours, personas, login) -> None:
    client = login(personas.centre)
    old_url = _ask(client)
    _ask(client, "quarterly.pdf")
    build_report_files()
    old = db.session.scalars(select(ReportFile).order_by(ReportFile.id)).first()
    assert old is not None
    old_path = files.folder() / str(old.stored_name)
    db.session.execute(
        update(ReportFile)
        .where(ReportFile.id == old.id)
        .values(created_at=utcnow() - timedelta(hours=25))
    )
    db.session.commit()
    stray = files.folder() / "0123abcd.pdf"
    stray.write_bytes(b"%PDF left by a build cut short")
    day_ago = time.time() - 25 * 3600
    os.utime(stray, (day_ago, day_ago))
    fresh_stray = files.folder() / "fedc.pdf.part"
    fresh_stray.write_bytes(b"being written")
    assert remove_old_report_files() == {"removed": 1}
    assert not old_path.exists() and not stray.exists() and fresh_stray.exists()
    assert _count() == 1
    assert client.get(old_url).status_code == 404
