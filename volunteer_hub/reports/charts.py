"""Charts as PNG images (matplotlib), always shown beside their data table and a text summary.

On the web each chart is an ``<img>`` from its own URL (``reports.chart``), so nothing on the
page needs inline styles under the CSP; in the PDF each is an image at print resolution, sized
to the width of the page. Every chart is drawn from the report it illustrates, after disclosure
control when the viewer is a partner: a chart never shows a figure its page would not.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from volunteer_hub.core.money import round_money
from volunteer_hub.investment.queries import CATEGORIES
from volunteer_hub.reports.formatting import month_label

if TYPE_CHECKING:  # matplotlib loads on first use, so commands and the API start quickly
    from matplotlib.figure import Figure

    from volunteer_hub.reports.published import Shown

BLUE = "#1d70b8"
#: The text width of an A4 page with the PDF's 16 mm side margins, in inches.
PAGE_WIDTH_INCHES = 7.0
WEB_DPI = 144  # sharp on high-density screens
PRINT_DPI = 300
NAMES = ("by_month", "by_organisation", "investment")
TITLES = {
    "by_month": "Bar chart of approved hours by month",
    "by_organisation": "Bar chart of approved hours by organisation",
    "investment": "Bar chart of investment in volunteers by category",
}


def _text(label: str) -> str:
    """Labels are data: a ``$`` must not start matplotlib's maths mode."""
    return label.replace("$", r"\$")


def _thousands(value: float, _position: Any = None) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _view(report: dict[str, Any]) -> Shown:
    """The report's shown figures (typed, disclosure applied): what every chart draws."""
    shown = getattr(report, "shown", None)
    assert shown is not None, "charts draw a value report's typed figures"
    return cast("Shown", shown)


def _shown(report: dict[str, Any], table: str) -> list[tuple[str, Decimal]]:
    """The name and hours of each row whose hours are published (disclosure control may have
    hidden some)."""
    shown = _view(report)
    return [
        (row.names[0][1], row.hours) for row in shown.rows(table) if isinstance(row.hours, Decimal)
    ]


def _month_rows(report: dict[str, Any]) -> list[tuple[str, Decimal]]:
    return [(month_label(month), hours) for month, hours in _shown(report, "by_month")]


def _organisation_rows(report: dict[str, Any], limit: int = 12) -> list[tuple[str, Decimal]]:
    rows = _shown(report, "by_organisation")
    return sorted(rows, key=lambda r: r[1], reverse=True)[:limit]


def _investment_rows(report: dict[str, Any]) -> list[tuple[str, Decimal]]:
    rows = [
        (CATEGORIES.get(k, k), round_money(v))
        for k, v in _view(report).figures.investment_by_category.items()
    ]
    return [(label, amount) for label, amount in rows if amount > 0]


ROWS: dict[str, Callable[[dict[str, Any]], list[tuple[str, Decimal]]]] = {
    "by_month": _month_rows,
    "by_organisation": _organisation_rows,
    "investment": _investment_rows,
}


def available(report: dict[str, Any]) -> list[str]:
    """The charts this report has something to show in (cheap: nothing is drawn)."""
    return [name for name in NAMES if ROWS[name](report)]


@cache
def _matplotlib() -> None:
    """Load matplotlib and set its fonts, once: figures are built with the object API (no
    pyplot state), so charts can be drawn in several threads at once."""
    import matplotlib

    matplotlib.rcParams["font.size"] = 9
    matplotlib.rcParams["font.family"] = "DejaVu Sans"


def _figure(name: str, rows: list[tuple[str, Decimal]]) -> Figure:
    _matplotlib()
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    labels = [_text(label) for label, _ in rows]
    values = [float(amount) for _, amount in rows]
    if name == "by_month":
        # Wide enough for 12 or more months, with room for the rotated labels.
        figure = Figure(figsize=(PAGE_WIDTH_INCHES, 3.2), layout="constrained")
        axes = figure.subplots()
        axes.bar(labels, values, color=BLUE)
        axes.set_ylabel("Approved hours")
        axes.yaxis.set_major_formatter(FuncFormatter(_thousands))
        axes.tick_params(axis="x", labelrotation=45 if len(rows) > 6 else 0)
    else:
        figure = Figure(figsize=(PAGE_WIDTH_INCHES, 0.4 * len(rows) + 1.2), layout="constrained")
        axes = figure.subplots()
        axes.barh(labels[::-1], values[::-1], color=BLUE)
        axes.set_xlabel("Approved hours" if name == "by_organisation" else "Investment (£)")
        axes.xaxis.set_major_formatter(FuncFormatter(_thousands))
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def chart_png(report: dict[str, Any], name: str, *, dpi: int = WEB_DPI) -> bytes | None:
    """One chart as PNG bytes (exactly ``PAGE_WIDTH_INCHES`` wide), or None when it has
    nothing to show."""
    rows = ROWS[name](report) if name in ROWS else []
    if not rows:
        return None
    image = io.BytesIO()
    _figure(name, rows).savefig(
        image, format="png", dpi=dpi, metadata={"Title": TITLES[name], "Software": None}
    )
    return image.getvalue()


def alt_texts(report: dict[str, Any]) -> dict[str, str]:
    """What each chart shows, in words: its title and its summary sentence."""
    texts = summaries(report)
    return {
        name: f"{TITLES[name]}. {texts.get(name, '')} The figures are in the table below.".replace(
            ".  ", ". "
        )
        for name in NAMES
    }


def value_charts(report: dict[str, Any], *, for_pdf: bool = False) -> dict[str, str]:
    """Each chart's image source for the PDF: a PNG at print resolution as a data URL.
    (``for_pdf`` is kept for callers; the web page links to ``reports.chart`` instead.)"""
    del for_pdf
    charts = {}
    for name in available(report):
        png = chart_png(report, name, dpi=PRINT_DPI)
        if png:
            charts[name] = "data:image/png;base64," + base64.b64encode(png).decode()
    return charts


def _count(number: int, one: str, many: str) -> str:
    return f"{number:,} {one if number == 1 else many}"


def summaries(report: dict[str, Any]) -> dict[str, str]:
    """One sentence per chart, for people who would rather read."""
    texts: dict[str, str] = {}
    months = _shown(report, "by_month")
    if months:
        busiest_month, most = max(months, key=lambda r: r[1])
        texts["by_month"] = (
            f"{_count(len(months), 'month', 'months')} had approved hours; the busiest was "
            f"{month_label(busiest_month)} with {most:,} hours."
        )
    organisations = _shown(report, "by_organisation")
    if organisations:
        top, hours = max(organisations, key=lambda r: r[1])
        texts["by_organisation"] = (
            f"{_count(len(organisations), 'organisation', 'organisations')} recorded hours; "
            f"{top} recorded the most ({hours:,} hours)."
        )
    spent = _investment_rows(report)
    if spent:
        label, amount = max(spent, key=lambda item: item[1])
        texts["investment"] = (
            f"£{round_money(_view(report).figures.investment_total):,.2f} was invested in "
            f"volunteering; the largest part was {label.lower()} (£{amount:,.2f})."
        )
    return texts
