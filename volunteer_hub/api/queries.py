"""Reads of the API domain: the partners who may hold a token, and the tokens issued."""

from __future__ import annotations

from sqlalchemy import select

from volunteer_hub.accounts.models import Membership, MembershipRole, User
from volunteer_hub.api.models import ApiToken
from volunteer_hub.extensions import db


def partners() -> list[User]:
    """Active users with the partner role, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.role == MembershipRole.PARTNER.value, User.is_active.is_(True))
            .order_by(User.name)
            .distinct()
        )
    )


def tokens() -> list[ApiToken]:
    """Every token issued, latest first."""
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())))
