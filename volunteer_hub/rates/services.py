"""Rate services: defaults, import, lookup. They flush, never commit."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import ColumnElement, or_, select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import parse_date
from volunteer_hub.core.imports import Field, read_columns, refusal
from volunteer_hub.core.transitions import compare_and_set_where
from volunteer_hub.extensions import db
from volunteer_hub.rates.models import Rate

RATE_HEADER = (
    "key",
    "amount",
    "currency",
    "basis",
    "geography",
    "reference_date",
    "source",
    "effective_from",
    "effective_to",
    "soc_code",
)

#: The defaults shipped with the product (also inserted by the first rates migration).
DEFAULT_RATES: list[dict[str, object]] = [
    {
        "key": "uk_median_hourly_2025",
        "amount": Decimal("17.96"),
        "basis": "ASHE median gross hourly pay excluding overtime, all employee jobs, UK",
        "geography": "UK",
        "reference_date": "April 2025",
        "source": "ONS Annual Survey of Hours and Earnings 2025",
        "effective_from": date(2025, 4, 1),
        "effective_to": None,
    },
    {
        "key": "uk_national_living_wage_2025",
        "amount": Decimal("12.21"),
        "basis": "National Living Wage, 21 and over",
        "geography": "UK",
        "reference_date": "from 1 April 2025",
        "source": "GOV.UK National Minimum Wage rates",
        "effective_from": date(2025, 4, 1),
        "effective_to": date(2026, 3, 31),
    },
    {
        "key": "uk_national_living_wage_2026",
        "amount": Decimal("12.71"),
        "basis": "National Living Wage, 21 and over",
        "geography": "UK",
        "reference_date": "from 1 April 2026",
        "source": "GOV.UK National Minimum Wage rates",
        "effective_from": date(2026, 4, 1),
        "effective_to": None,
    },
    {
        "key": "london_living_wage_2025",
        "amount": Decimal("14.80"),
        "basis": "London Living Wage (voluntary)",
        "geography": "London",
        "reference_date": "2025/26",
        "source": "Living Wage Foundation",
        "effective_from": date(2025, 4, 1),
        "effective_to": None,
    },
    {
        "key": "uk_real_living_wage_2025",
        "amount": Decimal("13.45"),
        "basis": "Real Living Wage outside London (voluntary)",
        "geography": "UK outside London",
        "reference_date": "2025/26",
        "source": "Living Wage Foundation",
        "effective_from": date(2025, 4, 1),
        "effective_to": None,
    },
]

SOC_RE = re.compile(r"^\d{1,4}$")
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_]{0,99}$")


def family_of(key: str) -> str:
    return re.sub(r"_\d{4}$", "", key)


def ensure_default_rates() -> int:
    """Insert any shipped default that is missing (by key and start date); return how many."""
    added = 0
    for values in DEFAULT_RATES:
        exists = db.session.scalar(
            select(Rate.id).where(
                Rate.key == values["key"], Rate.effective_from == values["effective_from"]
            )
        )
        if not exists:
            db.session.add(Rate(currency="GBP", unit="hour", soc_code=None, **values))
            added += 1
    db.session.flush()
    return added


def _family_condition(family: str) -> ColumnElement[bool]:
    escaped = family.replace("_", r"\_")
    return or_(Rate.key == family, Rate.key.like(escaped + r"\_%", escape="\\"))


def _in_family(family: str, rates: Iterable[Rate]) -> Rate | None:
    """The first rate whose key is exactly ``family`` or ``family_YYYY``: the SQL LIKE also
    matches e.g. ``uk_national_living_wage_18_20_2025``, which is another family."""
    pattern = re.compile(rf"^{re.escape(family)}(_\d{{4}})?$")
    return next((rate for rate in rates if pattern.match(rate.key)), None)


def rate_in_force(family: str, on: date) -> Rate | None:
    """The general (non-occupation) rate of ``family`` in force on ``on``."""
    return _in_family(
        family,
        db.session.scalars(
            select(Rate)
            .where(
                _family_condition(family),
                Rate.soc_code.is_(None),
                Rate.effective_from <= on,
                or_(Rate.effective_to.is_(None), Rate.effective_to >= on),
            )
            .order_by(Rate.effective_from.desc(), Rate.id.desc())
        ),
    )


def rate_for_period_end(family: str, on: date) -> tuple[Rate | None, bool]:
    """The rate in force on ``on``; when none was yet in force (a period before the earliest
    rate held), the earliest rate of the family instead. Returns (rate, was_in_force)."""
    rate = rate_in_force(family, on)
    if rate is not None:
        return rate, True
    earliest = _in_family(
        family,
        db.session.scalars(
            select(Rate)
            .where(_family_condition(family), Rate.soc_code.is_(None), Rate.effective_from > on)
            .order_by(Rate.effective_from, Rate.id)
        ),
    )
    return earliest, False


def occupation_rates_in_force(on: date) -> dict[str, Rate]:
    """SOC code → the occupation rate in force on ``on`` (latest start wins)."""
    rates = db.session.scalars(
        select(Rate)
        .where(
            Rate.soc_code.is_not(None),
            Rate.effective_from <= on,
            or_(Rate.effective_to.is_(None), Rate.effective_to >= on),
        )
        .order_by(Rate.effective_from, Rate.id)
    ).all()
    return {rate.soc_code: rate for rate in rates if rate.soc_code}


def occupation_rate_for(soc_code: str | None, rates: dict[str, Rate]) -> Rate | None:
    """The rate for a SOC code, falling back to coarser codes (6145 → 614 → 61 → 6)."""
    if not soc_code:
        return None
    for length in range(len(soc_code), 0, -1):
        rate = rates.get(soc_code[:length])
        if rate is not None:
            return rate
    return None


@dataclass
class RateImportResult:
    added: int = 0
    skipped: int = 0


def _parse_date(text: str, column: str) -> date:
    day = parse_date(text)
    if day is None:
        raise ValueError(f"{column} {text!r} is not a date like 1 April 2025")
    return day


def _parse_rate_row(row: dict[str, str]) -> dict[str, object]:
    key = row["key"].strip()
    if not KEY_RE.match(key):
        raise ValueError(f"key {key!r} must be lower-case letters, digits and underscores")
    try:
        amount = Decimal(row["amount"].replace("£", "").strip())
    except InvalidOperation:
        raise ValueError(f"amount {row['amount']!r} is not a number") from None
    if not amount.is_finite() or amount < 0 or amount >= 100000:
        raise ValueError(f"amount {row['amount']!r} must be between 0 and 99999.9999")
    if amount != amount.quantize(Decimal("0.0001")):
        raise ValueError(f"amount {row['amount']!r} has more than four decimal places")
    currency = (row["currency"] or "GBP").strip().upper()
    if not re.match(r"^[A-Z]{3}$", currency):
        raise ValueError(f"currency {row['currency']!r} must be a 3-letter code like GBP")
    for column in ("basis", "geography", "reference_date", "source"):
        if not row[column]:
            raise ValueError(f"{column} is empty")
    effective_from = _parse_date(row["effective_from"], "effective_from")
    effective_to = _parse_date(row["effective_to"], "effective_to") if row["effective_to"] else None
    if effective_to is not None and effective_to < effective_from:
        raise ValueError("effective_to is before effective_from")
    soc_code = row["soc_code"].strip() or None
    if soc_code is not None and not SOC_RE.match(soc_code):
        raise ValueError(f"soc_code {soc_code!r} must be 1 to 4 digits (UK SOC 2020)")
    return {
        "key": key,
        "amount": amount,
        "currency": currency,
        "unit": "hour",
        "basis": row["basis"][:500],
        "geography": row["geography"][:100],
        "reference_date": row["reference_date"][:50],
        "source": row["source"][:500],
        "effective_from": effective_from,
        "effective_to": effective_to,
        "soc_code": soc_code,
    }


def _rate_cells(*cells: str) -> dict[str, object] | None:
    """A whole row (the columns of :data:`RATE_HEADER`), parsed; its first problem appended."""
    problems = cells[-1]
    assert isinstance(problems, list)
    try:
        return _parse_rate_row(dict(zip(RATE_HEADER, cells[:-1], strict=True)))
    except ValueError as error:
        problems.append(str(error))
        return None


def import_rates(path: Path) -> RateImportResult:
    """All or nothing: any bad row raises DomainError listing every bad row."""
    table = read_columns(path, RATE_HEADER)
    parsed = table.parse((Field(RATE_HEADER, _rate_cells, "rate"),))
    heading = "Nothing was imported. Fix these rows:"
    problems: list[str] = []
    seen: set[tuple[object, object]] = set()
    for row, values in enumerate(parsed.values["rate"].tolist()):
        if row in parsed.problems:
            problems.append(f"line {table.lines[row]}: {parsed.problems[row][0]}")
            continue
        identity = (values["key"], values["effective_from"])
        if identity in seen:
            problems.append(
                f"line {table.lines[row]}: {values['key']} from {values['effective_from']} "
                "appears twice"
            )
        seen.add(identity)
    if problems:
        raise refusal(problems, heading, listed=len(problems))
    result = RateImportResult()
    for values in parsed.values["rate"].tolist():
        existing = db.session.scalar(
            select(Rate).where(
                Rate.key == values["key"], Rate.effective_from == values["effective_from"]
            )
        )
        if existing is None:
            db.session.add(Rate(**values))
            result.added += 1
        elif all(getattr(existing, k) == v for k, v in values.items()):
            result.skipped += 1
        else:
            problems.append(
                f"{values['key']} from {values['effective_from']} is already held with other "
                "values; rates are never edited: add a new one with a later effective_from"
            )
    if problems:
        raise refusal(problems, heading, listed=len(problems))
    db.session.flush()
    return result


def supersede_rate(*, old: Rate, new_values: dict[str, object]) -> Rate:
    """Add a rate that replaces ``old`` from its start date, closing ``old`` the day before."""
    start = new_values["effective_from"]
    assert isinstance(start, date)
    if start <= old.effective_from:
        raise DomainError(
            "The new rate must start after the one it replaces", field="effective_from"
        )
    # Closed once: two replacements of the same rate at the same moment cannot both apply.
    compare_and_set_where(
        old,
        Rate.effective_to.is_(None),
        values={"effective_to": start - timedelta(days=1)},
        message=f"{old.key} has just been replaced by another rate; choose a rate still open.",
    )
    new = Rate(**new_values)
    db.session.add(new)
    db.session.flush()
    return new


#: Form fields (as in the CSV) → the message's field name.
_FIELD_OF = {
    "key": "key",
    "amount": "amount",
    "currency": "key",
    "basis": "basis",
    "geography": "geography",
    "reference_date": "reference_date",
    "source": "source",
    "effective_from": "effective_from",
    "effective_to": "effective_to",
    "soc_code": "soc_code",
}


def add_rate(raw: dict[str, str], *, supersedes: Rate | None = None) -> Rate:
    """One rate from a form (the CSV's columns as text), checked like an imported row; with
    ``supersedes``, the old rate is closed the day before the new one starts."""
    try:
        values = _parse_rate_row(raw)
    except ValueError as error:
        message = str(error)
        field = next((f for f in _FIELD_OF if message.startswith(f)), None)
        raise DomainError(message[0].upper() + message[1:], field=field) from None
    clash = db.session.scalar(
        select(Rate).where(
            Rate.key == values["key"], Rate.effective_from == values["effective_from"]
        )
    )
    if clash is not None:
        raise DomainError(
            f"{values['key']} from {values['effective_from']} is already held; rates are never "
            "edited: give a later date",
            field="effective_from",
        )
    if supersedes is not None:
        return supersede_rate(old=supersedes, new_values=values)
    rate = Rate(**values)
    db.session.add(rate)
    db.session.flush()
    return rate


def add_rate_by(*, actor: User, raw: dict[str, str], supersedes_id: int | None = None) -> Rate:
    """An administrator adds a rate from the form (:func:`add_rate`), replacing the open rate
    ``supersedes_id`` when given; audited."""
    old = None
    if supersedes_id is not None:
        old = db.session.get(Rate, supersedes_id)
        if old is None or old.effective_to is not None:
            raise DomainError("Choose a rate that is still open", field="supersedes")
    rate = add_rate(raw, supersedes=old)
    audit(
        "rate.added",
        actor=actor,
        target=rate,
        details={
            "key": rate.key,
            "amount": str(rate.amount),
            "supersedes": old.key if old else None,
        },
    )
    return rate
