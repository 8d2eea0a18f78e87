"""Volunteer records."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from volunteer_hub.core.models import TimestampMixin
from volunteer_hub.extensions import Model


class Volunteer(TimestampMixin, Model):
    __tablename__ = "volunteers_volunteer"
    __table_args__ = (
        CheckConstraint("email IS NULL OR email = lower(email)", name="email_lowercase"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The sign-in this volunteer uses; NULL for people recorded without one.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL"), unique=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    # Profile (the volunteer keeps it; coordinators of organisations they apply to see it).
    phone: Mapped[str | None] = mapped_column(String(40))
    date_of_birth: Mapped[date | None]
    postcode: Mapped[str | None] = mapped_column(String(10))
    emergency_contact_name: Mapped[str | None] = mapped_column(String(200))
    emergency_contact_phone: Mapped[str | None] = mapped_column(String(40))
    skills: Mapped[str | None] = mapped_column(Text)
    interests: Mapped[str | None] = mapped_column(Text)
    #: Slots like ``mon_morning``, ``sat_evening`` (days × morning/afternoon/evening).
    availability: Mapped[list[Any] | None] = mapped_column(JSON)
    languages: Mapped[str | None] = mapped_column(String(300))
    access_needs: Mapped[str | None] = mapped_column(Text)
    heard_about: Mapped[str | None] = mapped_column(String(40))


DAYS = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
]
PARTS = [("morning", "Morning"), ("afternoon", "Afternoon"), ("evening", "Evening")]
SLOTS = [f"{d}_{p}" for d, _ in DAYS for p, _ in PARTS]
HEARD_ABOUT = {
    "friend": "A friend or family member",
    "search": "An internet search",
    "social": "Social media",
    "event": "An event or volunteer fair",
    "organisation": "An organisation I know",
    "gp": "My GP or a health worker",
    "other": "Somewhere else",
}
