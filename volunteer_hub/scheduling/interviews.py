"""Interview slots: coordinators publish them, applicants at the interview stage book, move or
cancel one. Services flush, never commit. A booking takes its application's row lock, then the
slot's: one booking per application, one applicant per slot, under double clicks and parallel
requests. Every change emails both sides an ``.ics`` (REQUEST, or CANCEL) through the outbox."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.outbox import Attachment, queue_email
from volunteer_hub.accounts.permissions import Action, register_rule
from volunteer_hub.accounts.queries import coordinators_of
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import date_time
from volunteer_hub.core.navigation import external_url
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set, compare_and_set_where, lock
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Role
from volunteer_hub.recruitment.models import Application, Stage
from volunteer_hub.scheduling import interview_ics, interview_queries, queries
from volunteer_hub.scheduling.models import InterviewBooking, InterviewSlot
from volunteer_hub.scheduling.times import local, to_utc

MAX_SLOTS = 20
MAX_MINUTES = 480


def video_link(text: str | None) -> str | None:
    """An ``https`` link to a video call, or None when left empty."""
    text = (text or "").strip()
    if not text:
        return None
    parts = urlsplit(text)
    if (
        len(text) > 500
        or parts.scheme != "https"
        or not parts.hostname
        or "." not in parts.hostname
        or parts.username is not None
        or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in text)
    ):
        raise DomainError(
            "Enter the video link as a full https:// address, like https://meet.example.org/abc",
            field="video_url",
        )
    return text


@dataclass(frozen=True)
class SlotPlan:
    """Slots to add: the first start (Europe/London wall clock), their length, how many, the
    minutes between one's end and the next one's start, and where."""

    first: datetime
    minutes: int
    count: int = 1
    gap: int = 0
    place: str | None = None
    video_url: str | None = None

    def starts(self) -> list[datetime]:
        step = timedelta(minutes=self.minutes + self.gap)
        return [to_utc(self.first + n * step) for n in range(self.count)]


def _check_plan(plan: SlotPlan, now: datetime) -> list[datetime]:
    if not 5 <= plan.minutes <= MAX_MINUTES:
        raise DomainError("An interview lasts 5 to 480 minutes", field="minutes")
    if not 1 <= plan.count <= MAX_SLOTS:
        raise DomainError(f"Add 1 to {MAX_SLOTS} slots at a time", field="count")
    if not 0 <= plan.gap <= MAX_MINUTES:
        raise DomainError("Leave 0 to 480 minutes between slots", field="gap")
    if not (plan.place or plan.video_url):
        raise DomainError("Enter where the interview is, or a video link", field="place")
    starts = plan.starts()
    if starts[0] <= now:
        raise DomainError("Interview slots must be in the future", field="day")
    return starts


def add_slots(*, actor: User, role: Role, plan: SlotPlan, now: datetime) -> list[InterviewSlot]:
    """Publish one or more slots for the role. A role's slots do not overlap, so the same
    slots sent twice (a double click) are added once."""
    if not queries.manages(actor, role.organisation_id):
        raise DomainError("Only the organisation's coordinators publish interview slots")
    video = video_link(plan.video_url)
    starts = _check_plan(plan, now)
    lock(role)  # slots of one role are added one request at a time
    length = timedelta(minutes=plan.minutes)
    clashes = [
        slot
        for start in starts
        for slot in interview_queries.overlapping_slots(role.id, start, start + length)
    ]
    if clashes:
        if {c.starts_at for c in clashes} == set(starts) and len(clashes) == len(starts):
            raise AlreadyDone("These interview slots were already added.")
        first = local(min(c.starts_at for c in clashes))
        raise DomainError(
            f"These overlap the slot at {date_time(first, weekday=True)}", field="start"
        )
    slots = [
        InterviewSlot(
            role_id=role.id,
            starts_at=start,
            minutes=plan.minutes,
            place=(plan.place or "").strip() or None,
            video_url=video,
        )
        for start in starts
    ]
    db.session.add_all(slots)
    db.session.flush()
    audit("interview.slots_added", actor=actor, target=role, details={"count": len(slots)})
    return slots


def _tell(booking: InterviewBooking, slot: InterviewSlot, headline: str) -> None:
    """Email the applicant and the role's coordinators (or the organisation's contact), each
    with their own copy of the invitation or cancellation."""
    role = slot.role
    application_link = external_url(
        "recruitment.application", application_id=booking.application_id
    )
    when = date_time(slot.starts_at, weekday=True)
    where = slot.video_url or slot.place or ""
    readers: list[tuple[str, User | None, bool]] = []
    if booking.volunteer.email:
        readers.append((booking.volunteer.email, None, False))
    staff = [u for u in coordinators_of(role.organisation_id) if u.email]
    readers += [(u.email, u, True) for u in staff]
    if not staff and role.organisation.contact_email:
        readers.append((role.organisation.contact_email, None, True))
    for email, user, is_staff in readers:
        invitation = interview_ics.for_booking(
            booking, slot=slot, staff=is_staff, link=application_link
        )
        method = interview_ics.method_of(invitation)
        about = f"{booking.volunteer.name}'s interview" if is_staff else "Your interview"
        queue_email(
            kind="interview",
            to=email,
            user=user,
            subject=f"{headline}: {about} for {role.title}, {when}",
            body=(
                f"{about} for the {role.title} role with {role.organisation.name}: {when}, "
                f"{slot.minutes} minutes. Where: {where}. {headline}. The application: "
                f"{application_link}"
            ),
            attachments=[
                Attachment(
                    "interview.ics",
                    f"text/calendar; method={method}; charset=utf-8",
                    interview_ics.calendar(invitation),
                )
            ],
        )


def _check_application(user: User, application: Application) -> Application:
    if application.volunteer.user_id != user.id:
        raise DomainError("Only the applicant books their interview")
    application = lock(application)
    if application.stage != Stage.INTERVIEW.value:
        raise DomainError("Interviews are booked while the application is at the interview stage")
    return application


def book(
    *, user: User, application: Application, slot: InterviewSlot, now: datetime
) -> InterviewBooking:
    """The applicant books a slot, or moves their booking to it (same UID, SEQUENCE + 1)."""
    application = _check_application(user, application)
    if slot.role_id != application.role_id:
        raise DomainError("Choose one of this role's interview times")
    slot = lock(slot)
    if slot.cancelled or slot.starts_at <= now:
        raise DomainError("That time is no longer available: choose another", field="slot")
    current = interview_queries.booking_of_application(application.id)
    if current is not None and current.slot_id == slot.id:
        raise AlreadyDone("You have already booked this time.")
    holder = interview_queries.holder_of(slot.id)
    if holder is not None:
        if interview_queries.is_live(holder):
            raise DomainError("Someone has just booked that time: choose another", field="slot")
        release(holder)
    if current is not None:
        if current.slot.starts_at <= now:
            raise DomainError("Your interview has started: ask the coordinator to change it")
        compare_and_set_where(
            current,
            InterviewBooking.status == "booked",
            InterviewBooking.slot_id == current.slot_id,
            values={"slot_id": slot.id, "sequence": InterviewBooking.sequence + 1},
            message="Your booking has just changed: see it below.",
        )
        db.session.refresh(current)
        audit("interview.moved", actor=user, target=current)
        _tell(current, slot, "Moved")
        return current
    booking = InterviewBooking(
        slot_id=slot.id,
        application_id=application.id,
        volunteer_id=application.volunteer_id,
        status="booked",
        uid=f"interview-{secrets.token_hex(12)}@volunteerhub",
        sequence=0,
    )
    db.session.add(booking)
    db.session.flush()
    audit("interview.booked", actor=user, target=booking)
    _tell(booking, slot, "Booked")
    return booking


def cancel_booking(*, user: User, booking: InterviewBooking, now: datetime) -> InterviewBooking:
    """The applicant (or the role's coordinators) cancel a booking before it starts."""
    own = booking.volunteer.user_id == user.id
    if not (own or queries.manages(user, booking.slot.role.organisation_id)):
        raise DomainError("You can only cancel your own interview")
    if booking.status != "booked":
        raise AlreadyDone("This interview is already cancelled.")
    if booking.slot.starts_at <= now:
        raise DomainError("This interview has started")
    _end(booking, "cancelled")
    audit("interview.cancelled", actor=user, target=booking)
    return booking


def _end(booking: InterviewBooking, status: str) -> None:
    compare_and_set(
        booking,
        expected="booked",
        values={"status": status, "sequence": InterviewBooking.sequence + 1},
        message="This interview is already cancelled.",
    )
    db.session.refresh(booking)
    _tell(booking, booking.slot, "Cancelled")


def release(booking: InterviewBooking) -> None:
    """Free the slot of an application that has left the interview stage (once)."""
    _end(booking, "released")
    audit("interview.released", target=booking)


def release_stale() -> int:
    """Free every slot still booked by an application that has moved on; returns how many.
    Run by the hourly job; a run in parallel frees none twice."""
    freed = 0
    for booking in interview_queries.stale_bookings():
        try:
            release(booking)
        except AlreadyDone:
            continue
        freed += 1
    db.session.flush()
    return freed


def cancel_slot(*, actor: User, slot: InterviewSlot, now: datetime) -> InterviewBooking | None:
    """A coordinator withdraws a slot before it starts; the applicant who booked it is told
    (with an ``.ics`` CANCEL). Returns the cancelled booking, if there was one."""
    if not queries.manages(actor, slot.role.organisation_id):
        raise DomainError("Only the organisation's coordinators cancel interview slots")
    if slot.starts_at <= now:
        raise DomainError("This interview slot has started")
    slot = lock(slot)
    compare_and_set_where(
        slot,
        InterviewSlot.cancelled.is_(False),
        values={"cancelled": True},
        message="This slot is already cancelled.",
    )
    audit("interview.slot_cancelled", actor=actor, target=slot)
    holder = interview_queries.holder_of(slot.id)
    if holder is None:
        return None
    _end(holder, "cancelled" if interview_queries.is_live(holder) else "released")
    return holder


# --- the objects' rules, for get_or_404 ------------------------------------------------------


def slot_rule(user: User, slot: InterviewSlot, action: Action) -> bool:
    """The role's organisation's coordinators and the centre see and change slots."""
    return queries.manages(user, slot.role.organisation_id)


def booking_rule(user: User, booking: InterviewBooking, action: Action) -> bool:
    """The applicant and the role's coordinators see and cancel a booking."""
    if queries.manages(user, booking.slot.role.organisation_id):
        return True
    return booking.volunteer.user_id == user.id


register_rule(InterviewSlot, slot_rule)
register_rule(InterviewBooking, booking_rule)
