"""The tax-year figures: mileage paid against the tax-free amount per volunteer, the annual
mileage report (``flask expenses report``) and the volunteer's own statement for their tax
return. The tax year runs from 6 April (see :mod:`volunteer_hub.expenses.mileage`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select

from volunteer_hub.accounts.models import User
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.money import two_dp
from volunteer_hub.expenses import mileage
from volunteer_hub.expenses.models import (
    MILEAGE_TYPES,
    PAYABLE,
    ClaimStatus,
    ExpenseClaim,
    ExpenseItem,
)
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.volunteers.models import Volunteer


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


def money(pence: int) -> str:
    """Pence as pounds with two decimals, for CSV cells and statements ("2.50")."""
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
                "paid": money(f.paid),
                "tax_free": money(free),
                "taxable_profit": money(profit),
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
            "paid": money(totals.paid),
            "tax_free": money(total_free),
            "taxable_profit": money(total_profit),
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
                "amount": money(item.approved_pence or 0),
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
        "paid": money(figures.paid - unpaid),
        "not_yet_paid": money(unpaid),
        "total": money(figures.paid),
        "tax_free": money(free),
        "taxable_profit": money(max(0, figures.paid - free)),
        "generated_on": utcnow().date(),
    }


# Flags --------------------------------------------------------------------------------------


def statement_csv_rows(context: dict[str, Any]) -> list[list[Any]]:
    """The statement as CSV rows: one a mileage item, then the year's totals."""
    rows: list[list[Any]] = [
        ["date", "organisation", "claim", "type", "from", "to", "miles", "amount", "status"]
    ]
    for line in context["lines"]:
        rows.append(
            [
                line["date"].isoformat(),
                line["organisation"],
                line["claim"],
                line["type"],
                line["from"],
                line["to"],
                line["miles"].replace(",", ""),
                line["amount"],
                "paid" if line["paid"] else "approved_not_yet_paid",
            ]
        )
    for key in ("paid", "not_yet_paid", "total", "tax_free", "taxable_profit"):
        rows.append([key, "", "", "", "", "", "", context[key], ""])
    return rows
