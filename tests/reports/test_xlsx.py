"""The XLSX download read back with openpyxl: numbers are numbers with number formats, dates
are dates, the header row is frozen, columns fit, and the method sheet is complete.

Data: ``year_of_hours`` and ``hours`` (tests/reports/conftest.py).
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.reports.conftest import ORGANISATIONS
from tests.reports.test_pages import Q1

pytestmark = pytest.mark.usefixtures("default_rates")

YEAR = {"period": "year", "year": "2025"}
NUMBER_AS_TEXT = re.compile(r"^-?\d[\d,]*(\.\d+)?$")


def _workbook(client, query):
    response = client.get("/reports/value/download/xlsx", query_string=query)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


def test_xlsx_numbers_are_numbers_with_formats(year_of_hours, personas, login) -> None:
    workbook = _workbook(login(personas.centre), YEAR)
    summary = {row[0].value: row[1] for row in workbook["Summary"].iter_rows(min_row=2)}
    assert summary["Total hours"].value == 5760
    assert summary["Total hours"].number_format == "#,##0.00"
    assert summary["Active volunteers"].value == 12
    assert summary["Active volunteers"].number_format == "#,##0"
    # 5,760 × £17.96 = £103,449.60
    assert summary["Value, generalist (£)"].value == pytest.approx(103449.6)
    assert summary["Value, generalist (£)"].number_format == '"£"#,##0.00'
    assert summary["Investment (£)"].value == 25700
    assert summary["VIVA ratio, generalist"].value == pytest.approx(4.03)
    assert summary["VIVA ratio, generalist"].number_format == "0.00"
    months = list(workbook["By month"].iter_rows(min_row=2, values_only=True))
    assert [m[1] for m in months] == [480] * 12
    # No number anywhere is written as text.
    for ws in workbook.worksheets:
        for row in ws.iter_rows(min_row=2, values_only=True):
            for value in row:
                assert not (isinstance(value, str) and NUMBER_AS_TEXT.match(value)), (
                    ws.title,
                    row,
                )


def test_xlsx_dates_are_dates(year_of_hours, personas, login) -> None:
    workbook = _workbook(login(personas.centre), YEAR)
    summary = {row[0].value: row[1] for row in workbook["Summary"].iter_rows(min_row=2)}
    assert summary["Period start"].value == datetime(2025, 4, 1)
    assert summary["Period end"].value == datetime(2026, 3, 31)
    assert summary["Period start"].number_format == "yyyy-mm-dd"
    months = [row[0] for row in workbook["By month"].iter_rows(min_row=2)]
    assert months[0].value == datetime(2025, 4, 1) and months[-1].value == datetime(2026, 3, 1)
    assert {cell.number_format for cell in months} == {"yyyy-mm"}


def test_xlsx_header_rows_are_frozen_and_columns_fit(year_of_hours, personas, login) -> None:
    workbook = _workbook(login(personas.centre), YEAR)
    for ws in workbook.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert all(cell.font.bold for cell in ws[1]), ws.title
        for column in ws.iter_cols():
            width = ws.column_dimensions[column[0].column_letter].width
            assert 8 <= width <= 62, (ws.title, column[0].value, width)
            for cell in column:
                if isinstance(cell.value, str) and not cell.alignment.wrap_text:
                    assert len(cell.value) <= width, (ws.title, cell.value, width)
    organisations = workbook["By organisation"]
    assert organisations.column_dimensions["A"].width >= len(ORGANISATIONS[0])
    # Money needs room for "£103,449.60" (thousands separators included).
    summary = workbook["Summary"]
    assert summary.column_dimensions["B"].width >= len("£103,449.60")


def test_xlsx_method_sheet_gives_every_rate_and_source(year_of_hours, personas, login) -> None:
    workbook = _workbook(login(personas.centre), YEAR)
    method = workbook["Method and sources"]
    header = [cell.value for cell in method[1]]
    assert header == [
        "Figure",
        "Amount (£)",
        "Rate (£ an hour)",
        "Basis",
        "Source",
        "Reference date",
    ]
    rows = {row[0].value: row for row in method.iter_rows(min_row=2)}
    generalist = rows["Generalist (median pay)"]
    assert generalist[1].value == pytest.approx(103449.6)
    assert generalist[2].value == pytest.approx(17.96) and generalist[2].number_format == '"£"0.00'
    assert generalist[4].value == "ONS Annual Survey of Hours and Earnings 2025"
    assert generalist[5].value == "April 2025"
    assert rows["Floor (NLW)"][2].value == pytest.approx(12.21)
    assert (
        "No hours were valued at an occupation rate"
        in rows["Specialist (occupation rates)"][3].value
    )
    assert rows["Employer on-costs"][3].value == "No employer on-costs added."
    assert rows["Caveat"][3].value.startswith("Replacement cost values the time given")
    assert rows["Caveat"][3].alignment.wrap_text
    assert rows["Method"][1].value is None  # words are never in the amount column
    assert workbook.properties.title == "Value of volunteering, April 2025 to March 2026"


def test_xlsx_for_partners_keeps_hidden_cells_as_text(hours, personas, login) -> None:
    workbook = _workbook(login(personas.partner), Q1)
    rows = list(workbook["By organisation"].iter_rows(min_row=2))
    assert {row[1].value for row in rows} == {"[c]"}
    summary = {row[0].value: row[1].value for row in workbook["Summary"].iter_rows(min_row=2)}
    assert summary["Total hours"] == 150 and isinstance(summary["Total hours"], int | float)
    equality = list(workbook["Equality profile"].iter_rows(min_row=2))
    total = next(r for r in equality if r[1].value == "Total")
    assert total[2].value == 15 and total[2].number_format == "#,##0"
    assert Decimal(str(summary["Value, generalist (£)"])) == Decimal("2694")
