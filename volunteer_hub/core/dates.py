"""Dates: working days (weekends and England and Wales bank holidays are not working days) and
calendar months."""

from __future__ import annotations

import calendar
import json
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from flask import current_app

BUNDLED = Path(__file__).parent / "data" / "bank_holidays_england_wales.json"


@lru_cache(maxsize=8)
def _load(path: str) -> frozenset[date]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return frozenset(date.fromisoformat(d) for d in data["dates"])


def bank_holidays() -> frozenset[date]:
    """The bundled list, or the file named by ``BANK_HOLIDAYS_FILE`` (same JSON shape)."""
    configured = current_app.config.get("BANK_HOLIDAYS_FILE") or ""
    return _load(str(configured or BUNDLED))


def is_working_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: frozenset[date] | None = None) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    holidays = bank_holidays() if holidays is None else holidays
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            left -= 1
    return day


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (the month's last day when it is shorter:
    31 January + 1 month is 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
