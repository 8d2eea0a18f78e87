"""Read-side queries for placements, used by views and other domains."""

from __future__ import annotations

from sqlalchemy import select

from volunteer_hub.accounts.models import User
from volunteer_hub.extensions import db
from volunteer_hub.placements.models import Placement


def placements_of(user: User) -> list[Placement]:
    """The person's placements, latest start first."""
    return list(
        db.session.scalars(
            select(Placement)
            .join(Placement.volunteer)
            .where(Placement.volunteer.has(user_id=user.id))
            .order_by(Placement.start_date.desc())
        )
    )


def placements_of_volunteer(volunteer_id: int) -> list[Placement]:
    """The volunteer's placements, latest start first."""
    return list(
        db.session.scalars(
            select(Placement)
            .where(Placement.volunteer_id == volunteer_id)
            .order_by(Placement.start_date.desc())
        )
    )


def placement_id_for(application_id: int) -> int | None:
    """The placement made from this application, if any."""
    return db.session.scalar(select(Placement.id).where(Placement.application_id == application_id))
