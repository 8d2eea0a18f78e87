"""Making shifts: one-off shifts and recurring patterns expanded into shifts (RRULE semantics
from python-dateutil: weekly, fortnightly, or the nth weekday of the month; bank holidays in
England and Wales left out when the pattern says so)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday
from sqlalchemy import select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.core.dates import bank_holidays
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.transitions import lock
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Role
from volunteer_hub.scheduling import queries
from volunteer_hub.scheduling.models import FREQUENCIES, WHO, Shift, ShiftPattern
from volunteer_hub.scheduling.times import span

#: How far ahead a pattern's shifts are made.
HORIZON_DAYS = 91
MAX_CAPACITY = 500
MAX_SHIFT = timedelta(hours=24)


def _clean(value: Any) -> str:
    return " ".join(str(value or "").split())


def check_numbers(values: dict[str, Any]) -> tuple[int, int]:
    capacity, minimum = values.get("capacity"), values.get("minimum") or 0
    if not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
        raise DomainError("Enter the number of places, from 1 to 500", field="capacity")
    if not isinstance(minimum, int) or not 0 <= minimum <= capacity:
        raise DomainError(
            "Enter the minimum needed, from 0 up to the number of places", field="minimum"
        )
    return capacity, minimum


def _common(values: dict[str, Any]) -> dict[str, Any]:
    capacity, minimum = check_numbers(values)
    who = values.get("who") or "placed"
    if who not in WHO:
        raise DomainError("Choose who may sign up", field="who")
    location = _clean(values.get("location")) or None
    if location is not None and len(location) > 300:
        raise DomainError("Keep the location to 300 characters", field="location")
    return {"capacity": capacity, "minimum": minimum, "who": who, "location": location}


def _check_role(actor: User, role: Role) -> None:
    if not queries.manages(actor, role.organisation_id):
        raise DomainError("Only the organisation's coordinators add shifts")


def add_shift(*, actor: User, role: Role, values: dict[str, Any], now: datetime) -> Shift:
    """A one-off shift from a UK day and wall-clock start and end times."""
    _check_role(actor, role)
    day, start, end = values.get("day"), values.get("start"), values.get("end")
    if not isinstance(day, date) or not isinstance(start, time) or not isinstance(end, time):
        raise DomainError("Enter the day, start and end of the shift", field="day")
    try:
        starts_at, ends_at = span(day, start, end)
    except DomainError as error:
        raise DomainError(error.message, field="start") from None
    if starts_at <= now:
        raise DomainError("The shift must start in the future", field="day")
    shift = Shift(role_id=role.id, starts_at=starts_at, ends_at=ends_at, **_common(values))
    db.session.add(shift)
    db.session.flush()
    audit("scheduling.shift_added", actor=actor, target=shift)
    return shift


def add_pattern(
    *, actor: User, role: Role, values: dict[str, Any], today: date
) -> tuple[ShiftPattern, int]:
    """A recurring pattern and its shifts for the next :data:`HORIZON_DAYS` days."""
    _check_role(actor, role)
    frequency = values.get("frequency")
    if frequency not in FREQUENCIES:
        raise DomainError("Choose how often the shift repeats", field="frequency")
    starts_on, until = values.get("starts_on"), values.get("until")
    if not isinstance(starts_on, date) or starts_on < today:
        raise DomainError("Enter the first day, today or later", field="starts_on")
    if until is not None and until < starts_on:
        raise DomainError("The last day must be on or after the first", field="until")
    start, end = values.get("start"), values.get("end")
    if not isinstance(start, time) or not isinstance(end, time):
        raise DomainError("Enter the start and end times", field="start")
    nth = values.get("nth") if frequency == "monthly" else None
    if frequency == "monthly" and nth not in (1, 2, 3, 4, -1):
        raise DomainError("Choose which weekday of the month", field="nth")
    pattern = ShiftPattern(
        role_id=role.id,
        frequency=frequency,
        weekday=starts_on.weekday(),
        nth=nth,
        start_time=start,
        end_time=end,
        starts_on=starts_on,
        until=until,
        skip_bank_holidays=bool(values.get("skip_bank_holidays", True)),
        **_common(values),
    )
    db.session.add(pattern)
    db.session.flush()
    made = expand(pattern, today + timedelta(days=HORIZON_DAYS))
    audit("scheduling.pattern_added", actor=actor, target=pattern, details={"shifts": made})
    return pattern, made


def occurrences(pattern: ShiftPattern, horizon: date) -> list[date]:
    """The pattern's days from its first day up to ``horizon`` (and its last day, if any)."""
    last = min(horizon, pattern.until) if pattern.until else horizon
    if last < pattern.starts_on:
        return []
    day = weekday(pattern.weekday)
    rule = rrule(
        MONTHLY if pattern.frequency == "monthly" else WEEKLY,
        interval=2 if pattern.frequency == "fortnightly" else 1,
        byweekday=day(pattern.nth) if pattern.nth else day,
        dtstart=datetime.combine(pattern.starts_on, time.min),
        until=datetime.combine(last, time.min),
    )
    holidays = bank_holidays() if pattern.skip_bank_holidays is not False else frozenset()
    return [d.date() for d in rule if d.date() not in holidays]


def expand(pattern: ShiftPattern, horizon: date) -> int:
    """Make the pattern's shifts up to ``horizon`` that do not exist yet; returns how many.
    A day whose start time does not exist in UK time (the clocks going forward) is skipped."""
    lock(pattern)  # two expansions at once make each shift once
    existing = set(
        db.session.scalars(select(Shift.starts_at).where(Shift.pattern_id == pattern.id))
    )
    made = 0
    for day in occurrences(pattern, horizon):
        try:
            starts_at, ends_at = span(day, pattern.start_time, pattern.end_time)
        except DomainError:
            continue
        if starts_at in existing or ends_at - starts_at > MAX_SHIFT:
            continue
        db.session.add(
            Shift(
                role_id=pattern.role_id,
                pattern_id=pattern.id,
                starts_at=starts_at,
                ends_at=ends_at,
                location=pattern.location,
                capacity=pattern.capacity,
                minimum=pattern.minimum,
                who=pattern.who,
            )
        )
        made += 1
    db.session.flush()
    return made
