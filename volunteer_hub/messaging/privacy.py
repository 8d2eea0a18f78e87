"""messaging: privacy (see the package docstring)."""

from __future__ import annotations

# --- Bulk messages -----------------------------------------------------------------------------
# Export (position 145): each bulk message the person received, as they received it, and the
# kinds they unsubscribed from. Erasure (position 56): their copies and unsubscribes are deleted;
# each bulk message keeps its counts (who sent what to how many). Retention ("bulk_messages"):
# bulk messages and every copy are deleted this many months after they were written.
from typing import Any

from sqlalchemy import delete, select

from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.extensions import db
from volunteer_hub.messaging.models import BulkDelivery, BulkMessage, Unsubscribe


@hooks.export(145)
def export_bulk(subject: hooks.Subject) -> dict[str, Any]:
    if subject.volunteer is None:
        return {}
    vid = subject.volunteer.id
    deliveries = list(
        db.session.scalars(
            select(BulkDelivery).where(BulkDelivery.volunteer_id == vid).order_by(BulkDelivery.id)
        )
    )
    kinds = list(
        db.session.scalars(
            select(Unsubscribe.kind).where(Unsubscribe.volunteer_id == vid).order_by(Unsubscribe.id)
        )
    )
    if not deliveries and not kinds:
        return {}
    return {
        "bulk_messages": {
            "received": [
                {
                    "kind": d.bulk.kind,
                    "status": d.status,
                    "subject": d.subject,
                    "body": d.body,
                    "delivered_at": hooks.json_value(d.delivered_at),
                }
                for d in deliveries
            ],
            "unsubscribed_from": kinds,
        }
    }


@hooks.erase(56)
def erase_bulk(erasure: hooks.Erasure) -> None:
    if erasure.volunteer is None:
        return
    vid = erasure.volunteer.id
    copies = db.session.execute(
        delete(BulkDelivery)
        .where(BulkDelivery.volunteer_id == vid)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    choices = db.session.execute(
        delete(Unsubscribe)
        .where(Unsubscribe.volunteer_id == vid)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if copies or choices:
        erasure.erased.append("bulk messages received and unsubscribes deleted (counts kept)")


@hooks.purge("bulk_messages")
def purge_bulk(purge: hooks.Purge) -> int:
    cutoff = hooks.start_of(purge.cutoff)
    old = [BulkMessage.created_at < cutoff, BulkMessage.status != "sending"]
    if purge.dry_run:
        return hooks.count_or_delete(BulkMessage, old, True)
    ids = list(db.session.scalars(select(BulkMessage.id).where(*old)))
    if not ids:
        return 0
    db.session.execute(
        delete(BulkDelivery)
        .where(BulkDelivery.bulk_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    return hooks.count_or_delete(BulkMessage, [BulkMessage.id.in_(ids)], False)
