"""Accounts: users, roles, memberships, consent, recovery codes, the email outbox, the audit log."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer_hub.core.models import TimestampMixin, UTCDateTime, utcnow
from volunteer_hub.extensions import Model


class Role(enum.StrEnum):
    """Roles held across the whole installation (organisation roles are memberships)."""

    VOLUNTEER = "volunteer"
    CENTRE_COORDINATOR = "centre_coordinator"
    ADMIN = "admin"


#: How each installation-wide role reads on a page.
ROLE_LABELS = {
    Role.VOLUNTEER.value: "Volunteer",
    Role.CENTRE_COORDINATOR.value: "Volunteer centre coordinator",
    Role.ADMIN.value: "Administrator",
}


class MembershipRole(enum.StrEnum):
    """What a user does for one organisation."""

    COORDINATOR = "coordinator"
    PARTNER = "partner"


def _in(values: type[enum.StrEnum], column: str) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class User(TimestampMixin, Model):
    __tablename__ = "accounts_user"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("session_version >= 1", name="session_version_positive"),
        CheckConstraint("failed_sign_ins >= 0", name="failed_sign_ins_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Always stored lower-case and trimmed; the sign-in identifier.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: argon2id hash; NULL until an invited user sets a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Part of every session's identity: raising it ends all existing sessions of this user.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    #: Consecutive failed sign-ins, and the time before which the next attempt is not checked.
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    throttled_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Base32 TOTP secret; set while enrolling, used once ``totp_enabled_at`` is set.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The last TOTP time step accepted, so a code cannot be replayed.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # Flask-Login protocol -------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # The session version is part of the id, so bumping it ends other sessions.
        return f"{self.id}:{self.session_version}"

    # Roles ----------------------------------------------------------------------------------
    @property
    def display_name(self) -> str:
        return self.name

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.role_names

    def organisation_ids(self, role: MembershipRole | str) -> set[int]:
        return {m.organisation_id for m in self.memberships if m.role == str(role)}

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def is_centre_coordinator(self) -> bool:
        return self.has_role(Role.CENTRE_COORDINATOR)

    @property
    def is_org_coordinator(self) -> bool:
        return bool(self.organisation_ids(MembershipRole.COORDINATOR))

    @property
    def is_partner(self) -> bool:
        return bool(self.organisation_ids(MembershipRole.PARTNER))

    @property
    def is_volunteer(self) -> bool:
        return self.has_role(Role.VOLUNTEER)

    @property
    def is_staff(self) -> bool:
        """Coordinators and administrators: shorter idle timeout, may use two-factor."""
        return self.is_admin or self.is_centre_coordinator or self.is_org_coordinator

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserRole(Model):
    __tablename__ = "accounts_user_role"
    __table_args__ = (CheckConstraint(_in(Role, "role"), name="role_valid"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")


class Membership(Model):
    """A user's role in one organisation (coordinator of a charity, partner at the council)."""

    __tablename__ = "accounts_membership"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id", "role"),
        CheckConstraint(_in(MembershipRole, "role"), name="role_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations_organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Any] = relationship("Organisation", lazy="joined")


class ConsentRecord(Model):
    """What a person agreed to, which wording (version), when and how."""

    __tablename__ = "accounts_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="CASCADE"), index=True
    )
    #: e.g. ``privacy_notice``.
    purpose: Mapped[str] = mapped_column(String(64))
    #: Version of the wording agreed to.
    version: Mapped[str] = mapped_column(String(32))
    #: How it was given, e.g. ``registration_form``.
    method: Mapped[str] = mapped_column(String(64))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RecoveryCode(Model):
    __tablename__ = "accounts_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="CASCADE"), index=True
    )
    #: SHA-256 of the code (codes are random and high-entropy, so a fast hash is enough).
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Model):
    """An email, written in the same transaction as the action that caused it."""

    __tablename__ = "accounts_outbox"
    __table_args__ = (
        CheckConstraint(_in(OutboxStatus, "status"), name="status_valid"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_accounts_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    #: The person the message is about, when known (for subject-access exports).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True
    )
    #: The template it came from, e.g. ``verify_email``.
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    #: Extra headers as a JSON object, e.g. ``List-Unsubscribe`` on bulk messages (RFC 8058).
    headers_json: Mapped[str | None] = mapped_column(Text)
    #: Attachments as a JSON list of ``{"filename", "content_type", "content"}`` (text content,
    #: such as an ``.ics`` invitation).
    attachments_json: Mapped[str | None] = mapped_column(Text)


class AuditEvent(Model):
    """Append-only: the app never updates or deletes a row (see the listeners below)."""

    __tablename__ = "accounts_audit_event"
    __table_args__ = (
        Index("ix_accounts_audit_event_at", "at"),
        # Erasure finds the events about a person's records by what they are about.
        Index("ix_accounts_audit_event_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True
    )
    #: e.g. ``sign_in``, ``sign_in_failed``, ``role_granted``.
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(64))
    target_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(lazy="joined")


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
def _refuse_audit_update(*_: Any) -> None:
    raise AuditLogIsAppendOnly("audit events cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_audit_delete(*_: Any) -> None:
    raise AuditLogIsAppendOnly("audit events cannot be deleted")
