"""Reminders as a background job, hourly: the same run as ``flask reminders send``, which also
queues the training expiry notices (expiring within 30 days or expired, not renewed)."""

from __future__ import annotations

from datetime import date

from volunteer_hub.jobs.queue import crontab, job
from volunteer_hub.reminders.cli import queue_due


@job(
    "reminders",
    when="hourly, at 5 minutes past (training expiries included)",
    schedule=crontab(minute="5"),
)
def send_reminders() -> dict[str, int]:
    """Queue every reminder that is due; each is recorded once, so a second run queues none."""
    return {"queued": queue_due(date.today())}
