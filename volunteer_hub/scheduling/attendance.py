"""Attendance: attended or no-show, and the one approved hour record attendance makes.

The record is made through the hours domain's own services (``log_hours``, then ``approve`` by
the coordinator who marked it), for the shift's length, dated the shift's UK day, and linked
from the sign-up. Changing attendance corrects it and never makes a second approved record:
attended → no-show rejects the record ("Corrected: …"); no-show → attended again makes an
approved replacement that names the record it replaces, as hours corrections do.
"""

from __future__ import annotations

from datetime import datetime

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord, HourStatus
from volunteer_hub.hours.services import approve, log_hours
from volunteer_hub.scheduling import queries
from volunteer_hub.scheduling.checkin import attended_seconds, pending_record
from volunteer_hub.scheduling.models import Shift, SignUp
from volunteer_hub.scheduling.services import locked
from volunteer_hub.scheduling.times import local

MARKS = ("attended", "no_show")
#: The reason shown on hours approved by an import rather than a person.
IMPORTED = "Attendance imported from the rota"


def mark(*, actor: User | None, signup: SignUp, status: str, now: datetime) -> SignUp:
    """Mark one place attended or no-show (``actor`` None: the import command)."""
    if status not in MARKS:
        raise DomainError("Choose attended or did not attend")
    shift = locked(signup.shift)  # the sign-up is read again with the others
    if actor is not None and not queries.manages(actor, shift.role.organisation_id):
        raise DomainError("Only the organisation's coordinators mark attendance")
    if shift.starts_at > now:
        raise DomainError("Attendance is marked once the shift has started")
    previous = signup.status
    if previous == status == "attended" and actor is not None and _confirm_check_in(actor, signup):
        return signup
    if previous == status:
        raise AlreadyDone("Attendance was already saved like this.")
    if previous not in ("confirmed", *MARKS):
        raise DomainError("Only volunteers with a place on the shift are marked")
    compare_and_set(
        signup,
        expected=previous,
        values={"status": status},
        message="Attendance was already saved like this.",
    )
    if status == "attended":
        _record_hours(actor, signup, shift)
    else:
        _withdraw_hours(signup)
    db.session.flush()
    audit(f"scheduling.{status}", actor=actor, target=signup)
    return signup


def _record_hours(actor: User | None, signup: SignUp, shift: Shift) -> None:
    current = db.session.get(HourRecord, signup.hour_record_id) if signup.hour_record_id else None
    if current is not None and current.status == HourStatus.APPROVED.value:
        return  # already counted (imported attendance marked again)
    record = log_hours(
        volunteer=signup.volunteer,
        organisation_id=shift.role.organisation_id,
        day=local(shift.starts_at).date(),
        seconds=attended_seconds(signup, shift),
        role=shift.role,
    )
    if current is not None:
        record.replaces_id = current.id
    if actor is None:
        record.status = HourStatus.APPROVED.value
        record.approved_at = utcnow()
        record.decision_reason = IMPORTED
        db.session.flush()
    else:
        approve(record, approver=actor)
    signup.hour_record_id = record.id


def _withdraw_hours(signup: SignUp) -> None:
    if signup.hour_record_id is None:
        return
    current = db.session.get(HourRecord, signup.hour_record_id)
    if current is None or current.status == HourStatus.REJECTED.value:
        return
    compare_and_set(
        current,
        expected=(HourStatus.APPROVED.value, HourStatus.SUBMITTED.value),
        values={
            "status": HourStatus.REJECTED.value,
            "decision_reason": "Corrected: marked as not attending the shift",
        },
        message="These hours were already corrected.",
    )


def mark_many(*, actor: User, shift: Shift, marks: dict[int, str], now: datetime) -> int:
    """Save the roster's attendance form: each sign-up id → attended or no_show. Returns how
    many changed; nothing changed is "already saved"."""
    if not queries.manages(actor, shift.role.organisation_id):
        raise DomainError("Only the organisation's coordinators mark attendance")
    changed = 0
    for signup in list(shift.signups):
        wanted = marks.get(signup.id)
        if wanted is None or (wanted == signup.status and not _confirmable(actor, signup)):
            continue
        mark(actor=actor, signup=signup, status=wanted, now=now)
        changed += 1
    if not changed:
        raise AlreadyDone("Attendance was already saved like this.")
    return changed


def _confirmable(actor: User, signup: SignUp) -> bool:
    """A self check-in whose hours wait for approval, and not the coordinator's own."""
    return (
        signup.status == "attended"
        and signup.volunteer.user_id != actor.id
        and pending_record(signup) is not None
    )


def _confirm_check_in(actor: User, signup: SignUp) -> bool:
    """A coordinator marking a self-checked-in place attended approves its waiting record (the
    same record, never a second one)."""
    record = pending_record(signup)
    if record is None:
        return False
    approve(record, approver=actor)
    audit("scheduling.attended", actor=actor, target=signup, details={"check_in": True})
    return True
