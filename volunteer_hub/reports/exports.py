"""Value report downloads: JSON and CSV (the partner API's contract, as data), XLSX (a sheet
per table + method and sources, :mod:`volunteer_hub.reports.sheets`), PDF."""

from __future__ import annotations

import json
from typing import Any

from flask import render_template

from volunteer_hub.config import ROOT
from volunteer_hub.core.tabular import write_csv
from volunteer_hub.investment.queries import CATEGORIES
from volunteer_hub.reports.formatting import summary_sentences
from volunteer_hub.reports.published import HEADLINE_KEYS, typed
from volunteer_hub.reports.sheets import to_xlsx

__all__ = ["quarterly_pdf", "quarterly_rows", "to_csv", "to_json", "to_pdf", "to_xlsx"]

TABLES = ("by_organisation", "by_role", "by_month", "by_frequency")


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def _summary_rows(report: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    rows: list[tuple[str, str, str, Any]] = [
        ("period", "", "start", report["period"]["start"]),
        ("period", "", "end", report["period"]["end"]),
        ("period", "", "organisation", report["organisation"] or "All organisations"),
    ]
    for key in HEADLINE_KEYS:
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
    shown = _summary_rows(typed(report))  # Decimals are written as the JSON writes them
    rows.extend((t, i, m, "" if v is None else v) for t, i, m, v in shown)
    return write_csv(rows)


def _pdf(template: str, **context: Any) -> bytes:
    from weasyprint import HTML

    from volunteer_hub.reports.charts import alt_texts

    html = render_template(
        template,
        categories=CATEGORIES,
        chart_alts=alt_texts(context["report"]),
        summary_sentences=summary_sentences(typed(context["report"])),
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
            value: Any = typed(report)
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
