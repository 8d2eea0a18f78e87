"""What people read: dates, durations, distances, money, counts and codes, written by hand."""

from __future__ import annotations

import doctest
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from volunteer_hub.core import formatting as f


def test_doctests_hold() -> None:
    result = doctest.testmod(f)
    assert result.attempted > 40
    assert result.failed == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2027, 2, 5), "5 February 2027"),
        (date(2026, 12, 7), "7 December 2026"),
        ("2025-04-01", "1 April 2025"),
        # Late evening in summer is the next day in London: 23:30 UTC on 30 June is 1 July.
        (datetime(2026, 6, 30, 23, 30, tzinfo=UTC), "1 July 2026"),
        (None, ""),
        ("", ""),
    ],
)
def test_a_day_reads_as_people_write_it(value: object, expected: str) -> None:
    assert f.long_date(value) == expected


def test_weekday_and_short_forms() -> None:
    assert f.long_date(date(2027, 2, 5), weekday=True) == "Friday 5 February 2027"
    assert f.short_date(date(2027, 2, 5)) == "5 Feb 2027"
    assert f.short_date(date(2026, 9, 14)) == "14 Sept 2026"
    assert f.day_month(date(2026, 12, 7), weekday=True) == "Monday 7 December"


def test_months_ranges_and_financial_years() -> None:
    assert f.month("2026-11") == "November 2026"
    assert f.month(date(2025, 4, 30)) == "April 2025"
    assert f.date_range(date(2025, 4, 1), date(2026, 3, 31)) == "1 April 2025 to 31 March 2026"
    assert f.month_range(date(2025, 4, 1), date(2026, 3, 31)) == "April 2025 to March 2026"
    assert f.financial_year(date(2025, 4, 1)) == "2025 to 2026"
    assert f.financial_year(date(2026, 3, 31)) == "2025 to 2026"
    assert f.financial_year(2024) == "2024 to 2025"


def test_times_are_in_london_and_twelve_hour() -> None:
    assert f.clock(time(14, 30)) == "2:30pm"
    assert f.clock(time(9, 5)) == "9:05am"
    assert f.clock(time(12, 0)) == "midday"
    assert f.clock(time(0, 0)) == "midnight"
    winter = datetime(2027, 2, 5, 14, 30, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 13, 15, tzinfo=UTC)
    assert f.date_time(winter) == "5 February 2027 at 2:30pm"
    assert f.date_time(summer) == "1 July 2026 at 2:15pm"
    assert f.date_time(datetime(2026, 7, 1, 13, 15)) == "1 July 2026 at 2:15pm"  # naive is UTC


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (150, "2 hours 30 minutes"),
        (60, "1 hour"),
        (61, "1 hour 1 minute"),
        (45, "45 minutes"),
        (1, "1 minute"),
        (0, "0 minutes"),
        (-90, "minus 1 hour 30 minutes"),
    ],
)
def test_durations_never_say_1_hours(minutes: int, expected: str) -> None:
    assert f.duration(minutes) == expected


def test_durations_from_seconds_round_to_the_minute() -> None:
    assert f.duration(9000, "seconds") == "2 hours 30 minutes"
    assert f.duration(3629, "seconds") == "1 hour"
    assert f.duration(3631, "seconds") == "1 hour 1 minute"


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (150, "minutes", "2.5 hours"),
        (60, "minutes", "1 hour"),
        (15, "minutes", "0.25 hours"),
        (7_111_800, "seconds", "1,975.5 hours"),
        (Decimal("1975.50"), "hours", "1,975.5 hours"),
        (100, "hours", "100 hours"),
        (-600, "minutes", "-10 hours"),
    ],
)
def test_hours_as_a_decimal(value: object, unit: str, expected: str) -> None:
    assert f.hours(value, unit) == expected


def test_distances() -> None:
    assert f.miles(0) == "less than a mile"
    assert f.miles(0.94) == "less than a mile"
    assert f.miles(0.96) == "about 1 mile"
    assert f.miles(1) == "about 1 mile"
    assert f.miles(3.24) == "about 3.2 miles"
    assert f.miles(12.25) == "about 12.3 miles"
    assert f.miles(Decimal("1.0"), about=False) == "1 mile"
    assert f.miles("1,234.5", about=False) == "1,234.5 miles"


def test_money_and_counts() -> None:
    assert f.pounds(123450) == "£1,234.50"
    assert f.pounds(5) == "£0.05"
    assert f.money(Decimal("2176")) == "£2,176.00"
    assert f.money("0.005") == "£0.01"  # half up, as the service rounds money
    assert f.count(2176) == "2,176"
    assert f.count("107760.00") == "107,760.00"
    assert f.count("[c]") == "[c]"  # a suppressed report cell stays as it is
    assert f.number(Decimal("12.50")) == "12.5"


def test_plurals() -> None:
    assert f.plural(1, "volunteer") == "1 volunteer"
    assert f.plural(0, "volunteer") == "0 volunteers"
    assert f.plural(2, "person", "people") == "2 people"
    assert f.plural(1500, "claim") == "1,500 claims"


def test_codes_become_words() -> None:
    assert f.label("enhanced_barred", {"enhanced_barred": "Enhanced with barred list check"}) == (
        "Enhanced with barred list check"
    )
    assert f.label("adult_and_child") == "Adult and child"
    assert f.label("approved") == "Approved"


def test_future_days() -> None:
    assert f.is_future(date(2999, 1, 1))
    assert not f.is_future(date(2000, 1, 1))
    assert not f.is_future(f.today())


def test_filters_are_registered(app) -> None:  # type: ignore[no-untyped-def]
    env = app.jinja_env
    render = env.from_string(
        "{{ d | date }}|{{ m | duration }}|{{ p | pounds }}|{{ n | plural('volunteer') }}|"
        "{{ '2026-11' | month }}|{{ 'Starts' if d is future else 'Started' }}"
    ).render
    assert render(d=date(2999, 2, 5), m=90, p=100, n=1) == (
        "5 February 2999|1 hour 30 minutes|£1.00|1 volunteer|November 2026|Starts"
    )
