"""Invented messaging demo data."""

from __future__ import annotations

from sqlalchemy import func, select

from volunteer_hub.accounts.models import User
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.messaging import bulk, segments
from volunteer_hub.messaging.models import BulkMessage
from volunteer_hub.messaging.queries import pending_delivery_ids
from volunteer_hub.scheduling.models import SignUp


def seed() -> list[str]:
    return seed_bulk()


def _busiest_shift() -> int | None:
    """The shift with the most people signed up or waiting (the demo's full shift)."""
    return db.session.scalar(
        select(SignUp.shift_id)
        .where(SignUp.status.in_(("confirmed", "waiting")))
        .group_by(SignUp.shift_id)
        .order_by(func.count().desc(), SignUp.shift_id)
        .limit(1)
    )


def seed_bulk() -> list[str]:
    """One shift update sent to the sign-ups and waiting list of the demo's full shift, one of
    whom has unsubscribed from news."""
    if db.session.scalar(select(BulkMessage.id).limit(1)) is not None:
        return []
    centre = db.session.scalar(select(User).where(User.email == "centre@demo.volunteerhub.invalid"))
    shift_id = _busiest_shift()
    if centre is None or shift_id is None:
        return []
    key = f"{shift_id}-waiting"
    people = sorted(segments.resolve(centre, "shift", key))
    bulk.unsubscribe(volunteer_id=people[0], kind="news")
    message = bulk.save_draft(
        sender=centre,
        segment_kind="shift",
        segment_key=key,
        kind="shift_updates",
        subject="Parking at the hall, {first_name}",
        body="Hello {first_name},\n\nThe car park is closed for resurfacing, so please use the "
        "side street when you come to help as {role}.\n\n"
        "Your next shift: {next_shift|none booked yet}.",
    )
    count = bulk.send(bulk=message, sender=centre)
    for delivery_id in pending_delivery_ids(message.id):
        bulk.deliver(delivery_id, utcnow())
    bulk.finish(message.id)
    db.session.flush()
    return [
        f"Demo bulk messages: a shift update sent to {count} people; one volunteer unsubscribed "
        "from news."
    ]
