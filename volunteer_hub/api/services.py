"""Issuing, checking and revoking API tokens."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import register_rule
from volunteer_hub.api.models import ApiToken
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set_where
from volunteer_hub.extensions import db

TOKEN_PREFIX = "vhp_"  # noqa: S105 - a public marker, not a secret

#: Only administrators see and revoke tokens.
register_rule(ApiToken, lambda user, token, action: bool(user.is_admin))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, actor: User, holder: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``holder`` (a partner); returns the row and the token, shown once."""
    name = " ".join(name.split())
    if not name:
        raise DomainError(
            "Enter a name for the token, such as the system that will use it", field="name"
        )
    if len(name) > 100:
        raise DomainError("The name must be 100 characters or fewer", field="name")
    if not holder.is_active or not holder.is_partner:
        raise DomainError(
            "Tokens are only for active users with the partner role; give them that role first",
            field="holder",
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name,
        token_hash=hash_token(token),
        prefix=token[:10],
        user_id=holder.id,
        created_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    audit(
        "api_token.issued", actor=actor, target=row, details={"holder": holder.email, "name": name}
    )
    return row, token


def revoke_token(*, actor: User, token: ApiToken) -> None:
    if token.revoked_at is not None:
        raise AlreadyDone("That token was already revoked.")
    compare_and_set_where(
        token,
        ApiToken.revoked_at.is_(None),
        values={"revoked_at": utcnow(), "revoked_by_id": actor.id},
        message="That token was already revoked.",
    )
    audit("api_token.revoked", actor=actor, target=token, details={"name": token.name})


def authenticate(header: str | None) -> ApiToken | None:
    """The live token named by an ``Authorization: Bearer …`` header, or None."""
    if not header or header[:7].lower() != "bearer ":
        return None
    token = header[7:].strip()
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        return None
    if not row.user.is_active or not row.user.is_partner:
        return None
    row.last_used_at = utcnow()
    return row
