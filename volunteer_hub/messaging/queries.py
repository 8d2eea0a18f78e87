"""messaging: queries (see the package docstring)."""

from __future__ import annotations

# --- Bulk messages ---------------------------------------------------------------------------
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import (
    coordinated_organisation_ids,
    sees_all_organisations,
)
from volunteer_hub.extensions import db
from volunteer_hub.messaging import segments
from volunteer_hub.messaging.models import BulkDelivery, BulkMessage
from volunteer_hub.volunteers.models import Volunteer

#: How many rendered messages the preview shows.
SAMPLE_SIZE = 3


def bulk_by_id(bulk_id: int) -> BulkMessage | None:
    return db.session.get(BulkMessage, bulk_id)


def may_see_bulk(user: User, bulk: BulkMessage) -> bool:
    """The organisation's coordinators (a centre-wide message: the centre) and its sender."""
    if not user.is_authenticated or not user.is_active:
        return False
    if sees_all_organisations(user):
        return True
    return (
        bulk.organisation_id is not None
        and bulk.organisation_id in coordinated_organisation_ids(user)
    )


def sent_messages(user: User, limit: int = 200) -> list[BulkMessage]:
    """The "Sent messages" page: every bulk message of the organisations ``user`` coordinates
    (all of them for the centre), newest first; drafts only the sender's own."""
    query = select(BulkMessage).order_by(BulkMessage.id.desc()).limit(limit)
    if not sees_all_organisations(user):
        ids = sorted(coordinated_organisation_ids(user))
        if not ids:
            return []
        query = query.where(BulkMessage.organisation_id.in_(ids))
    query = query.where((BulkMessage.status != "draft") | (BulkMessage.sender_id == user.id))
    return list(db.session.scalars(query))


def bulk_status(bulk: BulkMessage) -> dict[str, object]:
    """The progress page's counts (the JSON it polls)."""
    counts = dict(
        db.session.execute(
            select(BulkDelivery.status, func.count())
            .where(BulkDelivery.bulk_id == bulk.id)
            .group_by(BulkDelivery.status)
        ).all()
    )
    return {
        "status": bulk.status,
        "finished": bulk.finished,
        "recipients": bulk.recipient_count,
        "delivered": bulk.sent_count,
        "emailed": int(counts.get("sent", 0)),
        "remaining": int(counts.get("pending", 0)),
        "not_sent": int(counts.get("cancelled", 0)) + int(counts.get("skipped", 0)),
    }


@dataclass(frozen=True)
class Sample:
    name: str
    subject: str
    body: str
    by_email: bool


@dataclass(frozen=True)
class Preview:
    count: int
    by_email: int
    samples: list[Sample]


def preview(user: User, bulk: BulkMessage, now: datetime) -> Preview:
    """The exact recipients (unsubscribed people left out) and the first few messages as those
    real people would read them."""
    from volunteer_hub.messaging import bulk as commands

    ids = commands.recipients(user, bulk.segment_kind, bulk.segment_key, bulk.kind)
    by_email = 0
    for start in range(0, len(ids), 500):
        chunk = db.session.scalars(
            select(Volunteer).where(Volunteer.id.in_(ids[start : start + 500]))
        ).all()
        by_email += len(commands.emailable(chunk, bulk.kind))
    samples = []
    for volunteer_id in ids[:SAMPLE_SIZE]:
        person = db.session.get(Volunteer, volunteer_id)
        if person is None:
            continue
        subject, body = commands.rendered(bulk, person, now)
        samples.append(Sample(person.name, subject, body, commands.may_email(person, bulk.kind)))
    return Preview(len(ids), by_email, samples)


def sending_bulk_ids() -> list[int]:
    return list(
        db.session.scalars(
            select(BulkMessage.id).where(BulkMessage.status == "sending").order_by(BulkMessage.id)
        )
    )


def pending_delivery_ids(bulk_id: int, limit: int = 500) -> list[int]:
    return list(
        db.session.scalars(
            select(BulkDelivery.id)
            .where(BulkDelivery.bulk_id == bulk_id, BulkDelivery.status == "pending")
            .order_by(BulkDelivery.id)
            .limit(limit)
        )
    )


def received_bulk(volunteer_id: int) -> list[BulkDelivery]:
    """The bulk messages a volunteer received (in the app or by email), newest first."""
    return list(
        db.session.scalars(
            select(BulkDelivery)
            .where(
                BulkDelivery.volunteer_id == volunteer_id,
                BulkDelivery.status.in_(("sent", "in_app")),
            )
            .order_by(BulkDelivery.delivered_at.desc(), BulkDelivery.id.desc())
        )
    )


def volunteer_id_of(user: User) -> int | None:
    return db.session.scalar(select(Volunteer.id).where(Volunteer.user_id == user.id))


def segment_about(kind: str, key: str) -> segments.About | None:
    return segments.about(kind, key)
