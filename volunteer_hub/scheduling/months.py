"""The month rota: an organisation's shifts (or one role's) for a calendar month, day by day,
with the shifts short of their minimum picked out as gaps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from volunteer_hub.scheduling import queries
from volunteer_hub.scheduling.models import Shift
from volunteer_hub.scheduling.queries import Day
from volunteer_hub.scheduling.times import local


@dataclass(frozen=True)
class Month:
    first: date
    days: list[Day]
    #: Shifts not cancelled with fewer confirmed than their minimum, in order.
    gaps: list[Shift]
    shifts: int

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def following(self) -> date:
        return (self.first + timedelta(days=32)).replace(day=1)


def first_of(text: str | None, today: date) -> date:
    """``YYYY-MM`` as the month's first day; anything else is this month."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        if 1900 < year < 2200:
            return date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


def month(organisation_id: int, first: date, role_id: int | None = None) -> Month:
    """The days of the month that have shifts (of ``role_id`` only, if given)."""
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    shifts = [
        s
        for s in queries.shifts_between(first, last, organisation_id)
        if role_id is None or s.role_id == role_id
    ]
    by_day: dict[date, list[Shift]] = {}
    for shift in shifts:
        by_day.setdefault(local(shift.starts_at).date(), []).append(shift)
    return Month(
        first=first,
        days=[Day(day, found) for day, found in sorted(by_day.items())],
        gaps=[s for s in shifts if s.short and not s.cancelled],
        shifts=len(shifts),
    )
