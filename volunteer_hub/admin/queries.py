"""Reads of the administration pages: people found by name or email, and the audit log
filtered as the search form asks."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select

from volunteer_hub.accounts.models import AuditEvent, User
from volunteer_hub.core.formatting import LONDON


def people(query: str) -> Select[Any]:
    """Users by name, whose name or email holds ``query`` (every user when it is empty)."""
    statement = select(User).order_by(User.name, User.id)
    if query:
        like = f"%{query.lower()}%"
        statement = statement.where(or_(func.lower(User.name).like(like), User.email.like(like)))
    return statement


def audit_events(
    *,
    action: str | None = None,
    actor: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    target: str | None = None,
) -> Select[Any]:
    """Audit events, latest first, filtered by action (as stored, "role.saved", or as the page
    shows it, "Role saved"), the actor's email, London days from and to (included) and the
    target's type (either way too) or id."""
    statement = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        # "role.saved" and "Role saved" (as the page shows it) find the same events.
        words = " ".join(action.replace(".", " ").replace("_", " ").lower().split())
        shown = func.replace(func.replace(AuditEvent.action, ".", " "), "_", " ")
        statement = statement.where(shown == words)
    if actor:
        statement = statement.join(User, AuditEvent.actor_id == User.id).where(
            User.email == actor.strip().lower()
        )
    if date_from:
        start = datetime.combine(date_from, time.min, tzinfo=LONDON)
        statement = statement.where(AuditEvent.at >= start)
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=LONDON)
        statement = statement.where(AuditEvent.at < end)
    if target:
        target = target.strip()
        kind = "_" + "_".join(target.lower().split())  # "role" as the page shows it
        statement = statement.where(
            or_(
                AuditEvent.target_type == target,
                AuditEvent.target_type.endswith(kind, autoescape=True),
                AuditEvent.target_id == target,
            )
        )
    return statement
