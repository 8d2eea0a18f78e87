"""Accounts' privacy hooks: the sign-in, its consents, emails, audit trail and retention of logs.

Export: the account (no password hash, two-factor secret or session version) with its roles and
memberships, consents, emails (no HTML bodies), the audit trail about them or done by them and
their sign-in history. Erasure: the sign-in is deactivated (placeholder name and email, no
password or two-factor, sessions ended, recovery codes deleted, consents marked withdrawn) and
emails addressed to them keep only their kind and dates. Retention: sign-in entries and other
audit entries, and emails, are deleted after their settings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from volunteer_hub.accounts.models import (
    AuditEvent,
    ConsentRecord,
    Membership,
    OutboxMessage,
    OutboxStatus,
    RecoveryCode,
    Role,
    User,
    UserRole,
)
from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.core.formatting import plural
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db

SIGN_IN_ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_in_throttled",
    "sign_out",
    "two_factor_failed",
    "recovery_code_used",
)


# --- export ----------------------------------------------------------------------------------


@hooks.export(10)
def export_account(subject: hooks.Subject) -> dict[str, Any]:
    user = subject.user
    if user is None:
        return {}
    return {
        "profile": {
            "account": {
                **hooks.row_dict(user, drop=("password_hash", "totp_secret", "session_version")),
                "roles": [r.role for r in user.roles],
                "memberships": [
                    {"organisation": m.organisation.name, "role": m.role} for m in user.memberships
                ],
            }
        }
    }


@hooks.export(20)
def export_consents_and_emails(subject: hooks.Subject) -> dict[str, Any]:
    user = subject.user
    if user is None:
        return {}
    return {
        "consents": hooks.rows(
            select(ConsentRecord)
            .where(ConsentRecord.user_id == user.id)
            .order_by(ConsentRecord.given_at)
        ),
        "emails": hooks.rows(
            select(OutboxMessage)
            .where(or_(OutboxMessage.user_id == user.id, OutboxMessage.to_address == user.email))
            .order_by(OutboxMessage.created_at),
            drop=("body_html",),
        ),
    }


def _is_sign_in(action: str) -> bool:
    return (
        action.startswith(("auth.", "account.sign", "accounts.sign"))
        or "sign_in" in action
        or "signin" in action
    )


@hooks.export(40)
def export_audit(subject: hooks.Subject) -> dict[str, Any]:
    user, volunteer = subject.user, subject.volunteer
    if user is None:
        return {}
    about = [
        (AuditEvent.target_type == "accounts_user") & (AuditEvent.target_id == str(user.id)),
        AuditEvent.actor_id == user.id,
    ]
    if volunteer is not None:
        about.append(
            (AuditEvent.target_type == "volunteers_volunteer")
            & (AuditEvent.target_id == str(volunteer.id))
        )
    events = list(db.session.scalars(select(AuditEvent).where(or_(*about)).order_by(AuditEvent.at)))
    return {
        "audit": [hooks.row_dict(e) for e in events],
        "sign_in_history": [
            {"at": hooks.json_value(e.at), "action": e.action, "ip": e.ip}
            for e in events
            if _is_sign_in(e.action)
        ],
    }


# --- erasure ---------------------------------------------------------------------------------


@hooks.identify(20)
def identify_user(erasure: hooks.Erasure) -> None:
    user = erasure.user
    if user is None:
        return
    erasure.names.add(user.name)
    erasure.add_email(user.email)
    erasure.start[User.__tablename__] = {user.id}


@hooks.erase(80)
def erase_user(erasure: hooks.Erasure) -> None:
    user = erasure.user
    if user is None:
        return
    user.name = erasure.name
    user.email = erasure.email
    user.password_hash = None
    user.is_active = False
    user.session_version = (user.session_version or 1) + 1
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.failed_sign_ins = 0
    user.throttled_until = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(
        update(ConsentRecord)
        .where(ConsentRecord.user_id == user.id, ConsentRecord.withdrawn_at.is_(None))
        .values(withdrawn_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    erasure.erased.append(
        "sign-in deactivated: placeholder name and email, no password or two-factor, "
        "consents withdrawn"
    )


@hooks.erase(100)
def erase_outbox(erasure: hooks.Erasure) -> None:
    conditions: list[ColumnElement[bool]] = []
    if erasure.user is not None:
        conditions.append(OutboxMessage.user_id == erasure.user.id)
    addresses = erasure.emails | erasure.addresses
    if addresses:
        conditions.append(func.lower(OutboxMessage.to_address).in_(sorted(addresses)))
    if not conditions:
        return
    messages = list(db.session.scalars(select(OutboxMessage).where(or_(*conditions))))
    for message in messages:
        message.to_address = erasure.email
        message.subject = hooks.ERASED_TEXT
        message.body_text = ""
        message.body_html = ""
        if message.status == OutboxStatus.PENDING.value:
            message.status = OutboxStatus.FAILED.value
            message.last_error = "recipient erased"
    if messages:
        erasure.erased.append(f"{plural(len(messages), 'email')} in the outbox emptied")


# --- retention -------------------------------------------------------------------------------


@hooks.staff
def staff() -> set[int]:
    """Administrators, centre coordinators and members of organisations."""
    ids = set(
        db.session.scalars(
            select(UserRole.user_id).where(
                UserRole.role.in_((Role.ADMIN.value, Role.CENTRE_COORDINATOR.value))
            )
        )
    )
    return ids | set(db.session.scalars(select(Membership.user_id)))


def _logs(purge: hooks.Purge, *, kind: str) -> int:
    cutoff = hooks.start_of(purge.cutoff)
    if kind == "outbox":
        return hooks.count_or_delete(
            OutboxMessage, [OutboxMessage.created_at < cutoff], purge.dry_run
        )
    sign_ins = AuditEvent.action.in_(SIGN_IN_ACTIONS)
    return hooks.count_or_delete(
        AuditEvent,
        [AuditEvent.at < cutoff, sign_ins if kind == "sign_ins" else ~sign_ins],
        purge.dry_run,
    )


@hooks.purge("sign_ins")
def purge_sign_ins(purge: hooks.Purge) -> int:
    return _logs(purge, kind="sign_ins")


@hooks.purge("audit")
def purge_audit(purge: hooks.Purge) -> int:
    return _logs(purge, kind="audit")


@hooks.purge("outbox")
def purge_outbox(purge: hooks.Purge) -> int:
    return _logs(purge, kind="outbox")
