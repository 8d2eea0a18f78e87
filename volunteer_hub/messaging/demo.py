"""Invented messaging demo data."""

from __future__ import annotations

from sqlalchemy import select

from volunteer_hub.accounts.models import User
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.messaging import bulk
from volunteer_hub.messaging.models import BulkMessage
from volunteer_hub.placements.models import Placement


def seed() -> list[str]:
    return seed_bulk()


def seed_bulk() -> list[str]:
    """One news message sent to a role's placed volunteers, one of whom had unsubscribed from
    news (so the message went to the others)."""
    if db.session.scalar(select(BulkMessage.id).limit(1)) is not None:
        return []
    centre = db.session.scalar(select(User).where(User.email == "centre@demo.volunteerhub.invalid"))
    placements = list(
        db.session.scalars(
            select(Placement).where(Placement.end_date.is_(None)).order_by(Placement.id)
        )
    )
    if centre is None or not placements:
        return []
    role_id = placements[0].role_id
    placed = [p.volunteer_id for p in placements if p.role_id == role_id]
    bulk.unsubscribe(volunteer_id=placed[-1], kind="news")
    if len(placed) < 2:
        return ["Demo bulk messages: one unsubscribe."]
    message = bulk.save_draft(
        sender=centre,
        segment_kind="role",
        segment_key=str(role_id),
        kind="news",
        subject="Thank you, {first_name}",
        body="Hello {first_name},\n\nThank you for all you do as {role}. "
        "Our open day is on the first Saturday of next month: bring a friend.\n\n"
        "Your next shift: {next_shift|none booked yet}.",
    )
    bulk.send(bulk=message, sender=centre)
    db.session.flush()
    from volunteer_hub.messaging.queries import pending_delivery_ids

    for delivery_id in pending_delivery_ids(message.id):
        bulk.deliver(delivery_id, utcnow())
    bulk.finish(message.id)
    db.session.flush()
    return ["Demo bulk messages: one news message sent, one volunteer unsubscribed from news."]
