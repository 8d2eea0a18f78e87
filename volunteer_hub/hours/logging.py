"""Volunteers log hours against their placements; supervisors and coordinators approve them.

Rules (checked here, for every way in):
- only against one of the volunteer's own placements, on a date from its start to its end (or
  today), never in the future;
- a positive duration in 15-minute steps;
- at most 24 hours in one day for one volunteer, across every organisation;
- the same placement, date and duration again needs the volunteer's confirmation;
- approval by the placement's supervisor or the organisation's coordinators (or the centre),
  never by the volunteer themselves;
- except that hours a coordinator logs for their own placement with an organisation they
  coordinate are approved as they are logged when that organisation has switched on
  ``auto_approve_coordinator_hours`` (decided by nobody, with the reason shown, audited as
  ``hours.auto_approved``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import coordinated_organisation_ids
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord, HourSource, HourStatus
from volunteer_hub.hours.services import (
    AUTO_APPROVED,
    MAX_SECONDS,
    approve,
    hour_record_rule,
    reject,
)
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.placements.models import Placement
from volunteer_hub.volunteers.models import Volunteer

STEP_SECONDS = 15 * 60


class NeedsConfirmation(DomainError):
    """The same hours were logged already; ask before logging them again."""


def counted_seconds(volunteer_id: int, day: date) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(HourRecord.seconds), 0)).where(
                HourRecord.volunteer_id == volunteer_id,
                HourRecord.date == day,
                HourRecord.status != HourStatus.REJECTED.value,
            )
        )
        or 0
    )


def log_for_placement(
    *,
    user: User,
    placement: Placement,
    day: date,
    minutes: int,
    note: str = "",
    today: date,
    confirmed: bool = False,
) -> HourRecord:
    if placement.volunteer.user_id != user.id:
        raise DomainError("You can only log hours for your own placements")
    if day > today:
        raise DomainError("The date cannot be in the future", field="day")
    if day < placement.start_date:
        raise DomainError(
            f"The placement started on {placement.start_date:%-d %B %Y}; choose a date from then",
            field="day",
        )
    if placement.end_date is not None and day > placement.end_date:
        raise DomainError(f"The placement ended on {placement.end_date:%-d %B %Y}", field="day")
    seconds = minutes * 60
    if seconds <= 0 or seconds % STEP_SECONDS:
        raise DomainError("Enter a time of at least 15 minutes, in 15-minute steps", field="hours")
    if seconds > MAX_SECONDS:
        raise DomainError("Enter at most 24 hours", field="hours")
    already = counted_seconds(placement.volunteer_id, day)
    if already + seconds > MAX_SECONDS:
        left = max(0, MAX_SECONDS - already) // 60
        raise DomainError(
            f"That would make more than 24 hours on {day:%-d %B %Y} across all your "
            f"volunteering; at most {left // 60} hours {left % 60} minutes more can be logged",
            field="hours",
        )
    duplicate = db.session.scalar(
        select(HourRecord.id).where(
            HourRecord.placement_id == placement.id,
            HourRecord.date == day,
            HourRecord.seconds == seconds,
            HourRecord.status != HourStatus.REJECTED.value,
        )
    )
    if duplicate and not confirmed:
        raise NeedsConfirmation(
            "You have already logged this time for this placement on that day. Log it again only "
            "if it was a second session.",
            field="confirm",
        )
    note = " ".join(note.split())
    if len(note) > 500:
        raise DomainError("Keep the note to 500 characters or fewer", field="note")
    record = HourRecord(
        volunteer_id=placement.volunteer_id,
        organisation_id=placement.organisation_id,
        role_id=placement.role_id,
        placement_id=placement.id,
        soc_code=placement.role.soc_code,
        date=day,
        seconds=seconds,
        status=HourStatus.SUBMITTED.value,
        source=HourSource.LOGGED.value,
        note=note or None,
    )
    db.session.add(record)
    db.session.flush()
    audit("hours.logged", actor=user, target=record, details={"minutes": minutes})
    approve_automatically_if_set(user=user, organisation=placement.organisation, record=record)
    return record


def log_week(
    *, user: User, placement: Placement, entries: list[tuple[date, int]], today: date
) -> dict[str, str]:
    """Several days of one placement at once, as (day, minutes): each day logged as
    :func:`log_for_placement` does (confirmed: the week's page shows what is logged already).
    Returns what is wrong by ISO day; the caller keeps nothing unless that is empty."""
    problems: dict[str, str] = {}
    for day, minutes in entries:
        try:
            log_for_placement(
                user=user,
                placement=placement,
                day=day,
                minutes=minutes,
                today=today,
                confirmed=True,
            )
        except DomainError as error:
            problems[day.isoformat()] = error.message
    return problems


def approve_automatically_if_set(
    *, user: User, organisation: Organisation, record: HourRecord
) -> bool:
    """Approve a coordinator's own hours at once when their organisation has chosen to."""
    if not organisation.auto_approve_coordinator_hours:
        return False
    if organisation.id not in coordinated_organisation_ids(user):
        return False
    record.status = HourStatus.APPROVED.value
    record.approved_by_id = None  # nobody decided: the organisation's setting did
    record.approved_at = utcnow()
    record.decision_reason = AUTO_APPROVED
    db.session.flush()
    audit("hours.auto_approved", actor=user, target=record, details={"seconds": record.seconds})
    return True


def may_decide(user: User, record: HourRecord) -> bool:
    """The placement's supervisor, the organisation's coordinators or the centre."""
    return hour_record_rule(user, record, "change")


def decide_many(
    *, approver: User, records: list[HourRecord], approve_them: bool, reason: str = ""
) -> int:
    """Approve or reject several records in one transaction: all or nothing."""
    if not records:
        raise DomainError("Choose at least one record")
    for record in records:
        if not may_decide(approver, record):
            raise DomainError("You can only decide hours for your own volunteers")
        if approve_them:
            approve(record, approver=approver)
        else:
            reject(record, approver=approver, reason=reason)
    return len(records)


def correct(*, approver: User, record: HourRecord, minutes: int, reason: str) -> HourRecord:
    """Approved hours are never edited in place: the record is rejected with the reason and an
    approved replacement records the right time, so the audit trail shows both."""
    if record.status != HourStatus.APPROVED.value:
        if db.session.scalar(select(HourRecord.id).where(HourRecord.replaces_id == record.id)):
            raise AlreadyDone("These hours were already corrected.")
        raise DomainError("Only approved hours are corrected; decide submitted ones instead")
    if not may_decide(approver, record):
        raise DomainError("You can only correct hours for your own volunteers")
    seconds = minutes * 60
    if seconds <= 0 or seconds % STEP_SECONDS or seconds > MAX_SECONDS:
        raise DomainError("Enter the right time, in 15-minute steps up to 24 hours", field="hours")
    if seconds == record.seconds:
        raise DomainError("That is the time already recorded", field="hours")
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError("Say why the hours are being corrected", field="reason")
    volunteer_user = db.session.scalar(
        select(Volunteer.user_id).where(Volunteer.id == record.volunteer_id)
    )
    if volunteer_user == approver.id:
        raise DomainError("Nobody corrects their own hours")
    others = counted_seconds(record.volunteer_id, record.date) - record.seconds
    if others + seconds > MAX_SECONDS:
        raise DomainError("That would make more than 24 hours on that day", field="hours")
    compare_and_set(
        record,
        expected=HourStatus.APPROVED.value,
        values={
            "status": HourStatus.REJECTED.value,
            "decision_reason": f"Corrected: {reason}"[:500],
        },
        message="These hours were already corrected.",
    )
    replacement = HourRecord(
        volunteer_id=record.volunteer_id,
        organisation_id=record.organisation_id,
        role_id=record.role_id,
        placement_id=record.placement_id,
        soc_code=record.soc_code,
        date=record.date,
        seconds=seconds,
        status=HourStatus.APPROVED.value,
        source=record.source,
        employer_time=record.employer_time,
        note=record.note,
        replaces_id=record.id,
        approved_by_id=approver.id,
        approved_at=utcnow(),
    )
    db.session.add(replacement)
    db.session.flush()
    audit(
        "hours.corrected",
        actor=approver,
        target=record,
        details={"from_minutes": record.seconds // 60, "to_minutes": minutes, "reason": reason},
    )
    return replacement
