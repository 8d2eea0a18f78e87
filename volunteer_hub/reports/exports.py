"""Value report downloads: CSV (data), XLSX (a sheet per table + method and sources), PDF."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from flask import render_template

from volunteer_hub.config import ROOT
from volunteer_hub.core.tabular import Sheet, write_csv, write_xlsx
from volunteer_hub.investment.queries import CATEGORIES
from volunteer_hub.reports.formatting import (
    BAND_NAMES,
    as_date,
    coverage_text,
    human_period,
    method_text,
    month_date,
    oncost_text,
    summary_sentences,
)

TABLES = ("by_organisation", "by_role", "by_month", "by_frequency")


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def _summary_rows(report: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    rows: list[tuple[str, str, str, Any]] = [
        ("period", "", "start", report["period"]["start"]),
        ("period", "", "end", report["period"]["end"]),
        ("period", "", "organisation", report["organisation"] or "All organisations"),
    ]
    for key in (
        "total_hours",
        "employer_time_hours",
        "active_volunteers",
        "new_volunteers",
        "hours_per_active_volunteer",
        "retention_rate",
        "fte",
        "net_value",
    ):
        rows.append(("summary", "", key, report[key]))
    for name in ("generalist", "floor"):
        for measure, value in report["value"][name].items():
            rows.append(("value", name, measure, value))
        rows.append(("value", name, "basis", report["method"][f"{name}_basis"]))
    for measure, value in report["value"]["specialist"].items():
        rows.append(("value", "specialist", measure, value))
    rows.append(("investment", "", "total", report["investment"]["total"]))
    for category, value in report["investment"]["by_category"].items():
        rows.append(("investment", category, "amount", value))
    for name, value in report["viva_ratio"].items():
        rows.append(("viva_ratio", name, "ratio", value))
    for table in TABLES:
        for row in report[table]:
            item = " / ".join(
                str(row[k]) for k in ("organisation", "role", "name", "month", "band") if k in row
            )
            for measure, value in row.items():
                if measure not in {"organisation", "role", "name", "month", "band"}:
                    rows.append((table, item, measure, value))
    for measure, value in report["timebank"].items():
        rows.append(("timebank", "", measure, value))
    if report.get("disclosure"):
        rows.append(("disclosure", "", "note", report["disclosure"]["note"]))
    rows.append(("caveat", "", "text", report["caveat"]))
    return rows


def to_csv(report: dict[str, Any]) -> str:
    rows: list[tuple[Any, ...]] = [("table", "item", "measure", "value")]
    rows.extend((t, i, m, "" if v is None else v) for t, i, m, v in _summary_rows(report))
    return write_csv(rows)


def _number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return Decimal(value) if value.replace(".", "", 1).lstrip("-").isdigit() else value
        except ArithmeticError:
            return value
    return value


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
#: Text columns wider than this wrap instead.
MAX_WIDTH = 60


def _xlsx_value(value: Any, number_format: str | None) -> Any:
    """A cell's value: a number, a date or text; '[c]' stays text."""
    if value is None or value == "":
        return None
    if number_format in (DATE, MONTH) and isinstance(value, str):
        parsed = (month_date if number_format == MONTH else as_date)(value)
        return parsed if parsed is not None else value
    if number_format not in (None, TEXT):
        value = _number(value)
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


def to_xlsx(report: dict[str, Any], *, equality: dict[str, Any] | None = None) -> bytes:
    """A sheet per table: numbers are numbers with number formats, dates are dates, the header
    row is frozen and columns fit their contents; the method and sources sheet says how every
    figure was made, with each rate, its basis, source and reference date."""
    #: (title, header, rows of (value, number format)), written by core's one XLSX writer.
    sheets: list[tuple[str, list[str], list[list[tuple[Any, str | None]]]]] = []

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

    summary = [
        ("Period start", report["period"]["start"], DATE),
        ("Period end", report["period"]["end"], DATE),
        ("Organisation", report["organisation"] or "All organisations", TEXT),
        ("Total hours", report["total_hours"], HOURS),
        ("Employer-time hours (not valued)", report["employer_time_hours"], HOURS),
        ("Active volunteers", report["active_volunteers"], COUNT),
        ("New volunteers", report["new_volunteers"], COUNT),
        ("Hours per active volunteer", report["hours_per_active_volunteer"], HOURS),
        ("Retention rate (%)", report["retention_rate"], PERCENT),
        ("Full-time equivalent", report["fte"], RATIO),
        ("Value, floor (£)", report["value"]["floor"]["amount"], MONEY),
        ("Value, generalist (£)", report["value"]["generalist"]["amount"], MONEY),
        ("Value, specialist (£)", report["value"]["specialist"]["amount"], MONEY),
        ("Investment (£)", report["investment"]["total"], MONEY),
        ("VIVA ratio, generalist", report["viva_ratio"]["generalist"], RATIO),
        ("VIVA ratio, floor", report["viva_ratio"]["floor"], RATIO),
        ("VIVA ratio, specialist", report["viva_ratio"]["specialist"], RATIO),
        ("Net value (£)", report["net_value"], MONEY),
    ]
    sheet(
        "Summary",
        ["Measure", "Value"],
        [[label, value] for label, value, _ in summary],
        row_formats=[None if f == TEXT else f for _, _, f in summary],
    )
    sheet(
        "Investment",
        ["Category", "Amount (£)"],
        [[CATEGORIES[k], v] for k, v in report["investment"]["by_category"].items()],
        [TEXT, MONEY],
    )
    for table, title in (
        ("by_organisation", "By organisation"),
        ("by_role", "By role"),
        ("by_month", "By month"),
        ("by_frequency", "By frequency"),
    ):
        rows = report[table]
        keys = list(rows[0].keys()) if rows else []
        sheet(
            title,
            [COLUMN_TITLES.get(key, key) for key in keys] or ["No approved hours in this period"],
            [[BAND_NAMES.get(v, v) if k == "band" else v for k, v in r.items()] for r in rows],
            [COLUMN_FORMATS.get(key, TEXT) for key in keys],
        )
    if equality is not None:
        sheet("Equality profile", *_equality_rows(equality), [TEXT, TEXT, COUNT, PERCENT])
    _method_sheet(report, sheet)
    period = human_period(report["period"]["start"], report["period"]["end"])
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


def _widths(header: list[str], rows: list[list[tuple[Any, str | None]]]) -> list[float]:
    """Each column as wide as what it shows (numbers with their separators), 8 to 62."""
    widths = [len(text) for text in header]
    for row in rows:
        for c, (value, number_format) in enumerate(row):
            if c >= len(widths):
                widths.append(0)
            widths[c] = max(widths[c], _shown_width(value, number_format))
    return [min(max(8, width + 2), MAX_WIDTH + 2) for width in widths]


def _method_sheet(report: dict[str, Any], sheet: Any) -> None:
    """Method and sources: one row per value figure with its rate, basis, source and reference
    date, then the method, on-costs, notes and caveat in words (the ``basis`` column). Rates are
    named by what they are, never by their internal keys."""
    rows: list[list[Any]] = []
    for name, title in (("generalist", "Generalist (median pay)"), ("floor", "Floor (NLW)")):
        block = report["value"][name]
        rows.append(
            [
                title,
                block["amount"],
                block["rate"],
                report["method"][f"{name}_basis"],
                block["source"],
                block["reference_date"],
            ]
        )
    specialist = report["value"]["specialist"]
    rows.append(
        [
            "Specialist (occupation rates)",
            specialist["amount"],
            None,
            coverage_text(specialist["coverage"]),
            "",
            "",
        ]
    )
    oncost = oncost_text(report["method"]["oncost"])
    notes = [
        ("Method", method_text(report)),
        ("Employer on-costs", oncost[0].upper() + oncost[1:] + "."),
    ]
    if report["method"]["rates_note"]:
        notes.append(("Rates note", report["method"]["rates_note"]))
    if report.get("disclosure"):
        notes.append(("Disclosure control", report["disclosure"]["note"]))
    notes.append(("Caveat", report["caveat"]))
    rows.extend([topic, None, None, text, "", ""] for topic, text in notes)
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


def _pdf(template: str, **context: Any) -> bytes:
    from weasyprint import HTML

    from volunteer_hub.reports.charts import alt_texts

    html = render_template(
        template,
        categories=CATEGORIES,
        chart_alts=alt_texts(context["report"]),
        summary_sentences=summary_sentences(context["report"]),
        **context,
    )
    # PDF/UA: tagged (headings, tables, figures with their alt text), with the document's title
    # shown and its language set, for people who use screen readers.
    pdf = HTML(string=html, base_url=str(ROOT)).write_pdf(pdf_variant="pdf/ua-1")
    assert pdf is not None
    return pdf


def to_pdf(
    report: dict[str, Any],
    *,
    charts: dict[str, str] | None = None,
    equality: dict[str, Any] | None = None,
    changes: dict[str, list[str]] | None = None,
) -> bytes:
    from volunteer_hub.reports.charts import summaries

    return _pdf(
        "reports/value_pdf.html",
        report=report,
        charts=charts or {},
        summaries=summaries(report),
        profile=equality,
        changes=changes or {},
    )


#: The quarterly monitoring comparison: (label, path into the report).
QUARTERLY_MEASURES = (
    ("Approved hours", ("total_hours",)),
    ("Active volunteers", ("active_volunteers",)),
    ("New volunteers", ("new_volunteers",)),
    ("Hours per active volunteer", ("hours_per_active_volunteer",)),
    ("Retention (%)", ("retention_rate",)),
    ("Full-time equivalent", ("fte",)),
    ("Value, floor (£)", ("value", "floor", "amount")),
    ("Value, generalist (£)", ("value", "generalist", "amount")),
    ("Value, specialist (£)", ("value", "specialist", "amount")),
    ("Investment (£)", ("investment", "total")),
    ("VIVA ratio (generalist)", ("viva_ratio", "generalist")),
    ("Net value (£)", ("net_value",)),
)


def quarterly_rows(reports: dict[str, dict[str, Any] | None]) -> list[tuple[str, list[Any]]]:
    rows = []
    for label, path in QUARTERLY_MEASURES:
        values = []
        for report in reports.values():
            if report is None:
                values.append("Not published (disclosure control)")
                continue
            value: Any = report
            for key in path:
                value = value[key]
            values.append(value)
        rows.append((label, values))
    return rows


def quarterly_pdf(
    reports: dict[str, dict[str, Any] | None],
    *,
    label: str,
    periods: dict[str, Any],
    charts: dict[str, str],
    equality: dict[str, Any] | None,
    changes: dict[str, list[str]] | None = None,
) -> bytes:
    """The partnership board's quarterly monitoring: this quarter, the year to date and the same
    quarter last year side by side, then this quarter in full."""
    from volunteer_hub.reports.charts import summaries

    report = reports["this_quarter"]
    assert report is not None, "the quarter itself is checked before the comparison is drawn"
    return _pdf(
        "reports/quarterly_pdf.html",
        report=report,
        reports=reports,
        periods=periods,
        rows=quarterly_rows(reports),
        label=label,
        charts=charts,
        summaries=summaries(report),
        profile=equality,
        changes=changes or {},
    )
