"""Each person's reminder choices. Services flush, never commit."""

from __future__ import annotations

from sqlalchemy import select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.extensions import db
from volunteer_hub.reminders.models import KINDS, ReminderPreference


def save(*, user: User, enabled: set[str]) -> None:
    unknown = enabled - KINDS.keys()
    if unknown:
        raise DomainError("Choose reminders from the list")
    current = {
        p.kind: p
        for p in db.session.scalars(
            select(ReminderPreference).where(ReminderPreference.user_id == user.id)
        )
    }
    for kind in KINDS:
        row = current.get(kind)
        if row is None:
            row = ReminderPreference(user_id=user.id, kind=kind, enabled=True)
            db.session.add(row)
        row.enabled = kind in enabled
    db.session.flush()
    audit("reminders.preferences", actor=user, target=user, details={"on": sorted(enabled)})
