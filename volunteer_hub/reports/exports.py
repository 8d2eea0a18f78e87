"""Value report downloads: CSV (data), XLSX (a sheet per table + method and sources), PDF."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

from flask import render_template

from volunteer_hub.config import ROOT
from volunteer_hub.core.tabular import neutralise, write_csv
from volunteer_hub.investment.models import CATEGORIES

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


def to_xlsx(report: dict[str, Any], *, equality: dict[str, Any] | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows: list[list[Any]]) -> None:
        ws = workbook.create_sheet(title)
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append([neutralise(_number(v)) if v is not None else None for v in row])
        for column in ws.columns:
            width = max(len(str(c.value or "")) for c in column)
            ws.column_dimensions[column[0].column_letter].width = min(max(12, width + 2), 80)

    default = workbook.active
    assert default is not None
    workbook.remove(default)
    sheet(
        "Summary",
        ["measure", "value"],
        [
            ["Period start", report["period"]["start"]],
            ["Period end", report["period"]["end"]],
            ["Organisation", report["organisation"] or "All organisations"],
            ["Total hours", report["total_hours"]],
            ["Employer-time hours (not valued)", report["employer_time_hours"]],
            ["Active volunteers", report["active_volunteers"]],
            ["New volunteers", report["new_volunteers"]],
            ["Hours per active volunteer", report["hours_per_active_volunteer"]],
            ["Retention rate (%)", report["retention_rate"]],
            ["FTE", report["fte"]],
            ["Value, floor (£)", report["value"]["floor"]["amount"]],
            ["Value, generalist (£)", report["value"]["generalist"]["amount"]],
            ["Value, specialist (£)", report["value"]["specialist"]["amount"]],
            ["Investment (£)", report["investment"]["total"]],
            ["VIVA ratio, generalist", report["viva_ratio"]["generalist"]],
            ["VIVA ratio, floor", report["viva_ratio"]["floor"]],
            ["VIVA ratio, specialist", report["viva_ratio"]["specialist"]],
            ["Net value (£)", report["net_value"]],
        ],
    )
    sheet(
        "Investment",
        ["category", "label", "amount (£)"],
        [[k, CATEGORIES[k], v] for k, v in report["investment"]["by_category"].items()],
    )
    for table, title in (
        ("by_organisation", "By organisation"),
        ("by_role", "By role"),
        ("by_month", "By month"),
        ("by_frequency", "By frequency"),
    ):
        rows = report[table]
        header = list(rows[0].keys()) if rows else ["(no hours in this period)"]
        sheet(title, header, [list(r.values()) for r in rows])
    if equality is not None:
        sheet("Equality profile", *_equality_rows(equality))
    method_rows: list[list[Any]] = []
    for name in ("generalist", "floor"):
        block = report["value"][name]
        method_rows.append(
            [
                name,
                block["amount"],
                block["rate"],
                block["rate_key"],
                report["method"][f"{name}_basis"],
                block["source"],
                block["reference_date"],
            ]
        )
    method_rows.append(
        [
            "specialist",
            report["value"]["specialist"]["amount"],
            "occupation rates where loaded, else generalist",
            "",
            f"coverage {report['value']['specialist']['coverage']}%",
            "",
            "",
        ]
    )
    method_rows.append(["method", report["method"]["description"], "", "", "", "", ""])
    method_rows.append(["oncost", report["method"]["oncost"], "", "", "", "", ""])
    if report["method"]["rates_note"]:
        method_rows.append(["rates note", report["method"]["rates_note"], "", "", "", "", ""])
    if report.get("disclosure"):
        method_rows.append(["disclosure control", report["disclosure"]["note"], "", "", "", "", ""])
    method_rows.append(["caveat", report["caveat"], "", "", "", "", ""])
    sheet(
        "Method and sources",
        ["figure", "amount (£)", "rate (£/hour)", "rate key", "basis", "source", "reference date"],
        method_rows,
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _equality_rows(equality: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """One row per published cell: question, group, count (or [c]), percentage (or [c])."""
    header = ["question", "group", "volunteers", "percentage of question total"]
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
        template, categories=CATEGORIES, chart_alts=alt_texts(context["report"]), **context
    )
    return HTML(string=html, base_url=str(ROOT)).write_pdf()


def to_pdf(
    report: dict[str, Any],
    *,
    charts: dict[str, str] | None = None,
    equality: dict[str, Any] | None = None,
) -> bytes:
    from volunteer_hub.reports.charts import summaries

    return _pdf(
        "reports/value_pdf.html",
        report=report,
        charts=charts or {},
        summaries=summaries(report),
        profile=equality,
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
    )
