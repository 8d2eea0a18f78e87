"""The value-of-volunteering report, in three steps: the queries (other domains' query
functions), the figures as typed results (:mod:`volunteer_hub.reports.figures`: Decimal and
whole seconds, nothing rounded), and the JSON rendering of those figures (a dict of strings,
the partner API's contract). Disclosure control (:mod:`volunteer_hub.reports.disclosure`) and
the downloads (:mod:`volunteer_hub.reports.exports`) work from that rendering."""

from __future__ import annotations

import decimal
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask import current_app

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.money import one_dp, round_money, two_dp
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
from volunteer_hub.reports.figures import (
    BandRow,
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
from volunteer_hub.timebank.report import figures as timebank_figures

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

CAVEAT = (
    "Replacement cost values the time given, not the difference made, and it is not cash saved. "
    "It is one way to show volunteering's contribution, alongside what volunteers and the people "
    "they support say."
)
METHOD = (
    "Replacement cost: approved hours (employer-time hours excluded) × hourly rate "
    "in force on the last day of the period × (1 + oncost). The value is a range from "
    "the floor (National Living Wage) to the generalist (median pay) figure."
)
RETENTION = (
    "Share of volunteers active in the equal-length period just before who "
    "were active again in this period."
)
RATES_NOTE = (
    "No rate was yet in force on the last day of this period, so the earliest rate "
    "held was used; an administrator can add the rate for this period."
)
#: Paid expense claims feed investment as reimbursed expenses; this layer (above both) connects
#: them, so an ``expenses_reimbursed`` entry that would count paid claims twice is refused.
register_entry_check(refuse_double_count)
#: Reports cover periods within these dates (the previous period of a report must exist too).
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)


class ValueReport(dict[str, Any]):
    """The report (a plain JSON-ready dict) and, outside the JSON, how the hours of each
    ``by_role`` row split between specialist rates (the disclosure audit writes the published
    specialist value and its coverage as equations over those parts), and how many volunteers
    gave the employer-time hours (for disclosure control)."""

    role_shares: tuple[tuple[RoleShare, ...], ...] = ()
    employer_time_people: int = 0


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


def _money(value: Decimal) -> str:
    return two_dp(value)


def _ratio(numerator: Decimal, denominator: Decimal) -> str | None:
    if denominator == 0:
        return None
    return two_dp(numerator / denominator)


def _month_text(value: Any) -> str:
    return value.strftime("%Y-%m") if hasattr(value, "strftime") else str(value)[:7]


def build_value_report(
    *, start: date, end: date, organisation: Organisation | None = None
) -> ValueReport:
    """The report's JSON-ready dict (see :func:`render_json`) for the period and selection."""
    if end < start:
        raise DomainError("The end date must be on or after the start date")
    if start < EARLIEST or end > LATEST:
        raise DomainError(f"Dates must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
    with decimal.localcontext() as context:
        context.prec = 50
        return render_json(compute_value(Period(start, end), organisation))


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

    # Rates in force on the last day.
    generalist_rate, generalist_current = rate_for_period_end(
        config.get("GENERALIST_RATE_FAMILY", "uk_median_hourly"), period.end
    )
    floor_rate, floor_current = rate_for_period_end(
        config.get("FLOOR_RATE_FAMILY", "uk_national_living_wage"), period.end
    )
    general, generalist = _rate_used(
        generalist_rate, hours, oncost, "generalist (median hourly pay)"
    )
    floor_held, floor = _rate_used(floor_rate, hours, Decimal(0), "floor (National Living Wage)")

    occupation_rates = occupation_rates_in_force(period.end)
    specialist = Decimal(0)
    covered_seconds = 0
    occupations: dict[tuple[int, int | None], list[RoleShare]] = defaultdict(list)
    org_seconds: dict[int, int] = defaultdict(int)
    role_seconds: dict[tuple[int, int | None], int] = defaultdict(int)
    for org, role, soc, seconds in groups:
        rate = occupation_rate_for(soc, occupation_rates)
        per_hour = (rate.amount if rate is not None else general.amount) * (1 + oncost)
        specialist += hours_of(int(seconds)) * per_hour
        if rate is not None:
            covered_seconds += int(seconds)
        occupations[(org, role)].append(RoleShare(int(seconds), per_hour, rate is not None))
        org_seconds[org] += int(seconds)
        role_seconds[(org, role)] += int(seconds)
    investment_total, investment_by_category = _investment(period, organisation_id)

    names = names_by_id()
    titles = role_titles({r for _o, r in role_seconds if r}) if role_seconds else {}

    def value_of(seconds: int) -> Decimal:
        return hours_of(seconds) * general.amount * (1 + oncost)

    by_organisation = sorted(
        (
            OrganisationRow(
                names.get(org, "Unknown"), seconds, int(org_people.get(org, 0)), value_of(seconds)
            )
            for org, seconds in org_seconds.items()
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
                shares=tuple(occupations[(org, role)]),
            )
            for (org, role), seconds in role_seconds.items()
        ),
        key=lambda row: (row.organisation.casefold(), row.role.casefold()),
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
        floor_basis=floor_held.basis,
        rates_current=generalist_current and floor_current,
        specialist=specialist,
        covered_seconds=covered_seconds,
        investment_total=investment_total,
        investment_by_category=investment_by_category,
        by_organisation=by_organisation,
        by_role=by_role,
        by_month=[MonthRow(_month_text(m), int(s), int(n)) for m, s, n in results["months"]],
        by_frequency=frequency_bands(period, per_volunteer),
        timebank=timebank_figures(period.start, period.end, general.amount),
    )


def _rate_json(rate: RateUsed) -> dict[str, Any]:
    return {
        "amount": _money(rate.value),
        "rate": rate_text(rate.amount),
        "rate_key": rate.key,
        "source": rate.source,
        "reference_date": rate.reference_date,
    }


def _band_json(row: BandRow) -> dict[str, Any]:
    return {"band": row.band, "volunteers": row.people, "hours": two_dp(hours_of(row.seconds))}


def render_json(figures: ValueFigures) -> ValueReport:
    """The figures as the partner API's JSON (the stable contract: every key and value as
    before the figures were typed)."""
    f = figures
    hours = f.hours
    report = ValueReport(
        {
            "period": {"start": f.period.start.isoformat(), "end": f.period.end.isoformat()},
            "organisation": f.organisation,
            "total_hours": two_dp(hours),
            "employer_time_hours": two_dp(hours_of(f.employer_seconds)),
            "active_volunteers": f.active,
            "new_volunteers": f.new,
            "hours_per_active_volunteer": two_dp(hours / f.active) if f.active else None,
            "retention_rate": one_dp(f.retention) if f.retention is not None else None,
            "fte": two_dp(hours / f.fte_hours),
            "value": {
                "generalist": _rate_json(f.generalist),
                "floor": _rate_json(f.floor),
                "specialist": {
                    "amount": _money(f.specialist),
                    "coverage": one_dp(f.coverage) if f.coverage is not None else None,
                },
            },
            "method": {
                "description": METHOD,
                "oncost": str(f.oncost),
                "generalist_basis": f.generalist.basis,
                "floor_basis": f.floor_basis,
                "rates_note": None if f.rates_current else RATES_NOTE,
                "fte_hours_per_year": str(f.fte_hours),
                "retention": RETENTION,
            },
            "investment": {
                "total": _money(f.investment_total),
                "by_category": {
                    key: _money(value) for key, value in f.investment_by_category.items()
                },
            },
            "viva_ratio": {
                "generalist": _ratio(f.generalist.value, f.investment_total),
                "floor": _ratio(f.floor.value, f.investment_total),
                "specialist": _ratio(f.specialist, f.investment_total),
            },
            "net_value": _money(f.generalist.value - f.investment_total),
            "by_organisation": [
                {
                    "name": row.name,
                    "hours": two_dp(hours_of(row.seconds)),
                    "active_volunteers": row.people,
                    "value_generalist": _money(row.value),
                }
                for row in f.by_organisation
            ],
            "by_role": [
                {
                    "organisation": row.organisation,
                    "role": row.role,
                    "hours": two_dp(hours_of(row.seconds)),
                    "active_volunteers": row.people,
                    "value_generalist": _money(row.value),
                }
                for row in f.by_role
            ],
            "by_month": [
                {
                    "month": row.month,
                    "hours": two_dp(hours_of(row.seconds)),
                    "active_volunteers": row.people,
                }
                for row in f.by_month
            ],
            "by_frequency": [_band_json(row) for row in f.by_frequency],
            "timebank": dict(f.timebank),
            "caveat": CAVEAT,
        }
    )
    report.role_shares = tuple(row.shares for row in f.by_role)
    report.employer_time_people = f.employer_people
    return report
