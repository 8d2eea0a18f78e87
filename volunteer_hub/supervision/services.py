"""Recording supervision and who may see it. Services flush, never commit."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set_where, lock
from volunteer_hub.extensions import db
from volunteer_hub.placements.models import Placement
from volunteer_hub.supervision.models import FORMATS, SupervisionAction, SupervisionRecord
from volunteer_hub.supervision.queries import is_supervising, is_the_volunteer
from volunteer_hub.supervision.queries import next_due as next_due  # the old home of this read

MAX_TEXT = 5000


def _text(value: Any, label: str) -> str | None:
    text = str(value or "").strip()
    if len(text) > MAX_TEXT:
        raise DomainError(f"Keep {label} to {MAX_TEXT:,} characters or fewer")
    return text or None


def record_meeting(
    *,
    actor: User,
    placement: Placement,
    values: dict[str, Any],
    actions: list[tuple[str, str, date | None]],
    today: date,
    key: str | None = None,
) -> SupervisionRecord:
    """Record a meeting. ``key`` is the form's one-time key: the same form sent again (a double
    click, a resend) records nothing more and raises :class:`AlreadyDone`."""
    if not is_supervising(actor, placement):
        raise DomainError(
            "Only the supervisor or the organisation's coordinators record supervision"
        )
    met_on = values.get("met_on")
    if not isinstance(met_on, date) or met_on > today:
        raise DomainError(
            "Enter the date of the meeting, which cannot be in the future", field="met_on"
        )
    if met_on < placement.start_date:
        raise DomainError("The meeting is before the placement started", field="met_on")
    if values.get("format") not in FORMATS:
        raise DomainError("Choose how you met", field="format")
    wellbeing = values.get("wellbeing")
    if wellbeing not in (None, "", 1, 2, 3, 4, 5, "1", "2", "3", "4", "5"):
        raise DomainError("Choose a wellbeing score from 1 to 5", field="wellbeing")
    next_on = values.get("next_meeting_on")
    if isinstance(next_on, date) and next_on <= met_on:
        raise DomainError("The next meeting must be after this one", field="next_meeting_on")
    key = key or None
    if key is not None:
        if len(key) > 32:
            raise DomainError("This form is not valid: open it again")
        lock(placement)  # two sends of the same form at once: the second sees the first
        if db.session.scalar(select(SupervisionRecord.id).where(SupervisionRecord.form_key == key)):
            raise AlreadyDone("This meeting is already recorded.")
    record = SupervisionRecord(
        placement_id=placement.id,
        form_key=key,
        supervisor_id=actor.id,
        met_on=met_on,
        format=values["format"],
        wellbeing=int(wellbeing) if wellbeing not in (None, "") else None,
        went_well=_text(values.get("went_well"), "what went well"),
        concerns=_text(values.get("concerns"), "concerns"),
        next_meeting_on=next_on if isinstance(next_on, date) else None,
        confidential_notes=_text(values.get("confidential_notes"), "the confidential notes"),
    )
    for description, owner, due in actions:
        description = " ".join(description.split())
        if not description:
            continue
        if owner not in {"volunteer", "supervisor"} or len(description) > 500:
            raise DomainError("Each action needs a description (up to 500 characters) and an owner")
        record.actions.append(SupervisionAction(description=description, owner=owner, due_on=due))
    db.session.add(record)
    db.session.flush()
    audit("supervision.recorded", actor=actor, target=record, details={"placement": placement.id})
    return record


def view(*, viewer: User, record: SupervisionRecord) -> str:
    """'full', 'volunteer' (no confidential notes) or raises DomainError; views by anyone but
    the volunteer are audited."""
    placement = record.placement
    if is_the_volunteer(viewer, placement):
        return "volunteer"
    if is_supervising(viewer, placement):
        audit("supervision.viewed", actor=viewer, target=record)
        return "full"
    raise DomainError("You cannot see this supervision record")


def comment(*, user: User, record: SupervisionRecord, text: str) -> None:
    if not is_the_volunteer(user, record.placement):
        raise DomainError("Only the volunteer adds their comment")
    record.volunteer_comment = _text(text, "your comment")
    db.session.flush()


def mark_done(*, user: User, action: SupervisionAction) -> None:
    placement = action.record.placement
    own = action.owner == "volunteer" and is_the_volunteer(user, placement)
    if not (own or is_supervising(user, placement)):
        raise DomainError("You can only mark your own actions done")
    compare_and_set_where(
        action,
        SupervisionAction.done_at.is_(None),
        values={"done_at": utcnow()},
        message="This action is already done.",
    )
    db.session.flush()
    audit("supervision.action_done", actor=user, target=action)
