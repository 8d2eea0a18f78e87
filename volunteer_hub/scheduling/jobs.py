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


@job(
    "interview_slots_release",
    when="hourly, at 25 minutes past (slots of applications no longer at the interview stage)",
    schedule=crontab(minute="25"),
)
def release_interview_slots() -> dict[str, int]:
    """Free each slot booked by an application that has moved on, telling both sides once."""
    from volunteer_hub.scheduling.interviews import release_stale

    freed = release_stale()
    db.session.commit()
    return {"freed": freed}
