"""Read side: flags, the annual mileage report and the volunteer's statement."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import sees_all_organisations
from volunteer_hub.core.formatting import financial_year, pounds
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.money import two_dp
from volunteer_hub.expenses import mileage
from volunteer_hub.expenses.models import (
    MILEAGE_TYPES,
    PAYABLE,
    ClaimStatus,
    ExpenseClaim,
    ExpenseItem,
    Receipt,
)
from volunteer_hub.expenses.services import (
    approver_organisation_ids,
    policy_version,
    receipt_needed,
)
from volunteer_hub.expenses.services import paid_pence_between as paid_pence_between
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.volunteers.models import Volunteer

FLAG_LABELS = {
    "over_tax_free": "Mileage above the tax-free amount",
    "no_receipt": "No receipt",
    "flat_rate": "Looks like a flat rate",
    "paid_more": "More than claimed",
    "duplicate_receipt": "Receipt used on another claim",
    "late": "Past the claim deadline",
}
#: The same amount in this many consecutive weeks without receipts looks like a flat rate.
FLAT_RATE_WEEKS = 4


@dataclass(frozen=True)
class Flag:
    key: str
    message: str
    item_id: int | None = None

    @property
    def label(self) -> str:
        return FLAG_LABELS[self.key]


@dataclass
class YearFigures:
    car: int = 0
    motorcycle: int = 0
    bicycle: int = 0
    #: Passenger miles × passengers, in tenths.
    passenger: int = 0
    paid: int = 0
    organisations: set[int] = field(default_factory=set)

    def tax_free(self, rates: mileage.HmrcRates) -> int:
        return mileage.tax_free_pence(
            car_tenths=self.car,
            motorcycle_tenths=self.motorcycle,
            bicycle_tenths=self.bicycle,
            passenger_tenths=self.passenger,
            rates=rates,
        )

    def add(self, item_type: str, tenths: int, passengers: int, pence: int) -> None:
        if item_type == "car_mileage":
            self.car += tenths
        elif item_type == "motorcycle_mileage":
            self.motorcycle += tenths
        elif item_type == "bicycle_mileage":
            self.bicycle += tenths
        elif item_type == "passenger_mileage":
            self.passenger += tenths * max(passengers, 1)
        self.paid += pence


def _counted() -> Any:
    """Mileage items that count as paid: decided amounts on approved and paid claims."""
    return (
        select(
            ExpenseClaim.volunteer_id,
            ExpenseClaim.organisation_id,
            ExpenseItem.type,
            ExpenseItem.miles_tenths,
            ExpenseItem.passengers,
            ExpenseItem.approved_pence,
        )
        .join(ExpenseClaim, ExpenseClaim.id == ExpenseItem.claim_id)
        .where(
            ExpenseClaim.status.in_(PAYABLE),
            ExpenseItem.type.in_(MILEAGE_TYPES),
            or_(ExpenseItem.decision.is_(None), ExpenseItem.decision != "rejected"),
        )
    )


def year_figures(volunteer_ids: list[int] | None, year: int) -> dict[int, YearFigures]:
    start, end = mileage.tax_year_bounds(year)
    statement = _counted().where(ExpenseItem.date >= start, ExpenseItem.date <= end)
    if volunteer_ids is not None:
        statement = statement.where(ExpenseClaim.volunteer_id.in_(volunteer_ids))
    figures: dict[int, YearFigures] = defaultdict(YearFigures)
    for vid, oid, kind, tenths, passengers, pence in db.session.execute(statement):
        figures[vid].add(kind, tenths or 0, passengers or 0, pence or 0)
        figures[vid].organisations.add(oid)
    return figures


def _miles(tenths: int) -> int | float:
    whole, tenth = divmod(tenths, 10)
    return whole if tenth == 0 else float(Decimal(tenths) / 10)


def _money(pence: int) -> str:
    return two_dp(Decimal(pence) / 100)


def mileage_report(year: int, organisation: Organisation | None = None) -> dict[str, Any]:
    """Per volunteer: miles, mileage paid, tax-free amount and taxable profit for tax year
    ``year``. With an organisation: its volunteers only, but their figures across every
    organisation (the band and the tax-free amount belong to the person)."""
    start, end = mileage.tax_year_bounds(year)
    rates = mileage.hmrc_rates(year)
    figures = year_figures(None, year)
    if organisation is not None:
        figures = {v: f for v, f in figures.items() if organisation.id in f.organisations}
    emails: dict[int, str] = {}
    if figures:
        for vid, v_email, u_email in db.session.execute(
            select(Volunteer.id, Volunteer.email, User.email)
            .outerjoin(User, User.id == Volunteer.user_id)
            .where(Volunteer.id.in_(list(figures)))
        ):
            emails[vid] = u_email or v_email or ""
    rows = []
    totals = YearFigures()
    total_free = total_profit = 0
    flagged_count = 0
    for vid in sorted(figures, key=lambda v: (emails.get(v, ""), v)):
        f = figures[vid]
        free = f.tax_free(rates)
        profit = max(0, f.paid - free)
        rows.append(
            {
                "volunteer_email": emails.get(vid, ""),
                "car_miles": _miles(f.car),
                "motorcycle_miles": _miles(f.motorcycle),
                "bicycle_miles": _miles(f.bicycle),
                "paid": _money(f.paid),
                "tax_free": _money(free),
                "taxable_profit": _money(profit),
                "flagged": profit > 0,
            }
        )
        totals.car += f.car
        totals.motorcycle += f.motorcycle
        totals.bicycle += f.bicycle
        totals.paid += f.paid
        total_free += free
        total_profit += profit
        flagged_count += profit > 0
    return {
        "tax_year": mileage.tax_year_label(year),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "volunteers": rows,
        "totals": {
            "volunteers": len(rows),
            "car_miles": _miles(totals.car),
            "motorcycle_miles": _miles(totals.motorcycle),
            "bicycle_miles": _miles(totals.bicycle),
            "paid": _money(totals.paid),
            "tax_free": _money(total_free),
            "taxable_profit": _money(total_profit),
            "flagged": flagged_count,
        },
    }


REPORT_COLUMNS = (
    "volunteer_email",
    "car_miles",
    "motorcycle_miles",
    "bicycle_miles",
    "paid",
    "tax_free",
    "taxable_profit",
    "flagged",
)


def report_csv_rows(report: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [list(REPORT_COLUMNS)]
    for row in report["volunteers"]:
        rows.append(
            [("yes" if row[c] else "no") if c == "flagged" else row[c] for c in REPORT_COLUMNS]
        )
    t = report["totals"]
    rows.append(
        [
            "TOTAL",
            t["car_miles"],
            t["motorcycle_miles"],
            t["bicycle_miles"],
            t["paid"],
            t["tax_free"],
            t["taxable_profit"],
            t["flagged"],
        ]
    )
    return rows


def statement(volunteer: Volunteer, year: int) -> dict[str, Any]:
    """The volunteer's own annual mileage statement for their tax return."""
    start, end = mileage.tax_year_bounds(year)
    rates = mileage.hmrc_rates(year)
    items = db.session.execute(
        select(ExpenseItem, ExpenseClaim, Organisation.name)
        .join(ExpenseClaim, ExpenseClaim.id == ExpenseItem.claim_id)
        .join(Organisation, Organisation.id == ExpenseClaim.organisation_id)
        .where(
            ExpenseClaim.volunteer_id == volunteer.id,
            ExpenseClaim.status.in_(PAYABLE),
            ExpenseItem.type.in_(MILEAGE_TYPES),
            or_(ExpenseItem.decision.is_(None), ExpenseItem.decision != "rejected"),
            ExpenseItem.date >= start,
            ExpenseItem.date <= end,
        )
        .order_by(ExpenseItem.date, ExpenseItem.id)
    ).all()
    figures = YearFigures()
    lines = []
    unpaid = 0
    for item, claim, organisation_name in items:
        figures.add(item.type, item.miles_tenths or 0, item.passengers, item.approved_pence or 0)
        paid = claim.status == ClaimStatus.PAID.value
        if not paid:
            unpaid += item.approved_pence or 0
        lines.append(
            {
                "date": item.date,
                "organisation": organisation_name,
                "claim": claim.reference,
                "type": item.type_label,
                "from": item.start_postcode or "",
                "to": item.end_postcode or "",
                "miles": item.miles_text,
                "amount": _money(item.approved_pence or 0),
                # Approved claims are not paid until their payment batch is marked paid.
                "status": (
                    f"Paid {claim.paid_on:%-d %B %Y}"
                    if paid and claim.paid_on
                    else "Approved, not yet paid"
                ),
                "paid": paid,
            }
        )
    free = figures.tax_free(rates)
    return {
        "name": volunteer.name,
        "tax_year": mileage.tax_year_label(year),
        "start": start,
        "end": end,
        "lines": lines,
        "car_miles": _miles(figures.car),
        "motorcycle_miles": _miles(figures.motorcycle),
        "bicycle_miles": _miles(figures.bicycle),
        "paid": _money(figures.paid - unpaid),
        "not_yet_paid": _money(unpaid),
        "total": _money(figures.paid),
        "tax_free": _money(free),
        "taxable_profit": _money(max(0, figures.paid - free)),
        "generated_on": utcnow().date(),
    }


# Flags --------------------------------------------------------------------------------------


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _flat_rate(claim: ExpenseClaim, item: ExpenseItem) -> bool:
    """The same amount for the same type at the same organisation, without receipts, in 4 or
    more consecutive weeks including this item's week."""
    weeks = {
        _week(day)
        for day in db.session.scalars(
            select(ExpenseItem.date)
            .join(ExpenseClaim, ExpenseClaim.id == ExpenseItem.claim_id)
            .where(
                ExpenseClaim.volunteer_id == claim.volunteer_id,
                ExpenseClaim.organisation_id == claim.organisation_id,
                ExpenseClaim.status.not_in((ClaimStatus.DRAFT.value, ClaimStatus.WITHDRAWN.value)),
                ExpenseItem.type == item.type,
                ExpenseItem.claimed_pence == item.claimed_pence,
                ~select(Receipt.id).where(Receipt.item_id == ExpenseItem.id).exists(),
                ExpenseItem.date >= item.date - timedelta(weeks=FLAT_RATE_WEEKS),
                ExpenseItem.date <= item.date + timedelta(weeks=FLAT_RATE_WEEKS),
            )
        )
    }
    weeks.add(_week(item.date))
    here = _week(item.date)
    before = after = 0
    while here - timedelta(weeks=before + 1) in weeks:
        before += 1
    while here + timedelta(weeks=after + 1) in weeks:
        after += 1
    return before + after + 1 >= FLAT_RATE_WEEKS


def claim_flags(claim: ExpenseClaim) -> list[Flag]:
    """Every flag on a claim (for approvers, the claim page and the centre-wide list)."""
    flags: list[Flag] = []
    policy = policy_version(claim.organisation_id, claim.policy_version)
    reference_day = claim.submitted_at.date() if claim.submitted_at else utcnow().date()
    for item in claim.items:
        if receipt_needed(item, policy) and not item.receipts:
            flags.append(
                Flag(
                    "no_receipt",
                    f"{item.description}: no receipt for {_money(item.claimed_pence)}",
                    item.id,
                )
            )
        if not item.is_mileage and not item.receipts and _flat_rate(claim, item):
            flags.append(
                Flag(
                    "flat_rate",
                    f"{item.type_label} of £{_money(item.claimed_pence)} claimed without receipts "
                    f"in {FLAT_RATE_WEEKS} or more weeks in a row",
                    item.id,
                )
            )
        if item.approved_pence is not None and item.approved_pence > item.claimed_pence:
            flags.append(
                Flag(
                    "paid_more",
                    f"{item.description}: £{_money(item.approved_pence)} against "
                    f"£{_money(item.claimed_pence)} claimed",
                    item.id,
                )
            )
        if item.date + timedelta(days=policy.deadline_days) < reference_day:
            flags.append(
                Flag(
                    "late",
                    f"{item.description} ({item.date:%-d %B %Y}) was claimed after the "
                    f"{policy.deadline_days}-day deadline",
                    item.id,
                )
            )
        for receipt in item.receipts:
            other = db.session.scalar(
                select(ExpenseClaim)
                .join(ExpenseItem, ExpenseItem.claim_id == ExpenseClaim.id)
                .join(Receipt, Receipt.item_id == ExpenseItem.id)
                .where(Receipt.sha256 == receipt.sha256, ExpenseClaim.id != claim.id)
                .limit(1)
            )
            if other is not None:
                flags.append(
                    Flag(
                        "duplicate_receipt",
                        f"The receipt {receipt.original_name} is also on claim {other.reference}",
                        item.id,
                    )
                )
    flags.extend(_tax_flags(claim))
    return flags


def _tax_flags(claim: ExpenseClaim) -> list[Flag]:
    years = sorted({mileage.tax_year_of(i.date) for i in claim.items if i.is_mileage})
    flags = []
    for year in years:
        figures = year_figures([claim.volunteer_id], year).get(claim.volunteer_id, YearFigures())
        if claim.status == ClaimStatus.SUBMITTED.value:
            # Not decided yet: what paying it as claimed would do.
            start, end = mileage.tax_year_bounds(year)
            for item in claim.items:
                if item.is_mileage and start <= item.date <= end:
                    figures.add(
                        item.type, item.miles_tenths or 0, item.passengers, item.claimed_pence
                    )
        rates = mileage.hmrc_rates(year)
        free = figures.tax_free(rates)
        if figures.paid > free:
            flags.append(
                Flag(
                    "over_tax_free",
                    f"Tax year {financial_year(year)}: mileage of {pounds(figures.paid)} "
                    f"across all organisations is above the tax-free {pounds(free)} "
                    f"({pounds(figures.paid - free)} taxable)",
                )
            )
    return flags


def flagged_claims(
    organisation_ids: set[int] | None, limit: int = 500
) -> list[tuple[ExpenseClaim, list[Flag]]]:
    """Claims with flags (not drafts or withdrawn ones), newest first; None: every organisation."""
    statement = (
        select(ExpenseClaim)
        .where(ExpenseClaim.status.not_in((ClaimStatus.DRAFT.value, ClaimStatus.WITHDRAWN.value)))
        .order_by(ExpenseClaim.id.desc())
        .limit(limit)
    )
    if organisation_ids is not None:
        statement = statement.where(ExpenseClaim.organisation_id.in_(sorted(organisation_ids)))
    result = []
    for claim in db.session.scalars(statement):
        flags = claim_flags(claim)
        if flags:
            result.append((claim, flags))
    return result


def claims_awaiting_approval_count(user: User) -> int:
    """How many submitted claims wait for ``user`` to decide (their approvals page)."""
    statement = select(func.count(ExpenseClaim.id)).where(
        ExpenseClaim.status == ClaimStatus.SUBMITTED.value
    )
    if not sees_all_organisations(user):
        ids = approver_organisation_ids(user)
        if not ids:
            return 0
        statement = statement.where(ExpenseClaim.organisation_id.in_(sorted(ids)))
    return int(db.session.scalar(statement) or 0)
