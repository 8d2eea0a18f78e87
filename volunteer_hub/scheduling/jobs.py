"""Scheduling's background job: the day-before shift reminders, hourly."""

from __future__ import annotations

from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.jobs.queue import crontab, job
from volunteer_hub.scheduling.reminders import remind_due


@job(
    "shift_reminders",
    when="hourly, at 10 minutes past (places on shifts in the next 24 hours)",
    schedule=crontab(minute="10"),
)
def send_shift_reminders() -> dict[str, int]:
    """Queue the reminders due; each sign-up is reminded once per shift version."""
    queued = remind_due(utcnow())
    db.session.commit()
    return {"queued": queued}
