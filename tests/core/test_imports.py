"""The one import pipeline (`volunteer_hub.core.imports`): reading, parsing once per distinct
value, refusing with line numbers, inserting in batches with progress."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.imports import Field, insert_rows, read_columns, refusal
from volunteer_hub.core.tabular import read_table
from volunteer_hub.extensions import db
from volunteer_hub.hours.imports import import_hours
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.organisations.models import Organisation, Role

HEADER = ("name", "amount")


def _csv(tmp_path: Path, text: str, name: str = "file.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _rows(path: Path, header=HEADER) -> list[tuple[int, dict[str, str]]]:
    table = read_columns(path, header)
    columns = {name: table.frame[name].tolist() for name in header}
    return [
        (int(line), {name: str(columns[name][i]) for name in header})
        for i, line in enumerate(table.lines)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Name , AMOUNT,extra\n Ann ,1\n\n,,\nBob, 2 ,x\n",
        "amount,name\r\n1,Ann\r\n2,Bob\r\n",
        '\ufeffname,amount\n"Ann, A","1"\nBob,2,3,4\nCy\n',  # ragged rows: the csv module reads
        'name,amount\n"a""b",1\n',
    ],
)
def test_columns_are_read_exactly_as_read_table_reads_them(tmp_path, text) -> None:
    path = _csv(tmp_path, text)
    assert _rows(path) == list(read_table(path, HEADER))


def test_control_characters_and_bad_files_are_refused_as_read_table_refuses_them(
    tmp_path,
) -> None:
    for text in ("name,amount\nA\x00nn,1\nBob,2\n", 'name,amount\n"A\nnn",1\n', "", "x,y\n1,2\n"):
        path = _csv(tmp_path, text)
        with pytest.raises(DomainError) as expected:
            list(read_table(path, HEADER))
        with pytest.raises(DomainError) as found:
            read_columns(path, HEADER)
        assert found.value.message == expected.value.message
    with pytest.raises(DomainError, match="does not exist"):
        read_columns(tmp_path / "missing.csv", HEADER)


def test_xlsx_reads_like_csv(tmp_path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "amount"])
    sheet.append([" Ann ", 1.0])
    sheet.append([None, None])
    sheet.append(["Bob", 2.5])
    workbook.save(tmp_path / "file.xlsx")
    assert _rows(tmp_path / "file.xlsx") == [
        (2, {"name": "Ann", "amount": "1"}),
        (4, {"name": "Bob", "amount": "2.5"}),
    ]


def test_each_distinct_value_is_parsed_once_and_every_bad_row_is_named(tmp_path) -> None:
    path = _csv(tmp_path, "name,amount\nAnn,1\nBob,x\nAnn,1\nBob,y\nCy,x\n")
    calls: list[str] = []

    def amount(text: str, problems: list[str]) -> int:
        calls.append(text)
        if not text.isdigit():
            problems.append(f"amount {text!r} is not a number")
            return 0
        return int(text)

    def name(text: str, problems: list[str]) -> str:
        if text == "Bob":
            problems.append("Bob is not welcome")
        return text

    table = read_columns(path, HEADER)
    parsed = table.parse((Field(("name",), name), Field(("amount",), amount)))
    assert sorted(calls) == ["1", "x", "y"]
    assert parsed.values["amount"].tolist() == [1, 0, 1, 0, 0]
    assert parsed.joined() == [
        (1, "Bob is not welcome; amount 'x' is not a number"),
        (3, "Bob is not welcome; amount 'y' is not a number"),
        (4, "amount 'x' is not a number"),
    ]


def test_refusal_lists_at_most_the_limit() -> None:
    error = refusal([f"line {n}: bad" for n in range(2, 1200)])
    assert error.message.startswith("Nothing was imported: 1,198 rows need fixing.\nline 2: bad")
    assert error.message.endswith("… and 198 more")


def test_insert_rows_in_batches_with_progress(app) -> None:
    from volunteer_hub.core.models import utcnow
    from volunteer_hub.volunteers.models import Volunteer

    heard: list[tuple[str, int]] = []
    now = utcnow()
    insert_rows(
        Volunteer.__table__,
        {"name": [f"Person {n}" for n in range(7)], "created_at": now, "updated_at": now},
        7,
        progress=lambda stage, rows: heard.append((stage, rows)),
        batch=3,
    )
    assert heard == [("saved", 3), ("saved", 6), ("saved", 7)]
    assert db.session.scalar(select(func.count(Volunteer.id))) == 7
    assert db.session.scalar(select(Volunteer.created_at).limit(1)) == now


def test_a_role_without_a_code_takes_the_first_code_a_row_gives_it(app, tmp_path) -> None:
    from tests.value_fixtures import write_csv
    from volunteer_hub.hours.imports import HOURS_HEADER

    organisation = Organisation(name="Code Org", slug="code-org", kind="vco")
    db.session.add(organisation)
    db.session.flush()
    db.session.add(Role(organisation_id=organisation.id, title="Driver", soc_code=None))
    db.session.flush()
    rows = [
        [f"c{n}", "ann@example.org", "Ann", "Code Org", "Driver", soc, f"2025-05-0{n}", "1", "no"]
        for n, soc in ((1, ""), (2, "8214"), (3, ""))
    ]
    path = write_csv(tmp_path / "hours.csv", HOURS_HEADER, rows)
    heard: list[tuple[str, int]] = []
    result = import_hours(path, create_missing=True, progress=lambda *a: heard.append(a))
    db.session.commit()
    codes = dict(db.session.execute(select(HourRecord.ref, HourRecord.soc_code)).all())
    assert codes == {"c1": None, "c2": "8214", "c3": "8214"}
    assert db.session.scalar(select(Role.soc_code).where(Role.title == "Driver")) == "8214"
    assert result.imported == 3 and result.created_roles == 0
    assert heard[-1] == ("saved", 3)
