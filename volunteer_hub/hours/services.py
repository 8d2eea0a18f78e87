"""Logging and approving hours. Services flush, never commit; the caller commits once."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import (
    Action,
    coordinated_organisation_ids,
    register_rule,
    sees_all_organisations,
)
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord, HourSource, HourStatus
from volunteer_hub.organisations.models import Role
from volunteer_hub.volunteers.models import Volunteer

LONDON = ZoneInfo("Europe/London")
MAX_SECONDS = 24 * 3600
#: The reason shown on hours an organisation's setting approved (nobody decided them).
AUTO_APPROVED = "Approved automatically (organisation setting)"


def hour_record_rule(user: User, record: HourRecord, action: Action) -> bool:
    """Coordinators of the record's organisation and the centre see and decide; the volunteer
    sees their own records."""
    if sees_all_organisations(user) or record.organisation_id in coordinated_organisation_ids(user):
        return True
    if record.placement_id is not None:
        from volunteer_hub.placements.models import Placement

        placement = db.session.get(Placement, record.placement_id)
        if placement is not None and placement.supervisor_id == user.id:
            return True  # the placement's named supervisor sees and decides its hours
    if action == "view":
        volunteer = db.session.get(Volunteer, record.volunteer_id)
        return volunteer is not None and volunteer.user_id == user.id
    return False


register_rule(HourRecord, hour_record_rule)


def today() -> date:
    return datetime.now(LONDON).date()


def log_hours(
    *,
    volunteer: Volunteer,
    organisation_id: int,
    day: date,
    seconds: int,
    role: Role | None = None,
    employer_time: bool = False,
    latest: date | None = None,
) -> HourRecord:
    """A submitted record awaiting approval.

    ``latest`` is the last day allowed (default: today, UK time). A shift check-in, which opens 30
    minutes before the start, passes the shift's own day: checking in at 23:45 to a shift that
    starts at 00:15 records the hours on the shift's day, which is tomorrow.
    """
    if day > (latest or today()):
        raise DomainError("The date cannot be in the future", field="date")
    if seconds <= 0 or seconds > MAX_SECONDS:
        raise DomainError("The time must be more than 0 and at most 24 hours", field="duration")
    if role is not None and role.organisation_id != organisation_id:
        raise DomainError("That role belongs to another organisation", field="role")
    record = HourRecord(
        volunteer_id=volunteer.id,
        organisation_id=organisation_id,
        role_id=role.id if role else None,
        soc_code=role.soc_code if role else None,
        date=day,
        seconds=seconds,
        status=HourStatus.SUBMITTED.value,
        source=HourSource.LOGGED.value,
        employer_time=employer_time,
    )
    db.session.add(record)
    db.session.flush()
    return record


def _check_decider(record: HourRecord, approver: User) -> None:
    if record.status != HourStatus.SUBMITTED.value:
        raise AlreadyDone(f"These hours were already {record.status}.")
    if not hour_record_rule(approver, record, "change"):
        raise DomainError("Only the organisation's coordinators can decide these hours")
    volunteer = db.session.get(Volunteer, record.volunteer_id)
    if volunteer is not None and volunteer.user_id == approver.id:
        raise DomainError("Nobody approves their own hours")


def _decide(record: HourRecord, status: HourStatus, *, approver: User, **values: object) -> None:
    """Submitted → approved or rejected, once: a second (or conflicting) decision is refused."""
    compare_and_set(
        record,
        expected=HourStatus.SUBMITTED.value,
        values={
            "status": status.value,
            "approved_by_id": approver.id,
            "approved_at": utcnow(),
            **values,
        },
        message="These hours were already decided.",
    )


def approve(record: HourRecord, *, approver: User) -> HourRecord:
    """Approve submitted hours: from now on they count in reports."""
    _check_decider(record, approver)
    _decide(record, HourStatus.APPROVED, approver=approver)
    audit("hours.approved", actor=approver, target=record, details={"seconds": record.seconds})
    db.session.flush()
    return record


def reject(record: HourRecord, *, approver: User, reason: str) -> HourRecord:
    """Reject submitted hours with a reason the volunteer will see."""
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError("Give a reason for rejecting these hours", field="reason")
    if len(reason) > 500:
        raise DomainError("The reason must be 500 characters or fewer", field="reason")
    _check_decider(record, approver)
    _decide(record, HourStatus.REJECTED, approver=approver, decision_reason=reason)
    audit("hours.rejected", actor=approver, target=record, details={"reason": reason})
    db.session.flush()
    return record
