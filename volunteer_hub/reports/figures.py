"""The value report's figures as typed results: exact Decimals and whole seconds, computed from
the query rows, before anything is rounded or formatted. Every output (the JSON, and through it
CSV, XLSX, PDF and pages) formats these same figures (see :mod:`volunteer_hub.reports.value`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

SECONDS_PER_HOUR = Decimal(3600)
BANDS = ("weekly_or_more", "monthly_or_more", "less_often")


def hours_of(seconds: int | Decimal) -> Decimal:
    return Decimal(seconds) / SECONDS_PER_HOUR


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The equal-length period (same number of days) just before this one."""
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)


@dataclass(frozen=True)
class RoleShare:
    """Part of a role's hours valued at one specialist rate (for the disclosure audit)."""

    seconds: int
    per_hour: Decimal  # £ an hour, oncost included
    occupation: bool  # an occupation rate (else the generalist rate)


@dataclass(frozen=True)
class RateUsed:
    """A rate applied to the report's hours, and the exact value it gives."""

    amount: Decimal  # £ an hour, as held
    key: str
    basis: str
    source: str
    reference_date: str
    value: Decimal  # hours × amount × (1 + on-cost), unrounded


@dataclass(frozen=True)
class OrganisationRow:
    name: str
    seconds: int
    people: int
    value: Decimal  # at the generalist rate, unrounded


@dataclass(frozen=True)
class RoleRow:
    organisation: str
    role: str
    seconds: int
    people: int
    value: Decimal
    shares: tuple[RoleShare, ...]


@dataclass(frozen=True)
class MonthRow:
    month: str  # 'YYYY-MM'
    seconds: int
    people: int


@dataclass(frozen=True)
class BandRow:
    band: str
    people: int
    seconds: int


@dataclass(frozen=True)
class ValueFigures:
    period: Period
    organisation: str | None
    seconds: int
    employer_seconds: int
    employer_people: int
    active: int
    new: int
    #: Share of the previous period's volunteers active again, in per cent (unrounded).
    retention: Decimal | None
    fte_hours: Decimal
    oncost: Decimal
    generalist: RateUsed
    floor: RateUsed
    floor_basis: str | None
    #: False when no rate was in force on the period's last day (the earliest held was used).
    rates_current: bool
    specialist: Decimal
    covered_seconds: int
    investment_total: Decimal
    investment_by_category: Mapping[str, Decimal]
    by_organisation: Sequence[OrganisationRow]
    by_role: Sequence[RoleRow]
    by_month: Sequence[MonthRow]
    by_frequency: Sequence[BandRow]
    timebank: Mapping[str, Any] = field(default_factory=dict)

    @property
    def hours(self) -> Decimal:
        return hours_of(self.seconds)

    @property
    def coverage(self) -> Decimal | None:
        """Per cent of hours valued at an occupation rate (unrounded); None with no hours."""
        if not self.seconds:
            return None
        return Decimal(self.covered_seconds) * 100 / self.seconds


def frequency_bands(period: Period, per_volunteer: Sequence[tuple[Any, int, int]]) -> list[BandRow]:
    """Each active volunteer in one band by the days they gave time: on average at least weekly,
    at least monthly, or less often."""
    weeks = Decimal(period.days) / 7
    months_in_period = Decimal(period.days) * 12 / Decimal("365.25")
    bands: dict[str, list[int]] = {band: [0, 0] for band in BANDS}
    for _volunteer, days_active, seconds in per_volunteer:
        if Decimal(days_active) >= weeks:
            band = "weekly_or_more"
        elif Decimal(days_active) >= months_in_period:
            band = "monthly_or_more"
        else:
            band = "less_often"
        bands[band][0] += 1
        bands[band][1] += int(seconds)
    return [BandRow(band, people, seconds) for band, (people, seconds) in bands.items()]


def people_from_volunteer_roles(
    rows: Sequence[tuple[int, int | None, str | None, int, int]],
) -> tuple[
    list[tuple[int, int | None, str | None, int]],
    dict[int, int],
    dict[tuple[int, int | None], int],
]:
    """Hours by (organisation, role, code) and distinct volunteers by organisation and by role,
    from rows of (organisation, role, code, volunteer, seconds)."""
    seconds_by: dict[tuple[int, int | None, str | None], int] = defaultdict(int)
    org_people: dict[int, set[int]] = defaultdict(set)
    role_people: dict[tuple[int, int | None], set[int]] = defaultdict(set)
    for org, role, soc, volunteer, seconds in rows:
        seconds_by[(org, role, soc)] += int(seconds)
        org_people[org].add(volunteer)
        role_people[(org, role)].add(volunteer)
    return (
        [(org, role, soc, seconds) for (org, role, soc), seconds in seconds_by.items()],
        {org: len(ids) for org, ids in org_people.items()},
        {key: len(ids) for key, ids in role_people.items()},
    )
