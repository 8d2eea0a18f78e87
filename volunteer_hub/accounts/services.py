"""Account services: they change state, raise DomainError, flush and never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app, url_for
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from volunteer_hub.accounts import audit
from volunteer_hub.accounts.models import (
    ConsentRecord,
    Membership,
    MembershipRole,
    Role,
    User,
    UserRole,
)
from volunteer_hub.accounts.outbox import queue_email
from volunteer_hub.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)
from volunteer_hub.accounts.queries import active_consent as active_consent  # read by privacy
from volunteer_hub.accounts.queries import find_user_by_email, normalise_email
from volunteer_hub.accounts.tokens import InvalidToken, make_token, read_token

# Two-factor sign-in lives in accounts.two_factor; its commands are also reachable from here.
from volunteer_hub.accounts.two_factor import _new_recovery_codes as _new_recovery_codes
from volunteer_hub.accounts.two_factor import disable_two_factor as disable_two_factor
from volunteer_hub.accounts.two_factor import enable_two_factor as enable_two_factor
from volunteer_hub.accounts.two_factor import new_totp_secret as new_totp_secret
from volunteer_hub.accounts.two_factor import provisioning_uri as provisioning_uri
from volunteer_hub.accounts.two_factor import reset_two_factor as reset_two_factor
from volunteer_hub.accounts.two_factor import verify_second_factor as verify_second_factor
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.transitions import compare_and_set_where, lock
from volunteer_hub.extensions import db

#: Failed sign-ins before an account is slowed down, and the longest it waits.
FREE_ATTEMPTS = 5
MAX_THROTTLE_MINUTES = 15
SIGN_IN_FAILED = (
    "Enter a correct email address and password. "
    "After several wrong attempts you will need to wait up to 15 minutes."
)


def _link(endpoint: str, **values: Any) -> str:
    base = current_app.config["BASE_URL"].rstrip("/")
    return base + url_for(endpoint, **values)


def _check_password(password: str, *, email: str, name: str = "") -> None:
    problems = password_problems(password, email=email, name=name)
    if problems:
        raise DomainError(problems[0], field="password")


# Registration and verification ---------------------------------------------------------------


def register_volunteer(
    *, name: str, email: str, password: str, accepted_privacy: bool, next_url: str | None = None
) -> User:
    """Create a volunteer account and send a verification link. If the email is already
    registered, nothing is created and the owner is told by email instead (so the response to
    the visitor is the same either way). ``next_url`` (a path on this site, checked by the
    caller) rides on the links, so after confirming and signing in the person goes back there."""
    name = " ".join(name.split())
    email = normalise_email(email)
    if not name:
        raise DomainError("Enter your name", field="name")
    if not accepted_privacy:
        raise DomainError("You must agree to the privacy notice to register", field="privacy")
    _check_password(password, email=email, name=name)
    existing = find_user_by_email(email)
    if existing is not None:
        queue_email(
            kind="already_registered",
            to=existing.email,
            user=existing,
            subject="Someone tried to register with your email address",
            sign_in_url=_link("accounts.sign_in", next=next_url),
            reset_url=_link("accounts.forgotten_password"),
        )
        return existing
    user = User(email=email, name=name, password_hash=hash_password(password))
    user.roles.append(UserRole(role=Role.VOLUNTEER.value))
    db.session.add(user)
    db.session.flush()
    db.session.add(
        ConsentRecord(
            user_id=user.id,
            purpose="privacy_notice",
            version=current_app.config["PRIVACY_NOTICE_VERSION"],
            method="registration_form",
        )
    )
    audit.record("registered", actor=user, target=user)
    send_verification_email(user, next_url=next_url)
    return user


def send_verification_email(user: User, *, next_url: str | None = None) -> None:
    if user.email_verified_at is not None:
        return
    queue_email(
        kind="verify_email",
        to=user.email,
        user=user,
        subject="Confirm your email address",
        verify_url=_link(
            "accounts.verify_email", token=make_token(user, "verify_email"), next=next_url
        ),
    )


def _read_link(token: str, purpose: str, *, when_expired: str) -> tuple[User, str]:
    """The user a link is for, or a DomainError saying what went wrong in plain words."""
    try:
        return read_token(token, purpose)
    except InvalidToken as error:
        raise DomainError(
            when_expired if error.expired else "This link is not valid or has already been used"
        ) from None


def verify_email(token: str) -> User:
    user, _ = _read_link(
        token, "verify_email", when_expired="This link has expired. Sign in to get a new one"
    )
    # Once, for the address the link was sent to: the same link opened twice at once confirms
    # (and is audited) once.
    compare_and_set_where(
        user,
        User.email_verified_at.is_(None),
        User.email == user.email,
        values={"email_verified_at": utcnow()},
        message="Your email address is already confirmed. You can sign in.",
    )
    audit.record("email_verified", actor=user, target=user)
    db.session.flush()
    return user


# Signing in ----------------------------------------------------------------------------------


def authenticate(*, email: str, password: str) -> User:
    """The user if the email and password match an active account; otherwise DomainError with
    the same message whatever went wrong. Repeated failures slow the account down."""
    user = find_user_by_email(email)
    now = utcnow()
    if user is None:
        verify_password(None, password)  # same work as a real check
        audit.record("sign_in_failed", details={"reason": "unknown_email"})
        raise DomainError(SIGN_IN_FAILED)
    if user.throttled_until is not None and user.throttled_until > now:
        audit.record("sign_in_throttled", target=user)
        raise DomainError(SIGN_IN_FAILED)
    if not verify_password(user.password_hash, password) or not user.is_active:
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= FREE_ATTEMPTS:
            minutes = min(2 ** (user.failed_sign_ins - FREE_ATTEMPTS), MAX_THROTTLE_MINUTES)
            user.throttled_until = now + timedelta(minutes=minutes)
        reason = "inactive" if user.is_active is False else "wrong_password"
        audit.record("sign_in_failed", target=user, details={"reason": reason})
        db.session.flush()
        raise DomainError(SIGN_IN_FAILED)
    user.failed_sign_ins = 0
    user.throttled_until = None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.session.flush()
    return user


def record_sign_in(user: User, *, method: str = "password") -> None:
    user.last_sign_in_at = utcnow()
    audit.record("sign_in", actor=user, target=user, details={"method": method})


def sign_out(user: User) -> None:
    """End the user's sessions on the server, not only in this browser: raising the session
    version makes every cookie issued so far (this one, any copy of it, other devices) load
    nobody. One atomic increment, so parallel sign-outs cannot undo each other."""
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session="fetch")
    )
    audit.record("sign_out", actor=user, target=user)


# Passwords -----------------------------------------------------------------------------------


def request_password_reset(*, email: str) -> None:
    """Email a reset link if the address belongs to an active account; do nothing visible
    otherwise."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        audit.record("password_reset_requested", details={"known": False})
        return
    queue_email(
        kind="reset_password",
        to=user.email,
        user=user,
        subject="Reset your password",
        reset_url=_link("accounts.reset_password", token=make_token(user, "reset_password")),
    )
    audit.record("password_reset_requested", target=user, details={"known": True})


def user_for_reset_token(token: str, purpose: str = "reset_password") -> User:
    user, _ = _read_link(token, purpose, when_expired="This link has expired. Ask for a new one")
    if not user.is_active:
        raise DomainError("This link is not valid or has already been used")
    return user


def _set_password(user: User, password: str) -> None:
    _check_password(password, email=user.email, name=user.name)
    user.password_hash = hash_password(password)
    user.session_version += 1  # ends every other session
    user.failed_sign_ins = 0
    user.throttled_until = None


def reset_password(*, token: str, password: str, purpose: str = "reset_password") -> User:
    user = user_for_reset_token(token, purpose)
    _check_password(password, email=user.email, name=user.name)
    # The link works once: the password changes only from the state the link was made for (the
    # same password and session version), so of two uses at once one sets it and is audited.
    compare_and_set_where(
        user,
        User.session_version == user.session_version,
        User.password_hash.is_not_distinct_from(user.password_hash),
        values={
            "password_hash": hash_password(password),
            "session_version": User.session_version + 1,  # ends every other session
            "failed_sign_ins": 0,
            "throttled_until": None,
            # The link reached them by email, so the address works.
            **({"email_verified_at": utcnow()} if user.email_verified_at is None else {}),
        },
        message="This link has already been used: sign in with the new password, or ask for "
        "a new link.",
    )
    audit.record(
        "invitation_accepted" if purpose == "invitation" else "password_reset",
        actor=user,
        target=user,
    )
    db.session.flush()
    return user


def change_password(*, user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise DomainError("Your current password is not right", field="current_password")
    _set_password(user, new_password)
    queue_email(
        kind="password_changed",
        to=user.email,
        user=user,
        subject="Your password has been changed",
        reset_url=_link("accounts.forgotten_password"),
    )
    audit.record("password_changed", actor=user, target=user)
    db.session.flush()


# Email address -------------------------------------------------------------------------------


def request_email_change(*, user: User, password: str, new_email: str) -> None:
    """Re-authenticate, then send a confirmation link to the new address."""
    if not verify_password(user.password_hash, password):
        raise DomainError("Your password is not right", field="password")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise DomainError("This is already your email address", field="email")
    token = make_token(user, "change_email", extra=new_email)
    queue_email(
        kind="confirm_new_email",
        to=new_email,
        user=user,
        subject="Confirm your new email address",
        confirm_url=_link("accounts.confirm_email_change", token=token),
    )
    audit.record("email_change_requested", actor=user, target=user)


def confirm_email_change(*, token: str) -> User:
    user, new_email = _read_link(
        token, "change_email", when_expired="This link has expired. Ask for a new one"
    )
    if not user.is_active:
        raise DomainError("This link is not valid or has already been used")
    if find_user_by_email(new_email) is not None:
        raise DomainError("Another account already uses this email address")
    old_email = user.email
    try:
        compare_and_set_where(
            user,
            User.email == old_email,
            values={"email": new_email, "email_verified_at": utcnow()},
            message="Your email address has already been changed.",
        )
    except IntegrityError:  # another account took the address at the same moment
        raise DomainError("Another account already uses this email address") from None
    queue_email(
        kind="email_changed",
        to=old_email,
        user=user,
        subject="Your email address has been changed",
        new_email=new_email,
        contact=current_app.config["CONTACT_EMAIL"],
    )
    audit.record("email_changed", actor=user, target=user)
    db.session.flush()
    return user


# Administration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """A role to give: a global role, or a membership role in one organisation."""

    role: str
    organisation_id: int | None = None


def _locked(user: User) -> User:
    """The person's row locked until the transaction ends and read again with their roles, so
    two administrators (or a double click) changing the same person act one after the other."""
    user = lock(user)
    db.session.expire(user, ["roles", "memberships"])
    return user


def _apply_grant(user: User, grant: Grant, *, actor: User | None) -> None:
    if grant.role in {r.value for r in Role}:
        if grant.organisation_id is not None:
            raise DomainError("This role is not given for one organisation", field="role")
        if not user.has_role(grant.role):
            user.roles.append(UserRole(role=grant.role))
            audit.record("role_granted", actor=actor, target=user, details={"role": grant.role})
        return
    if grant.role in {r.value for r in MembershipRole}:
        if grant.organisation_id is None:
            raise DomainError("Choose the organisation for this role", field="organisation")
        organisation_model = Membership.organisation.property.mapper.class_
        if db.session.get(organisation_model, grant.organisation_id) is None:
            raise DomainError("Choose an organisation from the list", field="organisation")
        if grant.organisation_id not in user.organisation_ids(grant.role):
            user.memberships.append(
                Membership(organisation_id=grant.organisation_id, role=grant.role)
            )
            audit.record(
                "role_granted",
                actor=actor,
                target=user,
                details={"role": grant.role, "organisation_id": grant.organisation_id},
            )
        return
    raise DomainError("Choose a role from the list", field="role")


def grant_role(*, actor: User, user: User, grant: Grant) -> None:
    _apply_grant(_locked(user), grant, actor=actor)
    db.session.flush()


def revoke_role(*, actor: User, user: User, grant: Grant) -> None:
    user = _locked(user)
    if grant.role == Role.ADMIN.value and user.id == actor.id:
        raise DomainError("You cannot remove your own administrator role", field="role")
    if grant.role == Role.ADMIN.value and _active_admin_count() <= 1 and user.is_admin:
        raise DomainError("There must always be at least one administrator", field="role")
    removed = False
    for role in list(user.roles):
        if grant.organisation_id is None and role.role == grant.role:
            user.roles.remove(role)
            removed = True
    for membership in list(user.memberships):
        if membership.role == grant.role and membership.organisation_id == grant.organisation_id:
            user.memberships.remove(membership)
            removed = True
    if not removed:
        raise DomainError("This person does not have that role", field="role")
    user.session_version += 1  # fewer rights take effect at once
    audit.record(
        "role_revoked",
        actor=actor,
        target=user,
        details={"role": grant.role, "organisation_id": grant.organisation_id},
    )
    db.session.flush()


def _active_admin_count() -> int:
    return int(
        db.session.scalar(
            select(func.count(User.id))
            .join(UserRole)
            .where(UserRole.role == Role.ADMIN.value, User.is_active.is_(True))
        )
        or 0
    )


def invite_user(*, actor: User, email: str, name: str, grants: list[Grant]) -> User:
    email = normalise_email(email)
    name = " ".join(name.split())
    if not name:
        raise DomainError("Enter the person's name", field="name")
    if find_user_by_email(email) is not None:
        raise DomainError("Someone already has an account with this email address", field="email")
    if not grants:
        raise DomainError("Choose a role", field="role")
    user = User(email=email, name=name, password_hash=None)
    db.session.add(user)
    db.session.flush()
    for grant in grants:
        _apply_grant(user, grant, actor=actor)
    audit.record("user_invited", actor=actor, target=user)
    queue_email(
        kind="invitation",
        to=email,
        user=user,
        subject=f"You have been invited to {current_app.config['SERVICE_NAME']}",
        inviter=actor.name,
        accept_url=_link("accounts.accept_invitation", token=make_token(user, "invitation")),
    )
    db.session.flush()
    return user


def set_active(*, actor: User, user: User, active: bool) -> None:
    user = _locked(user)
    if user.id == actor.id and not active:
        raise DomainError("You cannot deactivate your own account")
    if not active and user.is_admin and _active_admin_count() <= 1:
        raise DomainError("There must always be at least one active administrator")
    if user.is_active == active:
        return
    user.is_active = active
    user.session_version += 1  # deactivation ends every session
    audit.record("user_activated" if active else "user_deactivated", actor=actor, target=user)
    db.session.flush()


def create_admin(*, email: str, name: str, password: str) -> User:
    """First run: an administrator with a verified email (they set up two-factor on sign-in)."""
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise DomainError(f"{email} already has an account")
    _check_password(password, email=email, name=name)
    user = User(
        email=email, name=name, password_hash=hash_password(password), email_verified_at=utcnow()
    )
    user.roles.extend([UserRole(role=Role.ADMIN.value), UserRole(role=Role.VOLUNTEER.value)])
    db.session.add(user)
    db.session.flush()
    audit.record("admin_created", target=user, details={"via": "command line"})
    return user


# Two-factor ----------------------------------------------------------------------------------


#: Wording versions of what people consent to (bump one when its wording changes materially).
CONSENT_VERSIONS = {
    "equality_monitoring": "2026-11",
    "contact_opportunities": "2026-11",
    "share_profile": "2026-11",
    "found_by_partners": "2026-11",
    "photos": "2026-11",
    "timebank_terms": "1",
}


def give_consent(
    user: User, purpose: str, method: str, version: str | None = None
) -> ConsentRecord:
    """Record consent (what, which wording, when, how); again while it stands: a no-op.

    The person's row is locked first, so a double click (or two forms at once) records one
    consent and one audit event: the second waits, then finds the first's consent standing."""
    lock(db.session.get(User, user.id))
    existing = active_consent(user, purpose)
    wording = version or (
        current_app.config["PRIVACY_NOTICE_VERSION"]
        if purpose == "privacy_notice"
        else CONSENT_VERSIONS.get(purpose, "1")
    )
    if existing is not None and existing.version == wording:
        return existing
    if existing is not None:
        existing.withdrawn_at = utcnow()  # superseded by the new wording
    record = ConsentRecord(user_id=user.id, purpose=purpose, version=wording, method=method)
    db.session.add(record)
    db.session.flush()
    audit.record("consent.given", actor=user, target=user, details={"purpose": purpose})
    return record


def withdraw_consent(user: User, purpose: str) -> bool:
    """Withdraw; True when there was a consent to withdraw. One conditional update (only
    consents still standing), so of two withdrawals at once one withdraws and is audited and the
    other finds nothing left to withdraw."""
    withdrawn = db.session.execute(
        update(ConsentRecord)
        .where(
            ConsentRecord.user_id == user.id,
            ConsentRecord.purpose == purpose,
            ConsentRecord.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=utcnow())
    ).rowcount  # type: ignore[attr-defined]
    if withdrawn:
        audit.record("consent.withdrawn", actor=user, target=user, details={"purpose": purpose})
    return bool(withdrawn)
