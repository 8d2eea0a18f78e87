"""The value report as a spreadsheet: a sheet per table, then the method and sources. Cells are
the report's shown figures (:class:`volunteer_hub.reports.published.Shown`): numbers are numbers
with number formats, dates are dates, hidden figures stay the text ``[c]``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from volunteer_hub.core.money import round_money
from volunteer_hub.core.tabular import Sheet, write_xlsx
from volunteer_hub.investment.queries import CATEGORIES
from volunteer_hub.reports.formatting import (
    BAND_NAMES,
    coverage_text,
    human_period,
    method_text,
    month_date,
    oncost_text,
)
from volunteer_hub.reports.published import Shown, ValueReport, rate_text, text

#: Spreadsheet number formats: people read thousands separators, the cells stay numbers.
HOURS = "#,##0.00"
MONEY = '"£"#,##0.00'
COUNT = "#,##0"
PERCENT = "0.0"
RATIO = "0.00"
RATE = '"£"0.00'
DATE = "yyyy-mm-dd"
MONTH = "yyyy-mm"
TEXT = "@"
#: The format of each column of the report's tables, by key.
COLUMN_FORMATS = {
    "hours": HOURS,
    "active_volunteers": COUNT,
    "volunteers": COUNT,
    "value_generalist": MONEY,
    "month": MONTH,
}
#: The column headings people read in the sheets (the JSON keeps its keys).
COLUMN_TITLES = {
    "name": "Organisation",
    "organisation": "Organisation",
    "role": "Role",
    "month": "Month",
    "band": "How often",
    "hours": "Hours",
    "active_volunteers": "Active volunteers",
    "volunteers": "Volunteers",
    "value_generalist": "Value, generalist (£)",
}
#: The sheet of each breakdown table.
TABLE_TITLES = (
    ("by_organisation", "By organisation"),
    ("by_role", "By role"),
    ("by_month", "By month"),
    ("by_frequency", "By frequency"),
)
#: Text columns wider than this wrap instead.
MAX_WIDTH = 60
#: (title, header, rows of (value, number format)), as core's one XLSX writer takes them.
Cells = list[list[tuple[Any, str | None]]]
AddSheet = Callable[..., None]


def _number(value: str) -> Any:
    """Text from a table that is not typed (the equality profile's counts and percentages):
    numbers as numbers, anything else ('[c]') as it is."""
    try:
        return Decimal(value) if value.replace(".", "", 1).lstrip("-").isdigit() else value
    except ArithmeticError:
        return value


def _xlsx_value(value: Any, number_format: str | None) -> Any:
    """A cell's value: a number, a date or text; '[c]' stays text."""
    if value is None or value == "":
        return None
    if number_format == MONTH and isinstance(value, str):
        return month_date(value) or value
    if number_format not in (None, TEXT) and isinstance(value, str):
        return _number(value)
    return value  # neutralised by core's writer


def _shown_width(value: Any, number_format: str | None) -> int:
    """Roughly how many characters a cell shows, for fitting the column to it."""
    if value is None:
        return 0
    if isinstance(value, date):
        return 10 if number_format == DATE else 7
    if isinstance(value, (int, float, Decimal)) and number_format not in (None, TEXT):
        places = {HOURS: 2, MONEY: 2, RATIO: 2, RATE: 2, PERCENT: 1}.get(number_format, 0)
        return len(f"{Decimal(str(value)):,.{places}f}") + (1 if "£" in number_format else 0)
    return max(len(line) for line in str(value).splitlines() or [""])


def _widths(header: list[str], rows: Cells) -> list[float]:
    """Each column as wide as what it shows (numbers with their separators), 8 to 62."""
    widths = [len(title) for title in header]
    for row in rows:
        for c, (value, number_format) in enumerate(row):
            if c >= len(widths):
                widths.append(0)
            widths[c] = max(widths[c], _shown_width(value, number_format))
    return [min(max(8, width + 2), MAX_WIDTH + 2) for width in widths]


def _summary(shown: Shown) -> list[tuple[str, Any, str]]:
    f = shown.figures
    return [
        ("Period start", f.period.start, DATE),
        ("Period end", f.period.end, DATE),
        ("Organisation", f.organisation or "All organisations", TEXT),
        ("Total hours", shown.total_hours, HOURS),
        ("Employer-time hours (not valued)", shown.employer_time_hours, HOURS),
        ("Active volunteers", f.active, COUNT),
        ("New volunteers", shown.new_volunteers, COUNT),
        ("Hours per active volunteer", shown.hours_per_active_volunteer, HOURS),
        ("Retention rate (%)", shown.retention_rate, PERCENT),
        ("Full-time equivalent", shown.fte, RATIO),
        ("Value, floor (£)", shown.amount("floor"), MONEY),
        ("Value, generalist (£)", shown.amount("generalist"), MONEY),
        ("Value, specialist (£)", shown.amount("specialist"), MONEY),
        ("Investment (£)", round_money(f.investment_total), MONEY),
        ("VIVA ratio, generalist", shown.ratio("generalist"), RATIO),
        ("VIVA ratio, floor", shown.ratio("floor"), RATIO),
        ("VIVA ratio, specialist", shown.ratio("specialist"), RATIO),
        ("Net value (£)", shown.net_value, MONEY),
    ]


def _table(shown: Shown, table: str) -> tuple[list[str], list[list[Any]]]:
    """A breakdown table's columns (the JSON's keys) and rows, bands in words."""
    rows = []
    keys: list[str] = []
    for row in shown.rows(table):
        names = dict(row.names)
        values: dict[str, Any] = {**names}
        if table == "by_frequency":
            values.update(volunteers=row.people, hours=row.hours)
            values["band"] = BAND_NAMES.get(names["band"], names["band"])
        else:
            values.update(hours=row.hours, active_volunteers=row.people)
            if row.value is not None:
                values["value_generalist"] = row.value
        keys = list(values)
        rows.append(list(values.values()))
    return keys, rows


def to_xlsx(report: dict[str, Any], *, equality: dict[str, Any] | None = None) -> bytes:
    """A sheet per table: numbers are numbers with number formats, dates are dates, the header
    row is frozen and columns fit their contents; the method and sources sheet says how every
    figure was made, with each rate, its basis, source and reference date."""
    shown = report.shown if isinstance(report, ValueReport) else None
    assert shown is not None, "a value report carries the figures it was rendered from"
    sheets: list[tuple[str, list[str], Cells]] = []

    def sheet(
        title: str,
        header: list[str],
        rows: list[list[Any]],
        formats: list[str | None] | None = None,
        row_formats: list[str | None] | None = None,
    ) -> None:
        """``formats`` per column, or ``row_formats`` per row for the value column (B)."""
        cells = []
        for r, row in enumerate(rows):
            line = []
            for c, value in enumerate(row):
                number_format = formats[c] if formats else None
                if row_formats is not None and c == 1:
                    number_format = row_formats[r]
                line.append((_xlsx_value(value, number_format), number_format))
            cells.append(line)
        sheets.append((title, header, cells))

    summary = _summary(shown)
    sheet(
        "Summary",
        ["Measure", "Value"],
        [[label, value] for label, value, _ in summary],
        row_formats=[None if f == TEXT else f for _, _, f in summary],
    )
    by_category = shown.figures.investment_by_category
    sheet(
        "Investment",
        ["Category", "Amount (£)"],
        [[CATEGORIES[k], round_money(v)] for k, v in by_category.items()],
        [TEXT, MONEY],
    )
    for table, title in TABLE_TITLES:
        keys, rows = _table(shown, table)
        sheet(
            title,
            [COLUMN_TITLES.get(key, key) for key in keys] or ["No approved hours in this period"],
            rows,
            [COLUMN_FORMATS.get(key, TEXT) for key in keys],
        )
    if equality is not None:
        sheet("Equality profile", *_equality_rows(equality), [TEXT, TEXT, COUNT, PERCENT])
    _method_sheet(report, shown, sheet)
    return _workbook(sheets, shown)


def _workbook(sheets: list[tuple[str, list[str], Cells]], shown: Shown) -> bytes:
    period = human_period(shown.figures.period.start, shown.figures.period.end)
    return write_xlsx(
        (
            Sheet(
                title,
                [[value for value, _ in row] for row in rows],
                header=header,
                number_formats=[[number_format for _, number_format in row] for row in rows],
                widths=_widths(header, rows),
                freeze_header=True,
                wrap_longer_than=MAX_WIDTH,
            )
            for title, header, rows in sheets
        ),
        title=f"Value of volunteering, {period}",
        language="en-GB",
    )


def _method_sheet(report: dict[str, Any], shown: Shown, sheet: AddSheet) -> None:
    """Method and sources: one row per value figure with its rate, basis, source and reference
    date, then the method, on-costs, notes and caveat in words (the ``basis`` column). Rates are
    named by what they are, never by their internal keys."""
    f = shown.figures
    rows: list[list[Any]] = []
    for name, title in (("generalist", "Generalist (median pay)"), ("floor", "Floor (NLW)")):
        rate = f.generalist if name == "generalist" else f.floor
        basis = f.generalist.basis if name == "generalist" else f.floor_basis
        rows.append(
            [
                title,
                shown.amount(name),
                Decimal(rate_text(rate.amount)),
                basis,
                rate.source,
                rate.reference_date,
            ]
        )
    rows.append(
        [
            "Specialist (occupation rates)",
            shown.amount("specialist"),
            None,
            coverage_text(text(shown.coverage)),
            "",
            "",
        ]
    )
    oncost = oncost_text(str(f.oncost))
    notes = [
        ("Method", method_text(report)),
        ("Employer on-costs", oncost[0].upper() + oncost[1:] + "."),
    ]
    if report["method"]["rates_note"]:
        notes.append(("Rates note", report["method"]["rates_note"]))
    if shown.disclosure is not None:
        notes.append(("Disclosure control", shown.disclosure.note))
    notes.append(("Caveat", report["caveat"]))
    rows.extend([topic, None, None, note, "", ""] for topic, note in notes)
    sheet(
        "Method and sources",
        ["Figure", "Amount (£)", "Rate (£ an hour)", "Basis", "Source", "Reference date"],
        rows,
        [TEXT, MONEY, RATE, TEXT, TEXT, TEXT],
    )


def _equality_rows(equality: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """One row per published cell: question, group, count (or [c]), percentage (or [c])."""
    header = ["Question", "Group", "Volunteers", "Percentage of question total"]
    if equality["withheld"]:
        return header, [[equality["withheld"], "", "", ""]]
    rows: list[list[Any]] = []
    for question in equality["questions"]:
        for column, cell, share in zip(
            question["columns"], question["cells"], question["percentages"], strict=True
        ):
            rows.append([question["label"], column, cell, share])
        rows.append([question["label"], "Total", question["total"], ""])
    rows.append(
        [
            f"Disclosure control {equality['profile']}: counts below {equality['k']} are shown "
            "as [c], with secondary suppression so none can be worked out from the total.",
            "",
            "",
            "",
        ]
    )
    return header, rows
