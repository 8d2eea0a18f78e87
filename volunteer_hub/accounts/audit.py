"""The audit log: append-only records of who did or saw what."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from volunteer_hub.accounts.models import AuditEvent, User
from volunteer_hub.extensions import db


def record(
    action: str,
    *,
    actor: User | None = None,
    target: Any = None,
    target_type: str | None = None,
    target_id: str | int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction."""
    if target is not None:
        target_type = target_type or getattr(target, "__tablename__", type(target).__name__)
        target_id = target_id if target_id is not None else getattr(target, "id", None)
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        ip=request.remote_addr if has_request_context() else None,
        details=details or {},
    )
    db.session.add(event)
    db.session.flush()
    return event
