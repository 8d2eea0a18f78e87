"""The day-before reminder of a shift: once per sign-up and shift version (a shift changed
after the reminder is reminded again), for places on shifts starting in the next 24 hours,
unless the person turned "Your shifts, the day before" off on their reminder settings page."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from volunteer_hub.accounts.outbox import queue_email
from volunteer_hub.core.formatting import date_time
from volunteer_hub.core.navigation import external_url
from volunteer_hub.core.preferences import wants
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set_where
from volunteer_hub.extensions import db
from volunteer_hub.scheduling.models import Shift, SignUp

AHEAD = timedelta(hours=24)
#: The kind on each person's reminder settings page (the reminders domain keeps the choices).
KIND = "shift_reminder"


def remind_due(now: datetime) -> int:
    """Queue each reminder that is due; returns how many. A second run (or a run in parallel)
    queues none: each sign-up's ``reminded_version`` is set by compare-and-set first."""
    due = db.session.execute(
        select(SignUp, Shift)
        .join(Shift, Shift.id == SignUp.shift_id)
        .where(
            SignUp.status == "confirmed",
            Shift.cancelled.is_(False),
            Shift.starts_at > now,
            Shift.starts_at <= now + AHEAD,
            SignUp.reminded_version.is_(None) | (SignUp.reminded_version < Shift.version),
        )
        .order_by(Shift.starts_at, SignUp.id)
    ).all()
    queued = 0
    for signup, shift in due:
        email = signup.volunteer.email
        if email and not wants(email, KIND):
            continue  # turned off: not recorded as sent, so turning it back on resumes it
        try:
            compare_and_set_where(
                signup,
                SignUp.reminded_version.is_(None) | (SignUp.reminded_version < shift.version),
                values={"reminded_version": shift.version},
            )
        except AlreadyDone:
            continue  # another run sent it
        if not email:
            continue
        queue_email(
            kind="reminder",
            to=email,
            subject=f"Reminder: {shift.role.title} shift, {date_time(shift.starts_at)}",
            body=(
                f"You have a place on the {shift.role.title} shift with "
                f"{shift.role.organisation.name} on {date_time(shift.starts_at, weekday=True)}"
                f"{' at ' + shift.location if shift.location else ''}. If you cannot come, "
                f"please tell the coordinator: {external_url('scheduling.mine')}"
            ),
        )
        queued += 1
    db.session.flush()
    return queued
