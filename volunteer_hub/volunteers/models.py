"""Volunteer records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from volunteer_hub.core.models import TimestampMixin, UTCDateTime, utcnow
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


class EqualityAnswers(db.Model):  # type: ignore[name-defined]
    """One volunteer's optional equality-monitoring answers, kept apart from their record.

    Never shown on a staff screen about a person and never read by matching or selection; reports
    read them only in aggregate, through disclosure control. NULL means "not answered".
    """

    __tablename__ = "volunteers_equality"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_volunteer.id", ondelete="CASCADE"), unique=True
    )
    age_band: Mapped[str | None] = mapped_column(String(40))
    sex: Mapped[str | None] = mapped_column(String(40))
    gender_identity: Mapped[str | None] = mapped_column(String(40))
    ethnicity: Mapped[str | None] = mapped_column(String(40))
    disability: Mapped[str | None] = mapped_column(String(40))
    religion: Mapped[str | None] = mapped_column(String(40))
    sexual_orientation: Mapped[str | None] = mapped_column(String(40))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
