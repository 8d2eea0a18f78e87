"""Recurring shifts: weekly, fortnightly, nth weekday of the month, bank holidays left out."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import func, select

from volunteer_hub.core.errors import DomainError
from volunteer_hub.extensions import db
from volunteer_hub.scheduling.models import Shift, ShiftPattern
from volunteer_hub.scheduling.shifts import add_pattern, expand, occurrences

TODAY = date(2027, 4, 1)


def _values(**fields):
    return {
        "frequency": "weekly",
        "starts_on": date(2027, 4, 5),  # a Monday
        "start": time(9, 30),
        "end": time(12),
        "capacity": 4,
        "minimum": 2,
        "who": "anyone",
        "location": "Depot",
        "nth": None,
        "until": date(2027, 6, 1),
        **fields,
    }


def _pattern(role, **fields) -> ShiftPattern:
    values = _values(**fields)
    values.pop("start"), values.pop("end")
    return ShiftPattern(
        role_id=role.id,
        weekday=values["starts_on"].weekday(),
        start_time=time(9, 30),
        end_time=time(12),
        **values,
    )


def test_weekly_leaves_out_bank_holidays(role) -> None:
    days = occurrences(_pattern(role), date(2027, 6, 1))
    assert date(2027, 5, 3) not in days  # Early May bank holiday
    assert date(2027, 5, 31) not in days  # Spring bank holiday
    assert days[:2] == [date(2027, 4, 5), date(2027, 4, 12)]


def test_fortnightly_and_last_weekday_of_the_month(role) -> None:
    fortnightly = occurrences(_pattern(role, frequency="fortnightly"), date(2027, 5, 1))
    assert fortnightly == [date(2027, 4, 5), date(2027, 4, 19)]
    last_friday = _pattern(
        role, frequency="monthly", nth=-1, starts_on=date(2027, 4, 2), until=None
    )
    assert occurrences(last_friday, date(2027, 6, 30)) == [
        date(2027, 4, 30),
        date(2027, 5, 28),
        date(2027, 6, 25),
    ]


def test_a_pattern_makes_each_shift_once(role, personas) -> None:
    pattern, made = add_pattern(
        actor=personas.coordinator_a, role=role, values=_values(), today=TODAY
    )
    db.session.commit()
    assert made == 7  # 9 Mondays from 5 April to 31 May, less two bank holidays
    assert expand(pattern, date(2027, 6, 1)) == 0
    db.session.commit()
    assert db.session.scalar(select(func.count(Shift.id))) == 7
    first = db.session.scalars(select(Shift).order_by(Shift.starts_at)).first()
    assert first.starts_at.hour == 8  # 09:30 British Summer Time is 08:30 UTC
    assert (first.capacity, first.minimum, first.location) == (4, 2, "Depot")


def test_only_the_organisations_coordinators_add_shifts(role, personas) -> None:
    with pytest.raises(DomainError, match="coordinators"):
        add_pattern(actor=personas.coordinator_b, role=role, values=_values(), today=TODAY)
