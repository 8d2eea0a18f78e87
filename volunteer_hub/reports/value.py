"""The value-of-volunteering report, in three steps: the queries (other domains' query
functions), the figures as typed results (:mod:`volunteer_hub.reports.figures`: Decimal and
whole seconds, nothing rounded), and their rendering (:mod:`volunteer_hub.reports.published`):
the JSON of the partner API's contract, which carries the typed figures (and, once published,
the disclosure decided for them) that every other output formats."""

from __future__ import annotations

import decimal
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask import current_app

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.money import round_money
from volunteer_hub.expenses.queries import paid_pence_between, refuse_double_count
from volunteer_hub.extensions import db
from volunteer_hub.hours.queries import people_by_role, value_report_statements
from volunteer_hub.investment.queries import CATEGORIES, entries_overlapping
from volunteer_hub.investment.services import register_entry_check
from volunteer_hub.organisations.queries import names_by_id, role_titles
from volunteer_hub.rates.queries import (
    Rate,
    occupation_rate_for,
    occupation_rates_in_force,
    rate_for_period_end,
)
from volunteer_hub.reports.cache import SNAPSHOT, cached_at, join_snapshot
from volunteer_hub.reports.figures import (
    MonthRow,
    OrganisationRow,
    Period,
    RateUsed,
    RoleRow,
    RoleShare,
    ValueFigures,
    frequency_bands,
    hours_of,
    people_from_volunteer_roles,
)
from volunteer_hub.reports.published import CAVEAT, ValueReport, render_json
from volunteer_hub.timebank.queries import value_report_figures as timebank_figures

if TYPE_CHECKING:
    from volunteer_hub.organisations.models import Organisation

__all__ = [
    "CAVEAT",
    "EARLIEST",
    "LATEST",
    "Period",
    "RoleShare",
    "ValueReport",
    "build_value_report",
    "compute_value",
    "financial_year",
    "quarter_period",
    "render_json",
    "snap_to_months",
]

#: Paid expense claims feed investment as reimbursed expenses; this layer (above both) connects
#: them, so an ``expenses_reimbursed`` entry that would count paid claims twice is refused.
register_entry_check(refuse_double_count)
#: Reports cover periods within these dates (the previous period of a report must exist too).
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)


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


def _month_text(value: Any) -> str:
    return value.strftime("%Y-%m") if hasattr(value, "strftime") else str(value)[:7]


def build_value_report(
    *, start: date, end: date, organisation: Organisation | None = None
) -> ValueReport:
    """The report's JSON-ready dict (see :func:`render_json`) for the period and selection,
    built once for each version of the data (:mod:`volunteer_hub.reports.cache`)."""
    if end < start:
        raise DomainError("The end date must be on or after the start date")
    if start < EARLIEST or end > LATEST:
        raise DomainError(f"Dates must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}")

    def build() -> ValueReport:
        with decimal.localcontext() as context:
            context.prec = 50
            return render_json(compute_value(Period(start, end), organisation))

    # The same full figures for everyone until the data changes.
    parts = (start, end, organisation.id if organisation else None)
    report, version = cached_at("value", parts, build)
    report.source = (*parts, version)  # what publishing it is kept under (disclosure.publish)
    return report


def _fetch_all(statements: dict[str, Any]) -> dict[str, list[Any]]:
    """Run independent read-only aggregate queries, ``REPORT_WORKERS`` at a time (default 2):
    one share on the session's own connection in this thread, the rest each on one extra
    connection in a helper thread, so a report uses both cores and holds ``REPORT_WORKERS``
    connections for its queries (inside a snapshot, besides the request's own connection,
    which stays open meanwhile). In order on the session for an in-memory SQLite database
    (another connection would be another database), with one worker, or inside a SQLite
    snapshot (:func:`~volunteer_hub.reports.cache.one_snapshot`: another connection could not
    share it). Inside a PostgreSQL snapshot the extra connections read that same snapshot, so
    a write committed meanwhile is in every figure or in none."""
    workers = int(current_app.config.get("REPORT_WORKERS", 2))
    engine = db.engine
    items = list(statements.items())
    snapshot = db.session.info.get(SNAPSHOT)
    if (
        workers <= 1
        or engine.url.database in (None, "", ":memory:")
        or (snapshot is not None and engine.dialect.name != "postgresql")
    ):
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
            if snapshot is not None:
                connection = join_snapshot(connection, snapshot)
            return drain(connection.execute)

    with ThreadPoolExecutor(max_workers=workers - 1) as pool:
        futures = [pool.submit(helper) for _ in range(workers - 1)]
        results = drain(db.session.execute)
        for future in futures:
            results.update(future.result())
    return results


def _investment(period: Period, organisation_id: int | None) -> tuple[Decimal, dict[str, Decimal]]:
    """Entries overlapping the period, counted in proportion to the days that overlap, and
    paid expense claims in the period containing each item's date (entering the category by
    hand for a period with paid claims is refused, so nothing is counted twice)."""
    by_category: dict[str, Decimal] = {key: Decimal("0.00") for key in CATEGORIES}
    for entry in entries_overlapping(period.start, period.end, organisation_id):
        amount = Decimal(entry.amount_pence) / 100
        overlap_start = max(entry.period_start, period.start)
        overlap_end = min(entry.period_end, period.end)
        entry_days = (entry.period_end - entry.period_start).days + 1
        overlap_days = (overlap_end - overlap_start).days + 1
        if overlap_days < entry_days:
            amount = round_money(amount * overlap_days / entry_days)
        by_category[entry.category] += amount
    by_category["expenses_reimbursed"] += (
        Decimal(paid_pence_between(period.start, period.end, organisation_id)) / 100
    )
    return sum(by_category.values(), Decimal("0.00")), by_category


def _rate_used(
    rate: Rate | None, hours: Decimal, oncost: Decimal, label: str
) -> tuple[Rate, RateUsed]:
    if rate is None:
        raise DomainError(
            f"No {label} rate is in force for this period; an administrator must add one"
        )
    return rate, RateUsed(
        amount=rate.amount,
        key=rate.key,
        basis=rate.basis,
        source=rate.source,
        reference_date=rate.reference_date,
        value=hours * rate.amount * (1 + oncost),
    )


def _groups_and_people(
    results: dict[str, list[Any]], period: Period, organisation_id: int | None
) -> tuple[
    list[tuple[int, int | None, str | None, int]],
    dict[int, int],
    dict[tuple[int, int | None], int],
]:
    """Hours by (organisation, role, code), and distinct people by organisation and by role."""
    if "by_volunteer_role" in results:
        return people_from_volunteer_roles(results["by_volunteer_role"])
    groups = [(org, role, soc, int(seconds)) for org, role, soc, seconds, _n in results["groups"]]
    org_people = {org: int(n) for org, n in results["org_people"]}
    # Each role's people from the groups when it has one occupation code in the period (the
    # usual case); counted afresh otherwise, so someone under two codes of a role counts once.
    codes: dict[tuple[int, int | None], int] = defaultdict(int)
    counts: dict[tuple[int, int | None], int] = defaultdict(int)
    for org, role, _soc, _seconds, people in results["groups"]:
        codes[(org, role)] += 1
        counts[(org, role)] += int(people)
    if all(n == 1 for n in codes.values()):
        role_people = dict(counts)
    else:
        role_people = people_by_role(period.start, period.end, organisation_id)
    return groups, org_people, role_people


@dataclass
class _Split:
    """The hours of each group at its specialist rate, summed by organisation and by role."""

    specialist: Decimal = Decimal(0)
    covered_seconds: int = 0
    occupations: dict[tuple[int, int | None], list[RoleShare]] = field(
        default_factory=lambda: defaultdict(list)
    )
    org_seconds: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    role_seconds: dict[tuple[int, int | None], int] = field(
        default_factory=lambda: defaultdict(int)
    )


def _split(
    groups: list[tuple[int, int | None, str | None, int]],
    period: Period,
    generalist: Decimal,
    oncost: Decimal,
) -> _Split:
    """Each group's hours valued at its occupation rate (the generalist rate where none is
    loaded for its code), and the hours of each organisation and role."""
    occupation_rates = occupation_rates_in_force(period.end)
    split = _Split()
    for org, role, soc, seconds in groups:
        rate = occupation_rate_for(soc, occupation_rates)
        per_hour = (rate.amount if rate is not None else generalist) * (1 + oncost)
        split.specialist += hours_of(int(seconds)) * per_hour
        if rate is not None:
            split.covered_seconds += int(seconds)
        split.occupations[(org, role)].append(RoleShare(int(seconds), per_hour, rate is not None))
        split.org_seconds[org] += int(seconds)
        split.role_seconds[(org, role)] += int(seconds)
    return split


def _rates(
    period: Period, hours: Decimal, oncost: Decimal
) -> tuple[RateUsed, RateUsed, str | None, bool]:
    """The generalist and floor rates in force on the period's last day, applied to the hours;
    the floor's basis; whether both were in force then (else the earliest held was used)."""
    config = current_app.config
    generalist_rate, generalist_current = rate_for_period_end(
        config.get("GENERALIST_RATE_FAMILY", "uk_median_hourly"), period.end
    )
    floor_rate, floor_current = rate_for_period_end(
        config.get("FLOOR_RATE_FAMILY", "uk_national_living_wage"), period.end
    )
    _general, generalist = _rate_used(
        generalist_rate, hours, oncost, "generalist (median hourly pay)"
    )
    floor_held, floor = _rate_used(floor_rate, hours, Decimal(0), "floor (National Living Wage)")
    return generalist, floor, floor_held.basis, generalist_current and floor_current


def _breakdowns(
    split: _Split,
    org_people: dict[int, int],
    role_people: dict[tuple[int, int | None], int],
    rate: Decimal,
    oncost: Decimal,
) -> tuple[list[OrganisationRow], list[RoleRow]]:
    """The rows by organisation and by role (by name, as people look them up), valued at the
    generalist ``rate``."""

    def value_of(seconds: int) -> Decimal:
        return hours_of(seconds) * rate * (1 + oncost)

    names = names_by_id()
    role_ids = {r for _o, r in split.role_seconds if r}
    titles = role_titles(role_ids) if split.role_seconds else {}
    by_organisation = sorted(
        (
            OrganisationRow(
                names.get(org, "Unknown"),
                seconds,
                int(org_people.get(org, 0)),
                value_of(seconds),
            )
            for org, seconds in split.org_seconds.items()
        ),
        key=lambda row: row.name.casefold(),
    )
    by_role = sorted(
        (
            RoleRow(
                organisation=names.get(org, "Unknown"),
                role=titles.get(role, "No role recorded") if role else "No role recorded",
                seconds=seconds,
                people=int(role_people.get((org, role), 0)),
                value=value_of(seconds),
                shares=tuple(split.occupations[(org, role)]),
            )
            for (org, role), seconds in split.role_seconds.items()
        ),
        key=lambda row: (row.organisation.casefold(), row.role.casefold()),
    )
    return by_organisation, by_role


def compute_value(period: Period, organisation: Organisation | None) -> ValueFigures:
    """The report's figures, exact (call within a Decimal context of ample precision)."""
    config = current_app.config
    oncost = Decimal(str(config.get("VALUE_ONCOST", "0")))
    fte_hours = Decimal(str(config.get("FTE_HOURS_PER_YEAR", "1950")))
    organisation_id = organisation.id if organisation is not None else None
    previous = period.previous()
    results = _fetch_all(
        value_report_statements(
            period.start, period.end, organisation_id, previous=(previous.start, previous.end)
        )
    )
    groups, org_people, role_people = _groups_and_people(results, period, organisation_id)
    total_seconds = sum(row[3] for row in groups)
    hours = hours_of(total_seconds)
    per_volunteer = results["per_volunteer"]
    active_ids = {row[0] for row in per_volunteer}
    previous_ids = {row[0] for row in results["previous"]}
    retention = (
        Decimal(len(previous_ids & active_ids)) * 100 / len(previous_ids) if previous_ids else None
    )
    generalist, floor, floor_basis, rates_current = _rates(period, hours, oncost)
    split = _split(groups, period, generalist.amount, oncost)
    investment_total, investment_by_category = _investment(period, organisation_id)
    by_organisation, by_role = _breakdowns(
        split, org_people, role_people, generalist.amount, oncost
    )
    employer_seconds, employer_people = results["employer"][0]
    return ValueFigures(
        period=period,
        organisation=organisation.name if organisation is not None else None,
        seconds=total_seconds,
        employer_seconds=int(employer_seconds or 0),
        employer_people=int(employer_people or 0),
        active=len(active_ids),
        new=int(results["new"][0][0] or 0),
        retention=retention,
        fte_hours=fte_hours,
        oncost=oncost,
        generalist=generalist,
        floor=floor,
        floor_basis=floor_basis,
        rates_current=rates_current,
        specialist=split.specialist,
        covered_seconds=split.covered_seconds,
        investment_total=investment_total,
        investment_by_category=investment_by_category,
        by_organisation=by_organisation,
        by_role=by_role,
        by_month=[MonthRow(_month_text(m), int(s), int(n)) for m, s, n in results["months"]],
        by_frequency=frequency_bands(period, per_volunteer),
        timebank=timebank_figures(period.start, period.end, generalist.amount),
    )
