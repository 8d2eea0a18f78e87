"""messaging: jobs (see the package docstring)."""

from __future__ import annotations

from datetime import date

from volunteer_hub.extensions import db
from volunteer_hub.jobs.queue import crontab, job
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
