"""Volunteer records."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from volunteer_hub.core.models import TimestampMixin
from volunteer_hub.extensions import db


class Volunteer(TimestampMixin, db.Model):  # type: ignore[name-defined]
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
