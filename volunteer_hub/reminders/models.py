"""What has been reminded, so nothing is reminded twice for the same state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from volunteer_hub.core.models import UTCDateTime, utcnow
from volunteer_hub.extensions import db


class SentReminder(db.Model):  # type: ignore[name-defined]
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
