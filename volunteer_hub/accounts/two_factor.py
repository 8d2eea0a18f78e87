"""Two-factor sign-in (TOTP) and recovery codes: required for administrators, optional for the
other staff. Services: they flush, never commit; each code works once, even sent twice at once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import pyotp
from flask import current_app
from sqlalchemy import select

from volunteer_hub.accounts import audit
from volunteer_hub.accounts.models import RecoveryCode, User
from volunteer_hub.accounts.passwords import verify_password
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set_where
from volunteer_hub.extensions import db

RECOVERY_CODE_COUNT = 10


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["SERVICE_NAME"]
    )


def _totp_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step ``code`` matches (within one step either side), if not used before."""
    code = "".join(code.split())
    if not (code.isascii() and code.isdigit()) or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = utcnow()
    for offset in (-1, 0, 1):
        at = now + timedelta(seconds=30 * offset)
        step = totp.timecode(at)
        if secrets.compare_digest(totp.at(at), code) and (last_step is None or step > last_step):
            return step
    return None


def _hash_code(code: str) -> str:
    return hashlib.sha256("".join(code.lower().split()).replace("-", "").encode()).hexdigest()


def enable_two_factor(*, user: User, secret: str, code: str) -> list[str]:
    """Turn on TOTP after checking a code from the new secret; return fresh recovery codes."""
    if not user.is_staff:
        raise DomainError("Two-factor sign-in is for coordinators and administrators")
    step = _totp_step(secret, code, None)
    if step is None:
        raise DomainError("Enter the 6-digit code shown in your authenticator app", field="code")
    user = db.session.get(User, user.id) or user  # the row itself, not a current_user proxy
    # Once: a second send of the form would replace the recovery codes the first one showed.
    compare_and_set_where(
        user,
        User.totp_enabled_at.is_(None),
        values={"totp_secret": secret, "totp_enabled_at": utcnow(), "totp_last_step": step},
        message="Two-factor sign-in is already on. If you did not note your recovery codes, "
        "ask an administrator to reset it, then set it up again.",
    )
    codes = _new_recovery_codes(user)
    audit.record("two_factor_enabled", actor=user, target=user)
    db.session.flush()
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)
        code = f"{raw[:5]}-{raw[5:]}"
        codes.append(code)
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_code(code)))
    return codes


def disable_two_factor(*, user: User, password: str) -> None:
    if user.is_admin:
        raise DomainError("Administrators must keep two-factor sign-in turned on")
    if not verify_password(user.password_hash, password):
        raise DomainError("Your password is not right", field="password")
    user = db.session.get(User, user.id) or user  # the row itself, not a current_user proxy
    compare_and_set_where(
        user,
        User.totp_enabled_at.is_not(None),
        values={"totp_secret": None, "totp_enabled_at": None, "totp_last_step": None},
        message="Two-factor sign-in is already turned off.",
    )
    db.session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
    audit.record("two_factor_disabled", actor=user, target=user)
    db.session.flush()


def reset_two_factor(*, actor: User, user: User) -> None:
    """An administrator clears someone's lost authenticator; they set it up again on next use."""
    if user.id == actor.id:
        raise DomainError("Ask another administrator to reset your two-factor sign-in")
    compare_and_set_where(
        user,
        User.totp_secret.is_not(None) | User.totp_enabled_at.is_not(None),
        values={
            "totp_secret": None,
            "totp_enabled_at": None,
            "totp_last_step": None,
            "session_version": User.session_version + 1,
        },
        message=f"Two-factor sign-in for {user.name} is already reset.",
    )
    db.session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
    audit.record("two_factor_reset", actor=actor, target=user)
    db.session.flush()


def verify_second_factor(*, user: User, code: str) -> str:
    """Check a TOTP code or an unused recovery code; return which was used."""
    if user.totp_secret and user.totp_enabled_at:
        step = _totp_step(user.totp_secret, code, user.totp_last_step)
        try:
            if step is not None:
                # Each code works once, even sent twice at once.
                compare_and_set_where(
                    user,
                    User.totp_last_step.is_(None) | (User.totp_last_step < step),
                    values={"totp_last_step": step},
                )
                return "totp"
        except AlreadyDone:
            pass
    recovery = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_code(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    try:
        if recovery is not None:
            # Each recovery code works once, even sent twice at once.
            compare_and_set_where(
                recovery, RecoveryCode.used_at.is_(None), values={"used_at": utcnow()}
            )
            audit.record("recovery_code_used", actor=user, target=user)
            db.session.flush()
            return "recovery_code"
    except AlreadyDone:
        pass
    audit.record("two_factor_failed", target=user)
    raise DomainError(
        "Enter a correct code from your authenticator app, or a recovery code", field="code"
    )
