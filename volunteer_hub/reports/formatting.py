"""How people read report dates, months and periods ("April 2025 to March 2026", "Apr 2025");
machine outputs (JSON, CSV, XLSX date cells) keep ISO dates."""

from __future__ import annotations

from datetime import date
from typing import Any


def as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


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


def long_date(value: Any) -> str:
    """'2025-04-01' → '1 April 2025'."""
    day = as_date(value)
    return f"{day.day} {day:%B %Y}" if day else str(value)


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
