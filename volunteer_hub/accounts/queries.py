"""Read-side queries for accounts: other domains and views look people up here."""

from __future__ import annotations

from sqlalchemy import select

from volunteer_hub.accounts.models import ConsentRecord, Membership, MembershipRole, User
from volunteer_hub.extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def coordinators_of(organisation_id: int, *, active_only: bool = True) -> list[User]:
    """The organisation's coordinators by name (only those whose accounts are active, unless
    ``active_only`` is false)."""
    statement = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organisation_id == organisation_id,
            Membership.role == MembershipRole.COORDINATOR.value,
        )
        .order_by(User.name)
    )
    if active_only:
        statement = statement.where(User.is_active.is_(True))
    return list(db.session.scalars(statement))


def active_consent(user: User, purpose: str) -> ConsentRecord | None:
    """The person's current (not withdrawn) consent for ``purpose``, if any."""
    return db.session.scalar(
        select(ConsentRecord)
        .where(
            ConsentRecord.user_id == user.id,
            ConsentRecord.purpose == purpose,
            ConsentRecord.withdrawn_at.is_(None),
        )
        .order_by(ConsentRecord.given_at.desc())
        .limit(1)
    )


def consent_stands(user_id: int, purpose: str) -> bool:
    """Whether the person's consent for ``purpose`` stands (given and not withdrawn)."""
    return (
        db.session.scalar(
            select(ConsentRecord.id)
            .where(
                ConsentRecord.user_id == user_id,
                ConsentRecord.purpose == purpose,
                ConsentRecord.withdrawn_at.is_(None),
            )
            .limit(1)
        )
        is not None
    )
