"""Invented demo investment for two financial years, so the demo VIVA ratio means something."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from volunteer_hub.extensions import db
from volunteer_hub.investment.models import InvestmentEntry
from volunteer_hub.organisations.models import Organisation

INVESTMENT = {
    "Riverside Befriending Network": {
        "coordinator_salary": 1450000,
        "training": 120000,
        "expenses_reimbursed": 210000,
    },
    "Greenway Community Garden": {
        "coordinator_salary": 600000,
        "equipment": 180000,
        "dbs_insurance": 40000,
    },
    "Northbridge Food Share": {
        "coordinator_salary": 900000,
        "overheads": 250000,
        "recognition": 30000,
    },
}


def seed() -> list[str]:
    if db.session.scalar(select(InvestmentEntry.id).limit(1)):
        return []
    organisations = {o.name: o for o in db.session.scalars(select(Organisation))}
    today = date.today()
    first = (today - timedelta(days=730)).year - (
        1 if (today - timedelta(days=730)).month < 4 else 0
    )
    current = today.year - (1 if today.month < 4 else 0)
    for year in range(first, current + 1):
        for org_name, items in INVESTMENT.items():
            organisation = organisations.get(org_name)
            if organisation is None:
                continue
            for category, pence in items.items():
                db.session.add(
                    InvestmentEntry(
                        organisation_id=organisation.id,
                        period_start=date(year, 4, 1),
                        period_end=date(year + 1, 3, 31),
                        category=category,
                        amount_pence=pence,
                        source="imported",
                    )
                )
    db.session.flush()
    return [f"Demo investment: financial years {first} to {current + 1} for three organisations."]
