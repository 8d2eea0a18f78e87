"""Formal privacy requests (subject access and erasure) and erasure stubs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from volunteer_hub.core.models import UTCDateTime, utcnow
from volunteer_hub.extensions import Model


class PrivacyRequest(Model):
    """A subject access request or an erasure request, from receipt to reply."""

    __tablename__ = "privacy_request"
    __table_args__ = (
        CheckConstraint("kind IN ('access', 'erasure')", name="kind_valid"),
        CheckConstraint(
            "status IN ('received', 'exported', 'sent', 'erased', 'refused')", name="status_valid"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: The person the request is about (kept as ids: the email may be erased later).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True
    )
    volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("volunteers_volunteer.id", ondelete="SET NULL"), index=True
    )
    received_on: Mapped[date]
    #: One calendar month after receipt (the UK GDPR deadline).
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default="received")
    #: How it arrived: "account" (the volunteer asked from their account) or "letter", "email"…
    channel: Mapped[str] = mapped_column(String(32), default="account")
    notes: Mapped[str | None] = mapped_column(Text)
    logged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: What is held back under a legal hold, told to the person in the reply.
    holds: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
