"""Signed, expiring, single-use links.

Each token carries a fingerprint of the state it is meant to change (for a password reset: the
current password hash and email address; for an email change: the email address and password
hash). Once that state changes, the token no longer matches, so it works once and dies when the
password changes.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from volunteer_hub.accounts.models import User
from volunteer_hub.extensions import db

#: Purpose → lifetime in seconds.
LIFETIMES = {
    "verify_email": 3 * 24 * 3600,
    "reset_password": 3600,
    "invitation": 7 * 24 * 3600,
    "change_email": 24 * 3600,
}


def _fingerprint(user: User, purpose: str, extra: str = "") -> str:
    if purpose == "verify_email":
        state = f"{user.email}|{user.email_verified_at is None}"
    elif purpose == "change_email":
        # Not the session version, which signing out raises: the link sent to the new address
        # keeps working after signing out, and still dies when the password changes.
        state = f"{user.email}|{user.password_hash or ''}|{extra}"
    else:  # reset_password, invitation
        # The password hash makes it single-use (setting a password changes it); not the session
        # version, which signing out on any device raises.
        state = f"{user.password_hash or ''}|{user.email}"
    return hashlib.sha256(f"{purpose}|{user.id}|{state}".encode()).hexdigest()[:32]


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"vh-{purpose}")


def make_token(user: User, purpose: str, extra: str = "") -> str:
    payload: dict[str, Any] = {"u": user.id, "f": _fingerprint(user, purpose, extra)}
    if extra:
        payload["x"] = extra
    return _serializer(purpose).dumps(payload)


class InvalidToken(Exception):
    def __init__(self, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def read_token(token: str, purpose: str) -> tuple[User, str]:
    """The user (and any extra value) the token is for; raises :class:`InvalidToken`."""
    try:
        payload = _serializer(purpose).loads(token, max_age=LIFETIMES[purpose])
    except SignatureExpired:
        raise InvalidToken(expired=True) from None
    except BadSignature:
        raise InvalidToken() from None
    if not isinstance(payload, dict):
        raise InvalidToken()
    user = db.session.get(User, payload.get("u"))
    extra = str(payload.get("x", ""))
    if user is None or payload.get("f") != _fingerprint(user, purpose, extra):
        raise InvalidToken()
    return user, extra
