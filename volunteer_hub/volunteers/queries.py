"""Read-side queries for volunteers, used by views and other domains (never the equality
answers: those are read only by reports and the volunteer's own pages)."""

from __future__ import annotations

from sqlalchemy import select

from volunteer_hub.extensions import db
from volunteer_hub.volunteers.models import Volunteer


def volunteer_of(user_id: int) -> Volunteer | None:
    """The volunteer record of this account, if it has one (``volunteer_for`` creates it)."""
    return db.session.scalar(select(Volunteer).where(Volunteer.user_id == user_id))
