"""The value-of-volunteering report: figures computed in the database, formatted here."""

from __future__ import annotations

import decimal
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from flask import current_app
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import aliased

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.money import one_dp, round_money, two_dp
from volunteer_hub.expenses.queries import paid_pence_between
from volunteer_hub.expenses.services import refuse_double_count
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord, HourStatus
from volunteer_hub.investment.models import CATEGORIES, InvestmentEntry
from volunteer_hub.investment.services import register_entry_check
from volunteer_hub.organisations.models import Organisation, Role
from volunteer_hub.rates.models import Rate
from volunteer_hub.rates.services import (
    occupation_rate_for,
    occupation_rates_in_force,
    rate_for_period_end,
)
from volunteer_hub.timebank.report import figures as timebank_figures

CAVEAT = (
    "Replacement cost values the time given, not the difference made, and it is not cash saved. "
    "It is one way to show volunteering's contribution, alongside what volunteers and the people "
    "they support say."
)
SECONDS_PER_HOUR = Decimal(3600)
#: Paid expense claims feed investment as reimbursed expenses; this layer (above both) connects
#: them, so an ``expenses_reimbursed`` entry that would count paid claims twice is refused.
register_entry_check(refuse_double_count)
#: Reports cover periods within these dates (the previous period of a report must exist too).
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)


@dataclass(frozen=True)
class RoleShare:
    """Part of a role's hours valued at one specialist rate (for the disclosure audit)."""

    seconds: int
    per_hour: Decimal  # £ an hour, oncost included
    occupation: bool  # an occupation rate (else the generalist rate)


#: Carries each role row's shares through sorting; removed before the report is returned.
SHARES = "_shares"


class ValueReport(dict[str, Any]):
    """The report (a plain JSON-ready dict) and, outside the JSON, how the hours of each
    ``by_role`` row split between specialist rates: the disclosure audit writes the published
    specialist value and its coverage as equations over those parts."""

    role_shares: tuple[tuple[RoleShare, ...], ...] = ()
    #: How many volunteers gave the employer-time hours (for disclosure control; not in JSON).
    employer_time_people: int = 0


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


def financial_year(year: int) -> Period:
    """FY ``year``/``year+1``: 1 April to 31 March."""
    return Period(date(year, 4, 1), date(year + 1, 3, 31))


def quarter_period(year: int, quarter: int) -> Period:
    """Quarter ``quarter`` (1 = April to June) of financial year ``year``/``year+1``."""
    first_month = 4 + 3 * (quarter - 1)
    start = date(year + (first_month - 1) // 12, (first_month - 1) % 12 + 1, 1)
    end_month = first_month + 3
    after = date(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    return Period(start, date.fromordinal(after.toordinal() - 1))


def snap_to_months(period: Period) -> Period:
    """The whole months covering ``period`` (3 April to 17 May → 1 April to 31 May). Partners'
    chosen dates are snapped to months so that two overlapping selections a day apart cannot be
    subtracted to show one day's (one person's) figures."""
    start = period.start.replace(day=1)
    after = date(period.end.year + period.end.month // 12, period.end.month % 12 + 1, 1)
    return Period(start, after - timedelta(days=1))


def rate_text(amount: Decimal) -> str:
    """17.9600 → '17.96'; 12.3456 stays '12.3456'."""
    pennies = amount.quantize(Decimal("0.01"))
    return str(pennies) if pennies == amount else str(amount.normalize())


def _hours(seconds: int | Decimal) -> Decimal:
    return Decimal(seconds) / SECONDS_PER_HOUR


def _money(value: Decimal) -> str:
    return two_dp(value)


def _ratio(numerator: Decimal, denominator: Decimal) -> str | None:
    if denominator == 0:
        return None
    return two_dp(numerator / denominator)


def _month(column: Any) -> ColumnElement[Any]:
    """The month of a date, as cheaply as each database allows (formatted later)."""
    if db.engine.dialect.name == "postgresql":
        return func.date_trunc("month", column)
    return func.substr(column, 1, 7)  # SQLite stores dates as 'YYYY-MM-DD'


def _month_text(value: Any) -> str:
    return value.strftime("%Y-%m") if hasattr(value, "strftime") else str(value)[:7]


def _rate_block(rate: Rate | None, hours: Decimal, oncost: Decimal, label: str) -> dict[str, Any]:
    if rate is None:
        raise DomainError(
            f"No {label} rate is in force for this period; an administrator must add one"
        )
    amount = hours * rate.amount * (1 + oncost)
    return {
        "amount": _money(amount),
        "rate": rate_text(rate.amount),
        "rate_key": rate.key,
        "source": rate.source,
        "reference_date": rate.reference_date,
        "_exact": amount,
    }


def _investment(period: Period, organisation_id: int | None) -> tuple[Decimal, dict[str, Decimal]]:
    """Entries overlapping the period, counted in proportion to the days that overlap."""
    statement = select(InvestmentEntry).where(
        InvestmentEntry.period_start <= period.end, InvestmentEntry.period_end >= period.start
    )
    if organisation_id is not None:
        statement = statement.where(InvestmentEntry.organisation_id == organisation_id)
    by_category: dict[str, Decimal] = {key: Decimal("0.00") for key in CATEGORIES}
    for entry in db.session.scalars(statement):
        amount = Decimal(entry.amount_pence) / 100
        overlap_start = max(entry.period_start, period.start)
        overlap_end = min(entry.period_end, period.end)
        entry_days = (entry.period_end - entry.period_start).days + 1
        overlap_days = (overlap_end - overlap_start).days + 1
        if overlap_days < entry_days:
            amount = round_money(amount * overlap_days / entry_days)
        by_category[entry.category] += amount
    # Paid expense claims, in the period containing each item's date (entering the category by
    # hand for a period with paid claims is refused, so nothing is counted twice).
    by_category["expenses_reimbursed"] += (
        Decimal(paid_pence_between(period.start, period.end, organisation_id)) / 100
    )
    return sum(by_category.values(), Decimal("0.00")), by_category


def build_value_report(
    *, start: date, end: date, organisation: Organisation | None = None
) -> ValueReport:
    if end < start:
        raise DomainError("The end date must be on or after the start date")
    if start < EARLIEST or end > LATEST:
        raise DomainError(f"Dates must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
    config = current_app.config
    oncost = Decimal(str(config.get("VALUE_ONCOST", "0")))
    fte_hours = Decimal(str(config.get("FTE_HOURS_PER_YEAR", "1950")))
    period = Period(start, end)
    organisation_id = organisation.id if organisation is not None else None

    with decimal.localcontext() as context:
        context.prec = 50
        return _build(period, organisation, organisation_id, oncost, fte_hours)


def _scope(
    period: Period, organisation_id: int | None, *, employer_time: bool = False
) -> list[Any]:
    conditions: list[Any] = [
        HourRecord.status == HourStatus.APPROVED.value,
        HourRecord.date >= period.start,
        HourRecord.date <= period.end,
        HourRecord.employer_time.is_(employer_time),
    ]
    if organisation_id is not None:
        conditions.append(HourRecord.organisation_id == organisation_id)
    return conditions


def _fetch_all(statements: dict[str, Any]) -> dict[str, list[Any]]:
    """Run independent read-only aggregate queries, ``REPORT_WORKERS`` at a time (default 2):
    one share on the session's own connection in this thread, the rest each on one extra
    connection in a helper thread, so a report uses both cores but holds at most
    ``REPORT_WORKERS`` connections. In order on the session for an in-memory SQLite database
    (another connection would be another database) or with one worker. The extra connection
    reads committed data: a report run while an import commits may mix the two states, as any
    two reports would."""
    workers = int(current_app.config.get("REPORT_WORKERS", 2))
    engine = db.engine
    items = list(statements.items())
    if workers <= 1 or engine.url.database in (None, "", ":memory:"):
        return {key: list(db.session.execute(s).all()) for key, s in items}

    queue = iter(items)  # longest first; whoever is free takes the next query
    lock = threading.Lock()

    def drain(execute: Any) -> dict[str, list[Any]]:
        done: dict[str, list[Any]] = {}
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                return done
            key, statement = item
            done[key] = list(execute(statement).all())

    def helper() -> dict[str, list[Any]]:
        with engine.connect() as connection:
            return drain(connection.execute)

    with ThreadPoolExecutor(max_workers=workers - 1) as pool:
        futures = [pool.submit(helper) for _ in range(workers - 1)]
        results = drain(db.session.execute)
        for future in futures:
            results.update(future.result())
    return results


def _from_volunteer_roles(
    rows: list[Any],
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


def _role_people(groups: list[Any], scope: list[Any]) -> dict[tuple[int, int | None], int]:
    """Distinct volunteers per (organisation, role). Taken from the groups query when each role
    has one occupation code in the period (the usual case); counted afresh otherwise, so that
    someone recorded under two codes of one role is counted once."""
    codes: dict[tuple[int, int | None], int] = defaultdict(int)
    counts: dict[tuple[int, int | None], int] = defaultdict(int)
    for org, role, _soc, _seconds, people in groups:
        codes[(org, role)] += 1
        counts[(org, role)] += int(people)
    if all(n == 1 for n in codes.values()):
        return dict(counts)
    return {
        (org, role): int(n)
        for org, role, n in db.session.execute(
            select(
                HourRecord.organisation_id,
                HourRecord.role_id,
                func.count(func.distinct(HourRecord.volunteer_id)),
            )
            .where(*scope)
            .group_by(HourRecord.organisation_id, HourRecord.role_id)
        )
    }


def _build(
    period: Period,
    organisation: Organisation | None,
    organisation_id: int | None,
    oncost: Decimal,
    fte_hours: Decimal,
) -> ValueReport:
    scope = _scope(period, organisation_id)
    earlier = aliased(HourRecord)
    before = (
        select(earlier.id)
        .where(
            earlier.status == HourStatus.APPROVED.value,
            earlier.employer_time.is_(False),
            earlier.volunteer_id == HourRecord.volunteer_id,
            earlier.date < period.start,
            *([earlier.organisation_id == organisation_id] if organisation_id else []),
        )
        .exists()
    )
    month = _month(HourRecord.date).label("month")
    people = func.count(func.distinct(HourRecord.volunteer_id))
    # Every figure comes from aggregate queries (longest first); none returns a row per record,
    # so memory stays flat however many records there are. PostgreSQL hashes groups, so there
    # one (organisation, role, code, volunteer) query feeds hours and people by organisation and
    # role; SQLite sorts to group, so there each figure is grouped from a covering index.
    postgres = db.engine.dialect.name == "postgresql"
    statements: dict[str, Any] = {}
    if postgres:
        statements["by_volunteer_role"] = (
            select(
                HourRecord.organisation_id,
                HourRecord.role_id,
                HourRecord.soc_code,
                HourRecord.volunteer_id,
                func.sum(HourRecord.seconds),
            )
            .where(*scope)
            .group_by(
                HourRecord.organisation_id,
                HourRecord.role_id,
                HourRecord.soc_code,
                HourRecord.volunteer_id,
            )
        )
    else:
        statements["groups"] = (
            select(
                HourRecord.organisation_id,
                HourRecord.role_id,
                HourRecord.soc_code,
                func.sum(HourRecord.seconds),
                people,
            )
            .where(*scope)
            .group_by(HourRecord.organisation_id, HourRecord.role_id, HourRecord.soc_code)
        )
        statements["org_people"] = (
            select(HourRecord.organisation_id, people)
            .where(*scope)
            .group_by(HourRecord.organisation_id)
        )
    statements["months"] = (
        select(month, func.sum(HourRecord.seconds), people)
        .where(*scope)
        .group_by(month)
        .order_by(month)
    )
    results = _fetch_all(
        {
            **statements,
            # Per volunteer: days active (for frequency bands) and seconds.
            "per_volunteer": select(
                HourRecord.volunteer_id,
                func.count(func.distinct(HourRecord.date)),
                func.sum(HourRecord.seconds),
            )
            .where(*scope)
            .group_by(HourRecord.volunteer_id),
            # New: active now, with no approved record in scope before (an index seek each).
            "new": select(func.count()).select_from(
                select(HourRecord.volunteer_id)
                .where(*scope)
                .group_by(HourRecord.volunteer_id)
                .having(~before)
                .subquery()
            ),
            "previous": select(HourRecord.volunteer_id)
            .where(*_scope(period.previous(), organisation_id))
            .distinct(),
            "employer": select(
                func.coalesce(func.sum(HourRecord.seconds), 0),
                func.count(func.distinct(HourRecord.volunteer_id)),
            ).where(*_scope(period, organisation_id, employer_time=True)),
        }
    )
    if postgres:
        groups, org_people, role_people = _from_volunteer_roles(results["by_volunteer_role"])
    else:
        groups = [
            (org, role, soc, int(seconds)) for org, role, soc, seconds, _n in results["groups"]
        ]
        org_people = {org: int(n) for org, n in results["org_people"]}
        role_people = _role_people(results["groups"], scope)
    total_seconds = sum(row[3] for row in groups)
    employer_seconds = int(results["employer"][0][0] or 0)
    hours = _hours(total_seconds)
    per_volunteer = results["per_volunteer"]
    active_ids = {row[0] for row in per_volunteer}
    active = len(active_ids)
    new_volunteers = int(results["new"][0][0] or 0)
    previous_ids = {row[0] for row in results["previous"]}
    retention = (
        one_dp(Decimal(len(previous_ids & active_ids)) * 100 / len(previous_ids))
        if previous_ids
        else None
    )

    # Rates in force on the last day.
    config = current_app.config
    generalist_rate, generalist_current = rate_for_period_end(
        config.get("GENERALIST_RATE_FAMILY", "uk_median_hourly"), period.end
    )
    floor_rate, floor_current = rate_for_period_end(
        config.get("FLOOR_RATE_FAMILY", "uk_national_living_wage"), period.end
    )
    generalist = _rate_block(generalist_rate, hours, oncost, "generalist (median hourly pay)")
    floor = _rate_block(floor_rate, hours, Decimal(0), "floor (National Living Wage)")
    assert generalist_rate is not None

    occupation_rates = occupation_rates_in_force(period.end)
    specialist_exact = Decimal(0)
    covered_seconds = 0
    #: Per (organisation, role): the seconds valued at each rate (for the disclosure audit).
    occupations: dict[tuple[int, int | None], list[RoleShare]] = defaultdict(list)
    for org, role, soc, seconds in groups:
        rate = occupation_rate_for(soc, occupation_rates)
        per_hour = (rate.amount if rate is not None else generalist_rate.amount) * (1 + oncost)
        specialist_exact += _hours(int(seconds)) * per_hour
        if rate is not None:
            covered_seconds += int(seconds)
        occupations[(org, role)].append(RoleShare(int(seconds), per_hour, rate is not None))
    coverage = one_dp(Decimal(covered_seconds) * 100 / total_seconds) if total_seconds else None

    investment_total, investment_by_category = _investment(period, organisation_id)
    generalist_exact = generalist.pop("_exact")
    floor_exact = floor.pop("_exact")

    # Breakdowns.
    organisation_names = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
    org_hours: dict[int, int] = defaultdict(int)
    role_hours: dict[tuple[int, int | None], int] = defaultdict(int)
    for org_id, role_id, _soc, seconds in groups:
        org_hours[org_id] += int(seconds)
        role_hours[(org_id, role_id)] += int(seconds)
    role_titles = (
        dict(
            db.session.execute(
                select(Role.id, Role.title).where(Role.id.in_({r for _o, r in role_hours if r}))
            ).all()
        )
        if role_hours
        else {}
    )
    months = results["months"]

    def value_of(seconds: int) -> str:
        return _money(_hours(seconds) * generalist_rate.amount * (1 + oncost))

    by_organisation = sorted(
        (
            {
                "name": organisation_names.get(org_id, "Unknown"),
                "hours": two_dp(_hours(seconds)),
                "active_volunteers": int(org_people.get(org_id, 0)),
                "value_generalist": value_of(seconds),
            }
            for org_id, seconds in org_hours.items()
        ),
        key=lambda row: str(row["name"]).casefold(),
    )
    by_role = sorted(
        (
            {
                "organisation": organisation_names.get(org_id, "Unknown"),
                "role": role_titles.get(role_id, "No role recorded")
                if role_id
                else "No role recorded",
                "hours": two_dp(_hours(seconds)),
                "active_volunteers": int(role_people.get((org_id, role_id), 0)),
                "value_generalist": value_of(seconds),
                SHARES: tuple(occupations[(org_id, role_id)]),
            }
            for (org_id, role_id), seconds in role_hours.items()
        ),
        key=lambda row: (str(row["organisation"]).casefold(), str(row["role"]).casefold()),
    )
    role_shares = tuple(cast(tuple[RoleShare, ...], row.pop(SHARES)) for row in by_role)
    by_month = [
        {"month": _month_text(m), "hours": two_dp(_hours(int(s))), "active_volunteers": int(n)}
        for m, s, n in months
    ]

    weeks = Decimal(period.days) / 7
    months_in_period = Decimal(period.days) * 12 / Decimal("365.25")
    bands = {"weekly_or_more": [0, 0], "monthly_or_more": [0, 0], "less_often": [0, 0]}
    for _vid, days_active, seconds in per_volunteer:
        if Decimal(days_active) >= weeks:
            band = "weekly_or_more"
        elif Decimal(days_active) >= months_in_period:
            band = "monthly_or_more"
        else:
            band = "less_often"
        bands[band][0] += 1
        bands[band][1] += int(seconds)
    by_frequency = [
        {"band": band, "volunteers": people, "hours": two_dp(_hours(seconds))}
        for band, (people, seconds) in bands.items()
    ]

    figures: dict[str, Any] = {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "organisation": organisation.name if organisation is not None else None,
        "total_hours": two_dp(hours),
        "employer_time_hours": two_dp(_hours(employer_seconds)),
        "active_volunteers": active,
        "new_volunteers": new_volunteers,
        "hours_per_active_volunteer": two_dp(hours / active) if active else None,
        "retention_rate": retention,
        "fte": two_dp(hours / fte_hours),
        "value": {
            "generalist": generalist,
            "floor": floor,
            "specialist": {"amount": _money(specialist_exact), "coverage": coverage},
        },
        "method": {
            "description": (
                "Replacement cost: approved hours (employer-time hours excluded) × hourly rate "
                "in force on the last day of the period × (1 + oncost). The value is a range from "
                "the floor (National Living Wage) to the generalist (median pay) figure."
            ),
            "oncost": str(oncost),
            "generalist_basis": generalist_rate.basis,
            "floor_basis": floor_rate.basis if floor_rate is not None else None,
            "rates_note": None
            if generalist_current and floor_current
            else (
                "No rate was yet in force on the last day of this period, so the earliest rate "
                "held was used; an administrator can add the rate for this period."
            ),
            "fte_hours_per_year": str(fte_hours),
            "retention": "Share of volunteers active in the equal-length period just before who "
            "were active again in this period.",
        },
        "investment": {
            "total": _money(investment_total),
            "by_category": {key: _money(value) for key, value in investment_by_category.items()},
        },
        "viva_ratio": {
            "generalist": _ratio(generalist_exact, investment_total),
            "floor": _ratio(floor_exact, investment_total),
            "specialist": _ratio(specialist_exact, investment_total),
        },
        "net_value": _money(generalist_exact - investment_total),
        "by_organisation": by_organisation,
        "by_role": by_role,
        "by_month": by_month,
        "by_frequency": by_frequency,
        "timebank": timebank_figures(period.start, period.end, generalist_rate.amount),
        "caveat": CAVEAT,
    }
    report = ValueReport(figures)
    report.role_shares = role_shares
    report.employer_time_people = int(results["employer"][0][1] or 0)
    return report
