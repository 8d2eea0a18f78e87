"""How people read report dates, months and periods ("April 2025 to March 2026", "Apr 2025");
machine outputs (JSON, CSV, XLSX date cells) keep ISO dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from volunteer_hub.core.formatting import as_date, long_date, plural


def month_date(value: Any) -> date | None:
    """'2025-05' (a report's month) as the first day of that month."""
    try:
        year, month = str(value)[:7].split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        return None


def month_label(value: Any) -> str:
    """'2025-05' → 'May 2025' (anything else unchanged, e.g. '[c]')."""
    first = month_date(value)
    return f"{first:%b %Y}" if first else str(value)


def human_period(start: Any, end: Any) -> str:
    """Whole months read as months ('April 2025 to March 2026', 'May 2025'); other periods
    as days ('3 April 2025 to 17 May 2025')."""
    first, last = as_date(start), as_date(end)
    if first is None or last is None:
        return f"{start} to {end}"
    whole_months = first.day == 1 and date.fromordinal(last.toordinal() + 1).day == 1
    if whole_months:
        if (first.year, first.month) == (last.year, last.month):
            return f"{first:%B %Y}"
        return f"{first:%B %Y} to {last:%B %Y}"
    if first == last:
        return long_date(first)
    return f"{long_date(first)} to {long_date(last)}"


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _pounds(value: Any) -> str:
    number = _number(value)
    return f"£{number:,.2f}" if number is not None else str(value)


def summary_sentences(report: dict[str, Any]) -> list[str]:
    """The headline figures and the value range in words, for the PDF's summary page."""
    period = human_period(report["period"]["start"], report["period"]["end"])
    who = report["organisation"] or "the organisations in this report"
    value = report["value"]
    opening = "From" if " to " in period else "On" if period[:1].isdigit() else "In"
    sentences = [
        f"{opening} {period}, {plural(report['active_volunteers'], 'volunteer')} "
        f"gave {plural(report['total_hours'], 'approved hour')} of their time "
        f"to {who}: {_number(report['fte']) or 0:,} full-time equivalent.",
        f"Valued at what it would cost to pay for the same hours, that time was worth between "
        f"{_pounds(value['floor']['amount'])} (at the National Living Wage, "
        f"£{value['floor']['rate']} an hour) and {_pounds(value['generalist']['amount'])} (at "
        f"median hourly pay, £{value['generalist']['rate']} an hour).",
    ]
    investment = _number(report["investment"]["total"])
    ratio = report["viva_ratio"]["generalist"]
    if investment and ratio is not None:
        sentences.append(
            f"Organisations invested {_pounds(investment)} in supporting volunteers: each £1 "
            f"invested was matched by £{ratio} of volunteer time at median pay "
            f"(£{report['viva_ratio']['floor']} at the National Living Wage)."
        )
    else:
        sentences.append(
            "No investment in volunteers was recorded for this period, so the return on "
            "investment (VIVA ratio) is not available."
        )
    new = _number(report["new_volunteers"])
    if new:
        sentences.append(f"{plural(new, 'volunteer was', 'volunteers were')} new this period.")
    return sentences


#: The frequency bands of the report, in words (the JSON keeps its keys).
BAND_NAMES = {
    "weekly_or_more": "On average at least once a week",
    "monthly_or_more": "At least once a month, less than weekly",
    "less_often": "Less than once a month",
}


def percent_text(share: Any) -> str:
    """Decimal('0.21') → '21%'; Decimal('0.125') → '12.5%'."""
    number = _number(share)
    if number is None:
        return str(share)
    percent = (number * 100).normalize()
    return f"{percent:f}%" if percent != percent.to_integral() else f"{int(percent)}%"


def oncost_text(oncost: Any) -> str:
    """What was added to the pay rates, in words: 'employer on-costs of 21% added' or
    'no employer on-costs added' (never 'Oncost 0.')."""
    number = _number(oncost)
    if not number:
        return "no employer on-costs added"
    return f"employer on-costs of {percent_text(number)} added"


def rate_text(block: dict[str, Any], basis: Any) -> str:
    """'£12.21 an hour: National Living Wage, 21 and over (GOV.UK National Minimum Wage rates,
    from 1 April 2025)' — the rate, what it is, its source and reference date; never its key."""
    amount = _number(block.get("rate"))
    rate = f"£{amount:,.2f}" if amount is not None else str(block.get("rate"))
    parts = [p for p in (block.get("source"), block.get("reference_date")) if p]
    where = f" ({', '.join(str(p) for p in parts)})" if parts else ""
    return f"{rate} an hour: {basis}{where}" if basis else f"{rate} an hour{where}"


def method_text(report: dict[str, Any]) -> str:
    """The method in words for pages, PDFs and sheets (the JSON keeps its own description)."""
    return (
        "Replacement cost: approved hours (hours given in paid work time through an employer "
        "are left out) multiplied by the hourly rate in force on the last day of the period, "
        f"with {oncost_text(report['method']['oncost'])}. The value is a range from the floor "
        "(National Living Wage) to the generalist (median pay) figure."
    )


def coverage_text(coverage: Any) -> str:
    """How much of the specialist value uses occupation rates, in words."""
    number = _number(coverage)
    if not number:
        return (
            "No hours were valued at an occupation rate (no role's occupation code has a rate "
            "loaded), so this equals the generalist value"
        )
    return (
        f"Occupation rates for {number}% of hours (by each role's SOC 2020 code); the "
        "generalist rate for the rest"
    )


#: The headline figures compared with earlier periods: (label, path into the report, money).
HEADLINE_CHANGES = (
    ("total_hours", ("total_hours",), False),
    ("active_volunteers", ("active_volunteers",), False),
    ("new_volunteers", ("new_volunteers",), False),
    ("hours_per_active_volunteer", ("hours_per_active_volunteer",), False),
    ("fte", ("fte",), False),
    ("value_floor", ("value", "floor", "amount"), True),
    ("value_generalist", ("value", "generalist", "amount"), True),
)


def _at(report: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = report
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _shown(number: Decimal, money: bool) -> str:
    return f"£{number:,.2f}" if money else thousands_text(number)


def thousands_text(number: Decimal) -> str:
    """Decimal('1975.50') → '1,975.50'; 12 → '12'."""
    exponent = number.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return f"{number:,.{places}f}"


def change_text(now: Any, before: Any, against: str, *, money: bool = False) -> str:
    """'Up 120.50 (7.4%) on the previous quarter (1,624.00)'; 'No change on …'; 'Not
    comparable with …' when either figure is hidden or missing."""
    current, earlier = _number(now), _number(before)
    if current is None or earlier is None:
        return f"Not available for {against}"
    difference = current - earlier
    if difference == 0:
        return f"No change on {against}"
    direction = "Up" if difference > 0 else "Down"
    size = _shown(abs(difference), money)
    share = f" ({abs(difference) * 100 / earlier:.1f}%)" if earlier else ""
    return f"{direction} {size}{share} on {against} ({_shown(earlier, money)})"


def headline_changes(
    report: dict[str, Any], earlier: dict[str, tuple[str, dict[str, Any] | None]]
) -> dict[str, list[str]]:
    """For each headline figure, one sentence per earlier report ``{name: (label, report)}``."""
    changes: dict[str, list[str]] = {}
    for name, path, money in HEADLINE_CHANGES:
        changes[name] = [
            change_text(
                _at(report, path),
                _at(other, path) if other is not None else None,
                label,
                money=money,
            )
            for label, other in earlier.values()
        ]
    return changes


def short_period(start: Any, end: Any) -> str:
    """A period in few words for narrow table headings: 'Oct to Dec 2025', 'Apr 2025 to
    Mar 2026', 'May 2025'; days when it is not whole months."""
    first, last = as_date(start), as_date(end)
    if first is None or last is None:
        return human_period(start, end)
    whole_months = first.day == 1 and date.fromordinal(last.toordinal() + 1).day == 1
    if not whole_months:
        return human_period(first, last)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%b %Y}"
    if first.year == last.year:
        return f"{first:%b} to {last:%b %Y}"
    return f"{first:%b %Y} to {last:%b %Y}"
