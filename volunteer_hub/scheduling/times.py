"""Europe/London wall-clock times ↔ the UTC instants shifts are stored in."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from volunteer_hub.core.errors import DomainError

LONDON = ZoneInfo("Europe/London")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def to_utc(wall: datetime) -> datetime:
    """A naive Europe/London wall-clock time as a UTC instant. A time that does not exist (the
    hour skipped when the clocks go forward) is refused; one that happens twice (the hour repeated
    when they go back) is the first of the two."""
    aware = wall.replace(tzinfo=LONDON, fold=0)
    instant = aware.astimezone(UTC)
    if instant.astimezone(LONDON).replace(tzinfo=None) != wall:
        raise DomainError(f"{wall:%H:%M} on {wall:%Y-%m-%d} does not exist in UK time")
    return instant


def local(instant: datetime) -> datetime:
    return instant.astimezone(LONDON)


def local_text(instant: datetime) -> str:
    """``YYYY-MM-DDTHH:MM`` in UK time: the CLI's format in and out."""
    return local(instant).strftime(LOCAL_FORMAT)


def parse_local(text: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), LOCAL_FORMAT)
    except ValueError:
        raise DomainError(f"{text!r} is not a time like 2027-02-05T09:30") from None


def span(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """UTC start and end of a shift on ``day`` from wall-clock times; an end at or before the
    start is the next day."""
    end_day = day if end > start else day + timedelta(days=1)
    return to_utc(datetime.combine(day, start)), to_utc(datetime.combine(end_day, end))


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC instants from the start of ``first`` to the end of ``last``, in UK days."""
    start = datetime.combine(first, time.min, tzinfo=LONDON).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=LONDON).astimezone(UTC)
    return start, end
