"""Reminders' privacy hooks: a person's reminder settings.

Export: their reminder settings. Erasure: deleted with the sign-in.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.extensions import db
from volunteer_hub.reminders.models import ReminderPreference


@hooks.export(30)
def export_reminder_settings(subject: hooks.Subject) -> dict[str, Any]:
    if subject.user is None:
        return {}
    return {
        "reminder_settings": hooks.rows(
            select(ReminderPreference).where(ReminderPreference.user_id == subject.user.id)
        )
    }


@hooks.erase(81)
def erase_reminder_settings(erasure: hooks.Erasure) -> None:
    if erasure.user is not None:
        db.session.execute(
            delete(ReminderPreference).where(ReminderPreference.user_id == erasure.user.id)
        )
