"""`flask hours import`: all or nothing, every bad row listed, safe to re-run, CSV or XLSX."""

from __future__ import annotations

from pathlib import Path

from freezegun import freeze_time
from sqlalchemy import func, select

from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.organisations.models import Organisation, Role
from volunteer_hub.volunteers.models import Volunteer

GOOD = [
    "r1",
    "ann@example.org",
    "Ann Able",
    "Riverside Befriending Network",
    "Befriender",
    "6145",
    "2025-05-01",
    "2.5",
    "no",
]


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(HourRecord.id))) or 0


def test_create_missing_creates_people_organisations_and_roles(cli) -> None:
    result = cli(
        "hours",
        [
            GOOD,
            [
                "r2",
                "bob@example.org",
                "Bob Bee",
                "Riverside Befriending Network",
                "",
                "",
                "2025-05-02",
                "0.25",
                "yes",
            ],
        ],
        "--create-missing",
    )
    assert "Imported 2 hour records (2.75 hours)" in result.output
    record = db.session.scalar(select(HourRecord).where(HourRecord.ref == "r1"))
    assert record.seconds == 9000 and record.status == "approved" and record.source == "imported"
    assert record.soc_code == "6145" and record.employer_time is False
    role = db.session.get(Role, record.role_id)
    assert role.title == "Befriender" and role.soc_code == "6145"
    volunteer = db.session.get(Volunteer, record.volunteer_id)
    assert volunteer.email == "ann@example.org" and volunteer.user_id is None
    assert db.session.scalar(select(HourRecord.employer_time).where(HourRecord.ref == "r2")) is True


def test_without_create_missing_unknowns_are_errors_and_nothing_is_imported(cli) -> None:
    result = cli("hours", [GOOD], expect_ok=False)
    assert result.exit_code != 0
    assert "line 2: organisation 'Riverside Befriending Network' is not known" in result.output
    assert _count() == 0


def test_every_bad_row_is_listed_by_line_and_nothing_is_imported(cli) -> None:
    rows = [
        GOOD,
        ["r2", "not-an-email", "X", "Org", "", "", "2025-05-01", "2", "no"],
        ["r3", "c@example.org", "C", "Org", "", "", "2025-02-30", "2", "no"],
        ["r4", "d@example.org", "D", "Org", "", "", "2025-05-01", "-1", "no"],
        ["r5", "e@example.org", "E", "Org", "", "", "2025-05-01", "25", "no"],
        ["r6", "f@example.org", "F", "Org", "", "", "2025-05-01", "NaN", "no"],
        ["r7", "g@example.org", "G", "Org", "", "", "2025-05-01", "1e309", "no"],
        ["r8", "h@example.org", "H", "Org", "", "", "2025-05-01", "2", "maybe"],
        ["r9", "i@example.org", "I", "", "", "", "2025-05-01", "2", "no"],
        ["r1", "j@example.org", "J", "Org", "", "", "2025-05-01", "2", "no"],
        ["r11", "k@example.org", "K", "Org", "", "12345", "2025-05-01", "2", "no"],
        ["r12", "", "", "Org", "", "", "2025-05-01", "", "no"],
    ]
    result = cli("hours", rows, "--create-missing", expect_ok=False)
    assert result.exit_code != 0
    out = result.output
    for expected in [
        "line 3: volunteer_email 'not-an-email' is not an email address",
        "line 4: date '2025-02-30' is not a date",
        "line 5: hours -1 must be more than 0 and at most 24",
        "line 6: hours 25 must be more than 0 and at most 24",
        "line 7: hours 'NaN' is not a number",
        "line 8: hours 1e309 must be more than 0 and at most 24",
        "line 9: employer_time 'maybe' must be yes or no",
        "line 10: organisation is empty",
        "line 11: ref 'r1' is also on line 2",
        "line 12: soc_code '12345' must be 1 to 4 digits",
        "line 13: give volunteer_email or volunteer_name",
    ]:
        assert expected in out, expected
    assert "line 2:" not in out
    assert _count() == 0


def test_future_dates_are_refused(cli) -> None:
    with freeze_time("2026-06-01 12:00:00"):
        result = cli(
            "hours", [[*GOOD[:6], "2026-06-02", "2", "no"]], "--create-missing", expect_ok=False
        )
    assert "is in the future" in result.output
    assert _count() == 0


def test_rerunning_the_same_import_skips_rows_already_imported(cli) -> None:
    rows = [
        GOOD,
        [
            "r2",
            "bob@example.org",
            "Bob",
            "Riverside Befriending Network",
            "",
            "",
            "2025-05-02",
            "1",
            "no",
        ],
    ]
    cli("hours", rows, "--create-missing")
    again = cli("hours", rows, "--create-missing")
    assert (
        "Imported 0 hour records" in again.output and "skipped 2 already imported" in again.output
    )
    assert _count() == 2


def test_rows_without_ref_are_imported_each_time(cli) -> None:
    row = ["", "ann@example.org", "Ann", "Org", "", "", "2025-05-01", "1", "no"]
    cli("hours", [row, row], "--create-missing")
    assert _count() == 2


def test_known_organisation_and_registered_user_need_no_create_missing(cli, app) -> None:
    from tests.factories import OrganisationFactory, UserFactory

    OrganisationFactory(name="Greenway Community Garden")
    user = UserFactory(email="registered@example.org", name="Registered Person")
    db.session.commit()
    cli(
        "hours",
        [
            [
                "",
                "Registered@Example.org",
                "",
                "greenway community garden",
                "",
                "",
                "2025-05-01",
                "1.5",
                "no",
            ]
        ],
    )
    volunteer = db.session.scalar(
        select(Volunteer).where(Volunteer.email == "registered@example.org")
    )
    assert volunteer.user_id == user.id and volunteer.name == "Registered Person"
    assert db.session.scalar(select(func.count(Organisation.id))) == 1


def test_xlsx_is_accepted(runner, tmp_path: Path) -> None:
    from datetime import date

    from openpyxl import Workbook

    from volunteer_hub.hours.imports import HOURS_HEADER

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(HOURS_HEADER))
    sheet.append(["x1", "ann@example.org", "Ann", "Org", "", "", date(2025, 5, 1), 2.5, "no"])
    sheet.append(["x2", "bob@example.org", "Bob", "Org", "", 6145, date(2025, 5, 2), 3, "yes"])
    path = tmp_path / "hours.xlsx"
    workbook.save(path)
    result = runner.invoke(args=["hours", "import", str(path), "--create-missing"])
    assert result.exit_code == 0, result.output
    assert "Imported 2 hour records (5.5 hours)" in result.output


def test_wrong_header_is_refused(runner, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("email,hours\nann@example.org,2\n")
    result = runner.invoke(args=["hours", "import", str(path)])
    assert result.exit_code != 0
    assert "the header must be ref,volunteer_email" in result.output


def test_missing_file(runner) -> None:
    result = runner.invoke(args=["hours", "import", "/nonexistent/hours.csv"])
    assert result.exit_code != 0 and "does not exist" in result.output


def test_large_imports_show_progress_while_checking_and_saving(cli, monkeypatch) -> None:
    from volunteer_hub.hours import imports

    monkeypatch.setattr(imports, "PROGRESS_EVERY", 4)
    monkeypatch.setattr(imports, "BATCH", 4)
    rows = [
        [f"p{n}", f"p{n}@example.org", f"P {n}", "Org", "", "", "2025-05-01", "1", "no"]
        for n in range(9)
    ]
    result = cli("hours", rows, "--create-missing")
    output = result.output
    assert "4 rows checked" in output and "8 rows checked" in output and "9 rows checked" in output
    assert "4 rows saved" in output and "8 rows saved" in output
    assert _count() == 9


def test_more_than_24_hours_in_a_day_is_refused(cli) -> None:
    rows = [
        ["d1", "dee@example.org", "Dee", "Org", "", "", "2025-05-01", "20", "no"],
        ["d2", "dee@example.org", "Dee", "Other Org", "", "", "2025-05-01", "20", "no"],
    ]
    result = cli("hours", rows, "--create-missing", expect_ok=False)
    assert result.exit_code != 0
    assert "line 3: dee@example.org would have more than 24 hours on 2025-05-01" in result.output
    assert _count() == 0


def test_a_directory_is_one_clear_line(runner, tmp_path: Path) -> None:
    result = runner.invoke(args=["hours", "import", str(tmp_path)])
    assert result.exit_code != 0 and "cannot be read" in result.output
    assert "Traceback" not in result.output
