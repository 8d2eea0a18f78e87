"""messaging: jobs (see the package docstring)."""

from __future__ import annotations

from datetime import date

from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.jobs.queue import crontab, enqueue_after_commit, job
from volunteer_hub.messaging import bulk, queries
from volunteer_hub.messaging.models import BulkDelivery
from volunteer_hub.messaging.services import send_digests


@job(
    "messaging_digest",
    when="daily at 07:00 UTC (one email per person and day)",
    schedule=crontab(minute="0", hour="7"),
)
def send_message_digests() -> dict[str, int]:
    """Queue each waiting person's daily digest; a second run the same day queues none."""
    queued = send_digests(date.today())
    db.session.commit()
    return {"queued": queued}


# --- Bulk messages ---------------------------------------------------------------------------


# Not exclusive: each delivery is claimed (compare-and-set) in the transaction that writes its
# email, so two workers at once share the work and nobody gets a message twice; a worker that
# stops part-way leaves the rest pending for the next run (every minute).
@job(
    "bulk_messages",
    when="every minute, and at once after a bulk message is sent",
    schedule=crontab(),
    exclusive=False,
    retries=2,
)
def send_bulk_messages() -> dict[str, int]:
    counts = {"sent": 0, "in_app": 0, "skipped": 0, "finished": 0}
    for bulk_id in queries.sending_bulk_ids():
        batch: list[int] = []
        while (delivery_ids := queries.pending_delivery_ids(bulk_id)) and delivery_ids != batch:
            batch = delivery_ids
            for delivery_id in delivery_ids:
                outcome = bulk.deliver(delivery_id, utcnow())
                db.session.commit()
                if outcome:
                    counts[outcome] += 1
        if bulk.finish(bulk_id):
            counts["finished"] += 1
        db.session.commit()
    return counts


enqueue_after_commit(BulkDelivery, "bulk_messages")
