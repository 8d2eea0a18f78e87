"""What has been reminded, so nothing is reminded twice for the same state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from volunteer_hub.core.models import UTCDateTime, utcnow
from volunteer_hub.extensions import Model


class SentReminder(Model):
    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("kind", "item", "state", "recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    #: The item reminded about, e.g. ``hours:123``.
    item: Mapped[str] = mapped_column(String(60))
    #: The due state, e.g. ``due:2026-12-01`` or ``overdue:2026-12-01``.
    state: Mapped[str] = mapped_column(String(60))
    recipient: Mapped[str] = mapped_column(String(254))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


#: The kinds of email reminder a person can turn off in their settings.
KINDS = {
    "hours_waiting": "Hours waiting for your approval",
    "supervision": "Supervision meetings due or overdue",
    "action_overdue": "Agreed actions past their due date",
    "application_overdue": "Applicants waiting to hear from you",
    "training_expiry": "Training expiring or expired",
    # Sent by scheduling's hourly job (scheduling/reminders.py), which asks through
    # core.preferences: the kind is named here so the settings page offers it.
    "shift_reminder": "Your shifts, the day before",
}


class ReminderPreference(Model):
    """A person's choice for one kind of reminder (no row: reminders are on)."""

    __tablename__ = "reminders_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    enabled: Mapped[bool]
