"""Reads of the reminders domain: each person's choices, and whether an address wants a kind
of reminder."""

from __future__ import annotations

from sqlalchemy import func, select

from volunteer_hub.accounts.models import User
from volunteer_hub.core.preferences import register as register_preference
from volunteer_hub.extensions import db
from volunteer_hub.reminders.models import KINDS, ReminderPreference


def choices(user: User) -> dict[str, bool]:
    saved = {
        p.kind: p.enabled
        for p in db.session.scalars(
            select(ReminderPreference).where(ReminderPreference.user_id == user.id)
        )
    }
    return {kind: saved.get(kind, True) for kind in KINDS}


def wants(email: str, kind: str) -> bool:
    """False only when the account with this email has turned this kind off."""
    enabled = db.session.scalar(
        select(ReminderPreference.enabled)
        .join(User, User.id == ReminderPreference.user_id)
        .where(func.lower(User.email) == email.lower(), ReminderPreference.kind == kind)
    )
    return enabled is not False


# Domains below this one (scheduling's day-before shift reminder) ask through core.
register_preference("reminders", wants)
