"""Read-side queries on investment entries (for reports)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from volunteer_hub.extensions import db
from volunteer_hub.investment.models import CATEGORIES, InvestmentEntry

__all__ = ["CATEGORIES", "entries_overlapping"]


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
