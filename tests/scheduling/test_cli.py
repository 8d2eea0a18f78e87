"""`flask shifts import | import-signups | roster`: the CLI contract."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy import func, select

from tests.factories import UserFactory
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.organisations.models import Organisation, Role
from volunteer_hub.scheduling.models import Shift
from volunteer_hub.volunteers.models import Volunteer

SHIFTS = "ref,organisation,role,start,end,capacity,location"
SIGNUPS = "shift_ref,volunteer_email,status"


def _file(tmp_path: Path, name: str, header: str, rows: list[str]) -> str:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return str(path)


def _shifts(runner, tmp_path, rows, *args):
    return runner.invoke(args=["shifts", "import", _file(tmp_path, "s.csv", SHIFTS, rows), *args])


def _signups(runner, tmp_path, rows):
    return runner.invoke(args=["shifts", "import-signups", _file(tmp_path, "u.csv", SIGNUPS, rows)])


def _roster(runner, *args):
    result = runner.invoke(args=["shifts", "roster", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_import_creates_missing_and_skips_refs_imported_before(runner, tmp_path, app) -> None:
    rows = [
        "s1,Riverside Pantry,Packer,2030-07-01T09:00,2030-07-01T12:30,2,Depot",
        "s2,Riverside Pantry,Packer,2030-12-01T09:00,2030-12-01T12:00,1,",
    ]
    result = _shifts(runner, tmp_path, rows, "--create-missing")
    assert result.exit_code == 0, result.output
    assert "Imported 2 shifts; skipped 0 already imported. Created 1 organisation, 1 role." in (
        result.output
    )
    again = _shifts(runner, tmp_path, rows, "--create-missing")
    assert "Imported 0 shifts; skipped 2 already imported." in again.output
    assert _count(Shift) == 2 and _count(Organisation) == 1 and _count(Role) == 1
    summer = db.session.scalar(select(Shift).where(Shift.ref == "s1"))
    assert summer.starts_at.hour == 8  # 09:00 British Summer Time


def test_import_is_all_or_nothing_naming_every_bad_line(runner, tmp_path, personas) -> None:
    db.session.add(Role(organisation_id=personas.org_a.id, title="Packer"))
    db.session.commit()
    rows = [
        "a1,Organisation A,Packer,2030-07-01T09:00,2030-07-01T12:00,2,Depot",
        "a2,Nowhere,Packer,2030-07-01T09:00,2030-07-01T12:00,2,Depot",
        "a3,Organisation A,Sorter,2030-07-01T09:00,2030-07-01T12:00,2,Depot",
        "a4,Organisation A,Packer,2030-07-01T12:00,2030-07-01T09:00,2,Depot",
        "a5,Organisation A,Packer,2030-03-31T01:30,2030-03-31T04:00,2,Depot",
        "a6,Organisation A,Packer,1 July,2030-07-01T12:00,two,Depot",
        "a1,Organisation A,Packer,2030-07-02T09:00,2030-07-02T12:00,2,Depot",
    ]
    result = _shifts(runner, tmp_path, rows)
    assert result.exit_code != 0
    for line in ("line 3:", "line 4:", "line 5:", "line 6:", "line 7:", "line 8:"):
        assert line in result.output
    assert "line 2:" not in result.output
    assert "does not exist in UK time" in result.output
    assert _count(Shift) == 0


def _two_shifts(runner, tmp_path) -> None:
    rows = [
        "past,Riverside Pantry,Packer,2026-01-05T09:00,2026-01-05T11:00,1,Depot",
        "future,Riverside Pantry,Packer,2030-01-07T09:00,2030-01-07T12:00,1,Depot",
    ]
    assert _shifts(runner, tmp_path, rows, "--create-missing").exit_code == 0


def test_signups_beyond_capacity_wait_in_file_order_and_attendance_counts_once(
    runner, tmp_path, app
) -> None:
    _two_shifts(runner, tmp_path)
    for name in ("ann", "bob", "cat"):
        UserFactory(email=f"{name}@example.test")
    db.session.add(Volunteer(name="Dee", email="dee@example.test"))
    db.session.commit()
    rows = [
        "future,ann@example.test,confirmed",
        "future,bob@example.test,confirmed",
        "future,dee@example.test,confirmed",
        "past,cat@example.test,attended",
        "past,ann@example.test,no_show",
    ]
    result = _signups(runner, tmp_path, rows)
    assert result.exit_code == 0, result.output
    assert "Imported 5 sign-ups (1 confirmed, 2 waiting, 1 attended, 1 no-show)" in result.output
    again = _signups(runner, tmp_path, rows)
    assert "Imported 0 sign-ups" in again.output and "skipped 5 already recorded" in again.output
    records = db.session.execute(select(HourRecord.status, HourRecord.seconds)).all()
    assert records == [("approved", 7200)]
    roster = json.loads(_roster(runner, "--start", "2026-01-01", "--end", "2030-12-31"))
    assert [r["ref"] for r in roster] == ["past", "future"]
    assert roster[1] == {
        "ref": "future",
        "organisation": "Riverside Pantry",
        "role": "Packer",
        "start": "2030-01-07T09:00",
        "end": "2030-01-07T12:00",
        "capacity": 1,
        "confirmed": ["ann@example.test"],
        "waiting": ["bob@example.test", "dee@example.test"],
        "attended": [],
        "no_show": [],
    }
    assert roster[0]["attended"] == ["cat@example.test"]
    assert roster[0]["no_show"] == ["ann@example.test"]


def test_signups_import_names_every_bad_line_and_imports_nothing(runner, tmp_path, app) -> None:
    _two_shifts(runner, tmp_path)
    UserFactory(email="ann@example.test")
    db.session.commit()
    rows = [
        "future,ann@example.test,confirmed",
        "nope,ann@example.test,confirmed",
        "future,nobody@example.test,confirmed",
        "future,ann@example.test,maybe",
        "future,ann@example.test,attended",
    ]
    result = _signups(runner, tmp_path, rows)
    assert result.exit_code != 0
    for n in (3, 4, 5, 6):
        assert f"line {n}:" in result.output
    assert "line 2:" not in result.output


def test_roster_filters_by_organisation_and_writes_csv(runner, tmp_path, app) -> None:
    _two_shifts(runner, tmp_path)
    assert (
        json.loads(_roster(runner, "--start", "2030-01-07", "--end", "2030-01-07"))[0]["ref"]
        == "future"
    )
    missing = runner.invoke(
        args=[
            "shifts",
            "roster",
            "--start",
            "2030-01-01",
            "--end",
            "2030-01-31",
            "--organisation",
            "Nowhere",
        ]
    )
    assert missing.exit_code != 0 and "Nowhere" in missing.output
    text = _roster(
        runner,
        "--start",
        "2026-01-01",
        "--end",
        "2030-12-31",
        "--organisation",
        "Riverside Pantry",
        "--format",
        "csv",
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "ref",
        "organisation",
        "role",
        "start",
        "end",
        "capacity",
        "confirmed",
        "waiting",
        "attended",
        "no_show",
    ]
    assert [r[0] for r in rows[1:]] == ["past", "future"]
