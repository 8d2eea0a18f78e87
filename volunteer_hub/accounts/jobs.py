"""The email outbox as a background job: every minute, and at once after a commit that wrote
mail to the outbox (``flask outbox send`` still does the same by hand or from cron)."""

from __future__ import annotations

from volunteer_hub.accounts import outbox
from volunteer_hub.accounts.models import OutboxMessage
from volunteer_hub.jobs.queue import crontab, enqueue_after_commit, job


# Not exclusive: two senders at once still send each message once (each message is claimed
# before it is delivered), and a worker busy sending must not make a new email wait a minute.
@job(
    "outbox",
    when="every minute, and at once after mail is written",
    schedule=crontab(),
    exclusive=False,
)
def send_outbox() -> dict[str, int]:
    """Send every due email (failed deliveries wait their back-off, as with the command)."""
    result = outbox.send_due()
    return {"sent": result.sent, "retrying": result.retrying, "failed": result.failed}


enqueue_after_commit(OutboxMessage, "outbox")
