"""Charts as SVG (matplotlib), always shown beside their data table and a text summary."""

from __future__ import annotations

import base64
import io
import re
from decimal import Decimal
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from volunteer_hub.investment.models import CATEGORIES

# Set once, here: figures are built with the object API (no pyplot state), so charts can be
# drawn in several threads at once.
matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text in SVG
matplotlib.rcParams["font.size"] = 9

BLUE = "#1d70b8"


def _text(label: str) -> str:
    """Labels are data: a ``$`` must not start matplotlib's maths mode."""
    return label.replace("$", r"\$")


def _svg(figure: Figure, title: str, prefix: str, png: bool = False) -> str:
    """The figure as inline SVG (ids prefixed so several charts can share one page), or as a PNG
    ``<img>`` when rendering for PDF."""
    if png:  # for the PDF, whose renderer does not apply the CSS inside matplotlib's SVG
        image = io.BytesIO()
        figure.savefig(image, format="png", dpi=200, bbox_inches="tight")
        encoded = base64.b64encode(image.getvalue()).decode()
        return f'<img src="data:image/png;base64,{encoded}" alt="{title}">'
    buffer = io.StringIO()
    figure.savefig(
        buffer, format="svg", bbox_inches="tight", metadata={"Title": title, "Date": None}
    )
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'id="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'(url\(#|href="#)([^")]+)', rf"\1{prefix}-\2", svg)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{title}" ', 1)


def _shown(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows whose hours are published (disclosure control may have hidden some)."""
    return [row for row in rows if row["hours"] != "[c]"]


def hours_by_month(report: dict[str, Any], png: bool = False) -> str | None:
    rows = _shown(report["by_month"])
    if not rows:
        return None
    figure = Figure(figsize=(7, 3))
    axes = figure.subplots()
    axes.bar([r["month"] for r in rows], [float(Decimal(r["hours"])) for r in rows], color=BLUE)
    axes.set_ylabel("Approved hours")
    axes.tick_params(axis="x", labelrotation=45)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure, "Bar chart of approved hours by month", "month", png)


def hours_by_organisation(report: dict[str, Any], limit: int = 12, png: bool = False) -> str | None:
    shown = _shown(report["by_organisation"])
    rows = sorted(shown, key=lambda r: Decimal(r["hours"]), reverse=True)[:limit]
    if not rows:
        return None
    figure = Figure(figsize=(7, 0.4 * len(rows) + 1))
    axes = figure.subplots()
    axes.barh(
        [_text(r["name"]) for r in rows][::-1],
        [float(Decimal(r["hours"])) for r in rows][::-1],
        color=BLUE,
    )
    axes.set_xlabel("Approved hours")
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure, "Bar chart of approved hours by organisation", "org", png)


def investment_by_category(
    report: dict[str, Any], labels: dict[str, str], png: bool = False
) -> str | None:
    rows = [(labels.get(k, k), Decimal(v)) for k, v in report["investment"]["by_category"].items()]
    rows = [(label, amount) for label, amount in rows if amount > 0]
    if not rows:
        return None
    figure = Figure(figsize=(7, 0.4 * len(rows) + 1))
    axes = figure.subplots()
    axes.barh([_text(r[0]) for r in rows][::-1], [float(r[1]) for r in rows][::-1], color=BLUE)
    axes.set_xlabel("Investment (£)")
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure, "Bar chart of investment in volunteers by category", "inv", png)


def value_charts(report: dict[str, Any], *, for_pdf: bool = False) -> dict[str, str]:
    charts = {
        "by_month": hours_by_month(report, png=for_pdf),
        "by_organisation": hours_by_organisation(report, png=for_pdf),
        "investment": investment_by_category(report, CATEGORIES, png=for_pdf),
    }
    return {k: v for k, v in charts.items() if v}


def summaries(report: dict[str, Any]) -> dict[str, str]:
    """One sentence per chart, for people who would rather read."""
    texts: dict[str, str] = {}
    months = _shown(report["by_month"])
    if months:
        busiest = max(months, key=lambda r: Decimal(r["hours"]))
        texts["by_month"] = (
            f"{len(months)} month(s) had approved hours; the busiest was {busiest['month']} "
            f"with {busiest['hours']} hours."
        )
    organisations = _shown(report["by_organisation"])
    if organisations:
        top = max(organisations, key=lambda r: Decimal(r["hours"]))
        texts["by_organisation"] = (
            f"{len(organisations)} organisation(s) recorded hours; {top['name']} recorded the most "
            f"({top['hours']} hours)."
        )
    spent = [
        (CATEGORIES.get(k, k), Decimal(v))
        for k, v in report["investment"]["by_category"].items()
        if Decimal(v) > 0
    ]
    if spent:
        label, amount = max(spent, key=lambda item: item[1])
        texts["investment"] = (
            f"£{Decimal(report['investment']['total']):,.2f} was invested in volunteering; the "
            f"largest part was {label.lower()} (£{amount:,.2f})."
        )
    return texts
