"""How people read dates, times, durations, distances, money and counts.

One set of pure functions, registered as Jinja filters in :mod:`volunteer_hub.core.templating`
and used by every page, PDF and email (and by any Python that builds a sentence for a person:
flash messages, email bodies). Machine outputs (CSV, XLSX, JSON, the API, ``<input>`` values and
``datetime=`` attributes) keep ISO dates and plain numbers and never come through here.

The style is GOV.UK's: "5 February 2027", "Friday 5 February 2027", "April 2025",
"1 April 2025 to 31 March 2026", "2025 to 2026", "2:30pm", "midday", "2 hours 30 minutes",
"2.5 hours", "£1,234.50", "1,234", "1 volunteer", "3 volunteers".

Every function accepts None (or an empty string) and gives an empty string, so a template can
format an optional value without a test first.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

#: Dates and times are shown as people in the borough read a clock.
LONDON = ZoneInfo("Europe/London")

#: GOV.UK's shortened months, for when space is tight.
_SHORT_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "June"]
_SHORT_MONTHS += ["July", "Aug", "Sept", "Oct", "Nov", "Dec"]
_UNITS = {"seconds": Decimal(60), "minutes": Decimal(1), "hours": Decimal(1) / 60}


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _number(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def as_date(value: Any) -> date | None:
    """A date from a date, a datetime (its day in London) or an ISO text ('2027-02-05')."""
    if isinstance(value, datetime):
        return local(value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def local(value: datetime) -> datetime:
    """A datetime in London time. The database stores UTC; a naive one (SQLite) is UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LONDON)


def long_date(value: Any, weekday: bool = False) -> str:
    """A day as people write it.

    >>> long_date(date(2027, 2, 5))
    '5 February 2027'
    >>> long_date(date(2027, 2, 5), weekday=True)
    'Friday 5 February 2027'
    >>> long_date('2025-04-01')
    '1 April 2025'
    >>> long_date(None)
    ''
    """
    if _empty(value):
        return ""
    day = as_date(value)
    if day is None:
        return str(value)
    text = f"{day.day} {day:%B %Y}"
    return f"{day:%A} {text}" if weekday else text


def short_date(value: Any) -> str:
    """A day with the month shortened, for narrow table columns ('5 Feb 2027').

    >>> short_date(date(2027, 2, 5))
    '5 Feb 2027'
    >>> short_date(date(2026, 9, 1))
    '1 Sept 2026'
    >>> short_date(date(2026, 6, 30))
    '30 June 2026'
    """
    if _empty(value):
        return ""
    day = as_date(value)
    if day is None:
        return str(value)
    return f"{day.day} {_SHORT_MONTHS[day.month - 1]} {day.year}"


def day_month(value: Any, weekday: bool = False) -> str:
    """A day in the current year's context, without the year ('Monday 7 December').

    >>> day_month(date(2026, 12, 7), weekday=True)
    'Monday 7 December'
    """
    if _empty(value):
        return ""
    day = as_date(value)
    if day is None:
        return str(value)
    text = f"{day.day} {day:%B}"
    return f"{day:%A} {text}" if weekday else text


def month(value: Any) -> str:
    """A calendar month: a date, or a report's '2025-04'.

    >>> month('2025-04')
    'April 2025'
    >>> month(date(2025, 4, 17))
    'April 2025'
    >>> month('[c]')
    '[c]'
    """
    if _empty(value):
        return ""
    if isinstance(value, date):
        return f"{value:%B %Y}"
    text = str(value).strip()
    try:
        year, number = text[:7].split("-")
        return f"{date(int(year), int(number), 1):%B %Y}"
    except ValueError:
        return text


def date_range(start: Any, end: Any) -> str:
    """Two days, first to last (both included); one day when they are the same.

    >>> date_range(date(2025, 4, 1), date(2026, 3, 31))
    '1 April 2025 to 31 March 2026'
    >>> date_range('2025-04-01', '2025-04-01')
    '1 April 2025'
    >>> date_range(date(2025, 4, 1), None)
    'from 1 April 2025'
    """
    first, last = as_date(start), as_date(end)
    if first is None and last is None:
        return ""
    if last is None:
        return f"from {long_date(first)}"
    if first is None:
        return f"until {long_date(last)}"
    if first == last:
        return long_date(first)
    return f"{long_date(first)} to {long_date(last)}"


def month_range(start: Any, end: Any) -> str:
    """A period of whole months ('April 2025 to March 2026'); other periods as days.

    >>> month_range(date(2025, 4, 1), date(2026, 3, 31))
    'April 2025 to March 2026'
    >>> month_range(date(2025, 5, 1), date(2025, 5, 31))
    'May 2025'
    >>> month_range(date(2025, 4, 3), date(2025, 5, 17))
    '3 April 2025 to 17 May 2025'
    """
    first, last = as_date(start), as_date(end)
    if first is None or last is None:
        return date_range(start, end)
    if first.day == 1 and (last + timedelta(days=1)).day == 1:
        if (first.year, first.month) == (last.year, last.month):
            return month(first)
        return f"{month(first)} to {month(last)}"
    return date_range(first, last)


def financial_year(value: Any) -> str:
    """The financial year (April to March) holding a date, or starting in a given year.

    >>> financial_year(date(2026, 3, 31))
    '2025 to 2026'
    >>> financial_year(date(2026, 4, 1))
    '2026 to 2027'
    >>> financial_year(2025)
    '2025 to 2026'
    """
    if _empty(value):
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        start = value
    else:
        day = as_date(value)
        if day is None:
            return str(value)
        start = day.year if day.month >= 4 else day.year - 1
    return f"{start} to {start + 1}"


def clock(value: Any) -> str:
    """A time of day, GOV.UK style: '9am', '2:30pm', 'midday', 'midnight'.

    >>> from datetime import time
    >>> [clock(time(9)), clock(time(14, 30)), clock(time(12)), clock(time(0)), clock(time(12, 5))]
    ['9am', '2:30pm', 'midday', 'midnight', '12:05pm']
    """
    if _empty(value):
        return ""
    if isinstance(value, datetime):
        value = local(value)
    hour, minute = value.hour, value.minute
    if minute == 0 and hour == 12:
        return "midday"
    if minute == 0 and hour == 0:
        return "midnight"
    suffix = "am" if hour < 12 else "pm"
    twelve = hour % 12 or 12
    return f"{twelve}{suffix}" if minute == 0 else f"{twelve}:{minute:02d}{suffix}"


def date_time(value: Any, weekday: bool = False) -> str:
    """A moment in London time: '5 February 2027 at 2:30pm' (UTC in, British time out).

    >>> date_time(datetime(2027, 2, 5, 14, 30, tzinfo=UTC))
    '5 February 2027 at 2:30pm'
    >>> date_time(datetime(2026, 7, 1, 8, 0))  # naive means UTC; July is British Summer Time
    '1 July 2026 at 9am'
    """
    if _empty(value):
        return ""
    if not isinstance(value, datetime):
        return long_date(value, weekday=weekday)
    moment = local(value)
    return f"{long_date(moment.date(), weekday=weekday)} at {clock(moment)}"


def _plain(number: Decimal, places: int) -> str:
    """A number with thousands separators and at most ``places`` decimals, no trailing zeros."""
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def count(value: Any) -> str:
    """A whole count or a figure with thousands separators; decimals kept as given.

    >>> count(1234567)
    '1,234,567'
    >>> count('107760.00')
    '107,760.00'
    >>> count(None)
    ''
    """
    if _empty(value):
        return ""
    number = _number(value)
    if number is None:
        return str(value)
    exponent = number.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return f"{number:,.{places}f}"


def plural(value: Any, singular: str, plural_form: str | None = None) -> str:
    """A count and its noun, never '(s)': '1 volunteer', '3 volunteers', '1,200 people'.

    >>> plural(1, 'volunteer')
    '1 volunteer'
    >>> plural(3, 'volunteer')
    '3 volunteers'
    >>> plural(0, 'person', 'people')
    '0 people'
    >>> plural(1234, 'claim')
    '1,234 claims'
    """
    number = _number(value)
    many = plural_form if plural_form is not None else f"{singular}s"
    if number is None:
        return f"{value} {many}"
    return f"{count(number)} {singular if number == 1 else many}"


def _minutes(value: Any, unit: str) -> Decimal | None:
    number = _number(value)
    if number is None or unit not in _UNITS:
        return None
    return number / _UNITS[unit]


def duration(value: Any, unit: str = "minutes") -> str:
    """A length of time in hours and minutes, to the nearest minute.

    ``unit`` says what ``value`` counts: "minutes" (the default), "seconds" or "hours".

    >>> duration(150)
    '2 hours 30 minutes'
    >>> duration(60)
    '1 hour'
    >>> duration(1)
    '1 minute'
    >>> duration(5400, 'seconds')
    '1 hour 30 minutes'
    >>> duration(0)
    '0 minutes'
    >>> duration(-90)
    'minus 1 hour 30 minutes'
    """
    if _empty(value):
        return ""
    minutes = _minutes(value, unit)
    if minutes is None:
        return str(value)
    total = int(minutes.to_integral_value(rounding=ROUND_HALF_UP))
    sign = "minus " if total < 0 else ""
    hours_part, minutes_part = divmod(abs(total), 60)
    parts = []
    if hours_part:
        parts.append(plural(hours_part, "hour"))
    if minutes_part or not hours_part:
        parts.append(plural(minutes_part, "minute"))
    return sign + " ".join(parts)


def hours(value: Any, unit: str = "minutes", places: int = 2) -> str:
    """A number of hours as a decimal, for totals: '2.5 hours', '1 hour', '1,975.5 hours'.

    ``unit`` says what ``value`` counts: "minutes" (the default), "seconds" or "hours".

    >>> hours(150)
    '2.5 hours'
    >>> hours(60)
    '1 hour'
    >>> hours(7110000, 'seconds')
    '1,975 hours'
    >>> hours(Decimal('1975.50'), 'hours')
    '1,975.5 hours'
    >>> hours(20)
    '0.33 hours'
    >>> hours(-600)
    '-10 hours'
    """
    if _empty(value):
        return ""
    minutes = _minutes(value, unit)
    if minutes is None:
        return str(value)
    amount = _plain(minutes / 60, places)
    return f"{amount} {'hour' if amount in ('1', '-1') else 'hours'}"


def number(value: Any, places: int = 2) -> str:
    """A figure with thousands separators and no trailing zeros: '2.5', '1,975.5', '12'.

    >>> number(Decimal('12.50'))
    '12.5'
    >>> number(1975.5)
    '1,975.5'
    """
    if _empty(value):
        return ""
    amount = _number(value)
    return str(value) if amount is None else _plain(amount, places)


def miles(value: Any, about: bool = True) -> str:
    """A distance. Search distances are approximate ('less than a mile', 'about 3.2 miles');
    with ``about=False`` a distance travelled ('12.5 miles', '1 mile').

    >>> miles(0.04)
    'less than a mile'
    >>> miles(3.24)
    'about 3.2 miles'
    >>> miles(0.96), miles(1.02)
    ('about 1 mile', 'about 1 mile')
    >>> miles(Decimal('12.50'), about=False)
    '12.5 miles'
    """
    if _empty(value):
        return ""
    distance = _number(value)
    if distance is None:
        return str(value)
    amount = _plain(distance, 1)
    if about and Decimal(amount.replace(",", "")) < 1:  # 0.96 is "about 1 mile", 0.94 is not
        return "less than a mile"
    text = f"{amount} {'mile' if amount == '1' else 'miles'}"
    return f"about {text}" if about else text


def money(value: Any) -> str:
    """An amount in pounds (a Decimal, never a float in the service): '£1,234.50'.

    >>> money(Decimal('1234.5'))
    '£1,234.50'
    >>> money('-12.3')
    '-£12.30'
    """
    if _empty(value):
        return ""
    amount = _number(value)
    if amount is None:
        return str(value)
    rounded = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    return f"{sign}£{abs(rounded):,.2f}"


def pounds(pence: Any) -> str:
    """An amount held in pence, in pounds: 123450 → '£1,234.50'.

    >>> pounds(123450)
    '£1,234.50'
    >>> pounds(0)
    '£0.00'
    """
    if _empty(pence):
        return ""
    amount = _number(pence)
    return str(pence) if amount is None else money(amount / 100)


def label(value: Any, labels: dict[str, str] | None = None) -> str:
    """An internal code as words: from ``labels`` when it has the code, else the code's own
    ``label`` (the domain enums carry one), else the code with underscores as spaces and a
    capital first letter, so no ``snake_case`` ever reaches a page.

    >>> label('enhanced_barred', {'enhanced_barred': 'Enhanced with barred list check'})
    'Enhanced with barred list check'
    >>> label('part_approved')
    'Part approved'
    >>> label(None)
    ''
    """
    if _empty(value):
        return ""
    key = getattr(value, "value", value)
    if labels and key in labels:
        return labels[key]
    own = getattr(value, "label", None)
    if isinstance(own, str):
        return own
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


_MONTHS = {
    name.lower(): n
    for n in range(1, 13)
    for name in (calendar.month_name[n], calendar.month_abbr[n], _SHORT_MONTHS[n - 1])
}
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[\s/.-]+([a-z]+|\d{1,2})[\s/.-]+(\d{4})")


def parse_date(text: str) -> date | None:
    """A day typed as people write it, or as a machine does: '1 April 2025', '1 Apr 2025',
    '1/4/2025', '1 4 2025' or '2025-04-01'. None for anything else (or an impossible day).

    >>> {parse_date(t) for t in ('1 April 2025', '1/4/2025', '2025-04-01', ' 01 apr 2025 ')}
    {datetime.date(2025, 4, 1)}
    >>> [parse_date(t) for t in ('31 February 2025', 'soon', '')]
    [None, None, None]
    """
    cleaned = " ".join(str(text or "").lower().replace(",", " ").split())
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
        try:
            return date.fromisoformat(cleaned)
        except ValueError:
            return None
    found = _DAY_MONTH_YEAR.fullmatch(cleaned)
    if found is None:
        return None
    day, month_text, year = found.groups()
    number = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text)
    if number is None:
        return None
    try:
        return date(int(year), number, int(day))
    except ValueError:
        return None


_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MONTH = re.compile(r"\d{4}-\d{2}")
_CODE = re.compile(r"[a-z]+(_[a-z]+)+")


def readable(value: Any, key: str = "") -> str:
    """Any stored value (a data export's, an audit event's details) as people read it: ISO
    moments, days and months in words, true/false as Yes/No, codes as words; with the field's
    ``key``, amounts in pence as pounds, seconds as a duration, sizes in bytes and other counts
    with thousands separators (ids and codes stay as they are: they are references).

    >>> readable(2400, 'claimed_pence'), readable(10800, 'seconds'), readable(4307, 'size_bytes')
    ('£24.00', '3 hours', '4,307 bytes')
    >>> readable(59867858, 'totp_last_step'), readable(4566, 'id'), readable(5113, 'soc_code')
    ('59,867,858', '4566', '5113')

    >>> readable('2026-11-30T09:31:55.221770+00:00')
    '30 November 2026 at 9:31am'
    >>> [readable('2025-04-01'), readable('2026-11'), readable(True), readable('part_approved')]
    ['1 April 2025', 'November 2026', 'Yes', 'Part approved']
    >>> readable(None), readable(['a_b', 3])
    ('–', 'A b, 3')
    """
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return date_time(value)
    if isinstance(value, date):
        return long_date(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(readable(item) for item in value)
    if isinstance(value, (int, float, Decimal)):
        return _readable_number(value, key)
    if not isinstance(value, str):
        return str(value)
    text = value.strip()
    if _ISO_MOMENT.fullmatch(text):
        try:
            return date_time(datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            return value
    if _ISO_DAY.fullmatch(text):
        return long_date(text) if as_date(text) else value
    if _ISO_MONTH.fullmatch(text):
        return month(text)
    if _CODE.fullmatch(text):
        return label(text)
    return value


def _readable_number(value: int | float | Decimal, key: str) -> str:
    """A number from a stored record, by what its field holds."""
    if key == "id" or key.endswith(("_id", "_code", "_ref")) or key in ("ref", "reference"):
        return str(value)
    if key.endswith("_pence"):
        return pounds(value)
    if key == "seconds" or key.endswith("_seconds"):
        return duration(value, "seconds")
    if key.endswith("_bytes"):
        return plural(value, "byte")
    return count(value)


def today() -> date:
    """Today in London."""
    return datetime.now(LONDON).date()


def is_future(value: Any) -> bool:
    """Whether a day (or moment) is after today in London: 'Starts' rather than 'Started'."""
    if isinstance(value, datetime):
        return local(value) > datetime.now(LONDON)
    day = as_date(value)
    return day is not None and day > today()


#: The Jinja filters, by name (registered by :func:`volunteer_hub.core.templating.init_app`).
FILTERS = {
    "date": long_date,
    "short_date": short_date,
    "day_month": day_month,
    "month": month,
    "date_range": date_range,
    "month_range": month_range,
    "financial_year": financial_year,
    "time": clock,
    "datetime": date_time,
    "count": count,
    "thousands": count,
    "plural": plural,
    "duration": duration,
    "hours": hours,
    "number": number,
    "miles": miles,
    "money": money,
    "pounds": pounds,
    "label": label,
    "readable": readable,
}

#: Jinja tests: ``{% if placement.start_date is future %}Starts{% else %}Started{% endif %}``.
TESTS = {"future": is_future}
