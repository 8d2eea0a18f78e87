"""Read-side queries on investment entries (for reports and the entry page)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import coordinated_organisation_ids
from volunteer_hub.extensions import db
from volunteer_hub.investment.models import CATEGORIES, InvestmentEntry
from volunteer_hub.organisations.models import Organisation

__all__ = ["CATEGORIES", "entries_overlapping", "organisations_for", "recent_entries"]


def entries_overlapping(
    start: date, end: date, organisation_id: int | None
) -> Sequence[InvestmentEntry]:
    """Entries whose period overlaps ``start``..``end`` (one organisation's, when given)."""
    statement = select(InvestmentEntry).where(
        InvestmentEntry.period_start <= end, InvestmentEntry.period_end >= start
    )
    if organisation_id is not None:
        statement = statement.where(InvestmentEntry.organisation_id == organisation_id)
    return db.session.scalars(statement).all()


def organisations_for(user: User) -> list[Organisation]:
    """The organisations whose investment ``user`` enters: their own (the centre: every one)."""
    statement = select(Organisation).order_by(Organisation.name)
    if not (user.is_admin or user.is_centre_coordinator):
        statement = statement.where(Organisation.id.in_(coordinated_organisation_ids(user)))
    return list(db.session.scalars(statement))


def recent_entries(organisation_ids: list[int], limit: int = 200) -> list[InvestmentEntry]:
    """These organisations' latest entries, by period, latest first."""
    return list(
        db.session.scalars(
            select(InvestmentEntry)
            .where(InvestmentEntry.organisation_id.in_(organisation_ids))
            .order_by(InvestmentEntry.period_start.desc(), InvestmentEntry.id.desc())
            .limit(limit)
        )
    )
