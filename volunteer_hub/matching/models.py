"""Matching's records: coordinators' saved searches, digests sent and invitations to apply.

Consent to be found by partner organisations and to receive the weekly digest are consent
records (``accounts.ConsentRecord``, purposes in ``matching.queries``), not columns here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer_hub.core.models import UTCDateTime, utcnow
from volunteer_hub.extensions import Model
from volunteer_hub.organisations.models import Role
from volunteer_hub.volunteers.models import Volunteer


class SavedSearch(Model):
    """A coordinator's search, kept by name: its arguments, never its results (the search is
    run again, with the coordinator's reach at that moment, whenever it is used)."""

    __tablename__ = "matching_saved_search"
    __table_args__ = (
        UniqueConstraint("owner_id", "name"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    #: The search form's arguments, as sent (validated again on every use).
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DigestSent(Model):
    """One weekly digest email sent to a volunteer: at most one per person and week."""

    __tablename__ = "matching_digest_sent"
    __table_args__ = (UniqueConstraint("volunteer_id", "week_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_volunteer.id", ondelete="CASCADE"), index=True
    )
    #: The Monday of the week it was sent for.
    week_of: Mapped[date]
    #: The roles it listed.
    role_ids: Mapped[list[Any]] = mapped_column(JSON)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Invitation(Model):
    """A coordinator's invitation to a volunteer to apply for a role; answered once, through
    a signed link, by the volunteer signed in."""

    __tablename__ = "matching_invitation"
    __table_args__ = (UniqueConstraint("role_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(
        ForeignKey("organisations_role.id", ondelete="CASCADE"), index=True
    )
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_volunteer.id", ondelete="CASCADE"), index=True
    )
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    #: Why the volunteer was suggested, as the coordinator read it.
    explanation: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When the volunteer said "I'm interested" (once).
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("recruitment_application.id", ondelete="SET NULL")
    )

    role: Mapped[Role] = relationship()
    volunteer: Mapped[Volunteer] = relationship()
