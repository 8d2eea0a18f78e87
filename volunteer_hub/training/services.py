"""Courses, sessions, bookings, completions and the training a placement needs.
Services flush, never commit."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from sqlalchemy import select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.outbox import queue_email
from volunteer_hub.accounts.permissions import (
    Action,
    coordinated_organisation_ids,
    register_rule,
    sees_all_organisations,
)
from volunteer_hub.core.dates import add_months
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import clock, long_date
from volunteer_hub.core.navigation import external_url
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set, lock
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation, Role, RoleVersion
from volunteer_hub.placements.services import register_place_check
from volunteer_hub.recruitment.models import Application
from volunteer_hub.training.models import (
    Booking,
    Completion,
    Course,
    RoleCourse,
    TrainingException,
    TrainingSession,
)
from volunteer_hub.training.queries import (
    Requirement,
    coordinates_volunteer,
    manages_provider,
    may_mark,
    required_for_role,
    requirements,
)
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import volunteer_for

# --- courses ---------------------------------------------------------------------------------


def _clean(value: Any) -> str:
    return " ".join(str(value or "").split())


def save_course(*, actor: User, values: dict[str, Any], course: Course | None = None) -> Course:
    provider_id = values.get("provider_id")
    if not isinstance(provider_id, int) or db.session.get(Organisation, provider_id) is None:
        raise DomainError("Choose who provides the course", field="provider")
    if not manages_provider(actor, provider_id) or (
        course is not None and not manages_provider(actor, course.provider_id)
    ):
        raise DomainError(
            "You can only add courses your own organisations provide", field="provider"
        )
    title = _clean(values.get("title"))
    if not title or len(title) > 200:
        raise DomainError("Enter the course title (up to 200 characters)", field="title")
    clash = db.session.scalar(select(Course.id).where(Course.title == title))
    if clash is not None and (course is None or clash != course.id):
        raise DomainError("There is already a course with this title", field="title")
    minutes = values.get("duration_minutes")
    if not isinstance(minutes, int) or not 15 <= minutes <= 60 * 24 * 5:
        raise DomainError(
            "Enter the course length in hours and minutes (at least 15 minutes)", field="hours"
        )
    months = values.get("valid_months")
    if months is not None and (not isinstance(months, int) or not 1 <= months <= 240):
        raise DomainError(
            "Enter how many months a completion stays valid (1 to 240), or leave it empty if "
            "it never expires",
            field="valid_months",
        )
    description = str(values.get("description") or "").strip()
    if len(description) > 5000:
        raise DomainError("Keep the description to 5,000 characters", field="description")
    if course is None:
        course = Course(title=title, provider_id=provider_id, duration_minutes=minutes)
        db.session.add(course)
    course.title, course.provider_id, course.duration_minutes = title, provider_id, minutes
    course.valid_months = months
    course.description = description or None
    course.active = bool(values.get("active", True))
    db.session.flush()
    audit("training.course_saved", actor=actor, target=course)
    return course


def set_required_courses(*, actor: User, role: Role, course_ids: set[int]) -> None:
    if not (
        sees_all_organisations(actor) or role.organisation_id in coordinated_organisation_ids(actor)
    ):
        raise DomainError("Only the organisation's coordinators set a role's required training")
    known = set(db.session.scalars(select(Course.id).where(Course.id.in_(course_ids))))
    if known != course_ids:
        raise DomainError("Choose courses from the catalogue")
    current = {rc.course_id: rc for rc in required_for_role(role.id)}
    for course_id in course_ids - current.keys():
        db.session.add(RoleCourse(role_id=role.id, course_id=course_id))
    for course_id in current.keys() - course_ids:
        db.session.delete(current[course_id])
    db.session.flush()
    audit(
        "training.role_requirements",
        actor=actor,
        target=role,
        details={"courses": sorted(course_ids)},
    )


# --- sessions and bookings -------------------------------------------------------------------


def add_session(
    *, actor: User, course: Course, values: dict[str, Any], today: date
) -> TrainingSession:
    if not manages_provider(actor, course.provider_id):
        raise DomainError("Only the course provider's coordinators add sessions")
    held_on = values.get("held_on")
    if not isinstance(held_on, date) or held_on < today:
        raise DomainError("Enter the date of the session, today or later", field="held_on")
    starts_at = values.get("starts_at")
    if not isinstance(starts_at, time):
        raise DomainError(
            "Enter the start time as hours and minutes, like 18:30", field="starts_at"
        )
    place = _clean(values.get("place")) or None
    link = _clean(values.get("online_link")) or None
    if place is None and link is None:
        raise DomainError("Enter where the session is held, or its online link", field="place")
    if link is not None and not link.startswith("https://"):
        raise DomainError("Enter the online link starting with https://", field="online_link")
    capacity = values.get("capacity")
    if not isinstance(capacity, int) or not 1 <= capacity <= 500:
        raise DomainError("Enter the number of places, from 1 to 500", field="capacity")
    lock(course)  # the same session sent twice at once is added once
    if db.session.scalar(
        select(TrainingSession.id).where(
            TrainingSession.course_id == course.id,
            TrainingSession.held_on == held_on,
            TrainingSession.starts_at == starts_at,
            TrainingSession.place.is_not_distinct_from(place),
            TrainingSession.online_link.is_not_distinct_from(link),
            TrainingSession.cancelled.is_(False),
        )
    ):
        raise AlreadyDone("This session is already in the calendar.")
    session = TrainingSession(
        course_id=course.id,
        held_on=held_on,
        starts_at=starts_at,
        place=place,
        online_link=link,
        capacity=capacity,
        trainer_id=actor.id,
    )
    db.session.add(session)
    db.session.flush()
    audit("training.session_added", actor=actor, target=session)
    return session


def _locked(session: TrainingSession) -> TrainingSession:
    """The session row locked until the transaction ends (``FOR UPDATE`` on PostgreSQL, the
    write lock on SQLite), with its bookings read again: every change to a session's bookings
    takes this first, so two bookings cannot both take the last place, a freed place is given
    to exactly one person on the waiting list, and attendance is marked once."""
    session = lock(session)
    db.session.execute(
        select(Booking)
        .where(Booking.session_id == session.id)
        .execution_options(populate_existing=True)
    ).all()
    db.session.expire(session, ["bookings"])
    return session


def book(*, user: User, session: TrainingSession, today: date) -> Booking:
    volunteer = volunteer_for(user)
    session = _locked(session)
    if session.cancelled or not session.bookable_on(today):
        raise DomainError("This session can no longer be booked")
    booking = next((b for b in session.bookings if b.volunteer_id == volunteer.id), None)
    if booking is not None and booking.status != "cancelled":
        raise AlreadyDone(
            "You are already on the waiting list for this session"
            if booking.status == "waiting"
            else "You have already booked this session"
        )
    status = "booked" if session.places_left > 0 else "waiting"
    if booking is None:
        booking = Booking(session_id=session.id, volunteer_id=volunteer.id, status=status)
        db.session.add(booking)
        session.bookings.append(booking)
    else:
        booking.status = status
    db.session.flush()
    audit(f"training.{status}", actor=user, target=booking)
    return booking


def cancel(*, user: User, booking: Booking, today: date) -> Booking | None:
    """Cancel a booking (the volunteer, or the provider's coordinators); the first on the
    waiting list takes a freed place and is emailed. Returns the promoted booking, if any."""
    session = _locked(booking.session)  # the booking is read again with the others
    own = booking.volunteer.user_id == user.id
    if not (own or may_mark(user, session)):
        raise DomainError("You can only cancel your own booking")
    if booking.status == "cancelled":
        raise AlreadyDone("This booking is already cancelled.")
    if booking.status not in ("booked", "waiting"):
        raise DomainError("This booking is not current")
    if not session.bookable_on(today):
        raise DomainError("The session has started: ask the trainer to mark you absent instead")
    freed = booking.status == "booked"
    compare_and_set(
        booking,
        expected=booking.status,
        values={"status": "cancelled"},
        message="This booking is already cancelled.",
    )
    db.session.expire(session, ["bookings"])
    audit("training.cancelled", actor=user, target=booking)
    if not freed or not session.waiting or session.places_left <= 0:
        return None
    promoted = min(session.waiting, key=lambda b: (b.created_at, b.id))
    compare_and_set(promoted, expected="waiting", values={"status": "booked"})
    db.session.flush()
    audit("training.promoted", actor=user, target=promoted)
    if promoted.volunteer.email:
        when = f"{long_date(session.held_on, weekday=True)} at {clock(session.starts_at)}"
        queue_email(
            kind="reminder",
            to=promoted.volunteer.email,
            subject=f"A place on {session.course.title} is yours",
            body=(
                f"A place came free on {session.course.title} on {when}, and it is now booked "
                f"for you. If you cannot come, please cancel so the next person can: "
                f"{external_url('training.mine')}"
            ),
        )
    return promoted


def mark_attendance(
    *, actor: User, session: TrainingSession, attended: set[int], today: date
) -> int:
    """Mark every booked (or already marked) place attended or absent; attendance records a
    completion. Returns the number of completions recorded."""
    if not may_mark(actor, session):
        raise DomainError("Only the trainer or the provider's coordinators mark attendance")
    if not session.markable_on(today):
        raise DomainError("Attendance is marked on or after the day of the session")
    session = _locked(session)  # two saves at once: the second sees the first's completions
    made = changed = 0
    for booking in session.bookings:
        if booking.status not in ("booked", "attended", "absent"):
            continue
        present = booking.id in attended
        status = "attended" if present else "absent"
        changed += booking.status != status
        booking.status = status
        existing = db.session.scalar(
            select(Completion).where(
                Completion.session_id == session.id,
                Completion.volunteer_id == booking.volunteer_id,
            )
        )
        if present and existing is None:
            db.session.add(
                Completion(
                    volunteer_id=booking.volunteer_id,
                    course_id=session.course_id,
                    completed_on=session.held_on,
                    expires_on=expiry(session.course, session.held_on),
                    source="session",
                    session_id=session.id,
                    recorded_by_id=actor.id,
                )
            )
            made += 1
        elif not present and existing is not None:
            db.session.delete(existing)
            changed += 1
    if not changed and not made:
        raise AlreadyDone("Attendance was already saved like this.")
    db.session.flush()
    audit("training.attendance", actor=actor, target=session, details={"completions": made})
    return made


def expiry(course: Course, completed_on: date) -> date | None:
    return None if course.valid_months is None else add_months(completed_on, course.valid_months)


def record_external(
    *,
    actor: User,
    volunteer: Volunteer,
    course: Course,
    completed_on: date | None,
    evidence: str,
    today: date,
) -> Completion:
    if not coordinates_volunteer(actor, volunteer):
        raise DomainError("Only the volunteer's coordinators record training done elsewhere")
    if completed_on is None or completed_on > today:
        raise DomainError(
            "Enter the date the course was completed, which cannot be in the future",
            field="completed_on",
        )
    evidence = _clean(evidence)
    if not evidence or len(evidence) > 500:
        raise DomainError(
            "Describe the evidence you saw, such as the certificate and its number",
            field="evidence",
        )
    lock(volunteer)  # the same form sent twice at once records one completion
    if db.session.scalar(
        select(Completion.id).where(
            Completion.volunteer_id == volunteer.id,
            Completion.course_id == course.id,
            Completion.completed_on == completed_on,
        )
    ):
        raise AlreadyDone(f"{course.title} completed on that day is already recorded.")
    completion = Completion(
        volunteer_id=volunteer.id,
        course_id=course.id,
        completed_on=completed_on,
        expires_on=expiry(course, completed_on),
        source="external",
        evidence=evidence,
        recorded_by_id=actor.id,
    )
    db.session.add(completion)
    db.session.flush()
    audit("training.completion_recorded", actor=actor, target=completion)
    return completion


def record_exception(
    *, actor: User, application: Application, course: Course, reason: str
) -> TrainingException:
    if application.role is None or application.organisation_id is None:
        raise DomainError("Choose a role for this enquiry first")
    if not (
        sees_all_organisations(actor)
        or application.organisation_id in coordinated_organisation_ids(actor)
    ):
        raise DomainError("Only the organisation's coordinators record an exception")
    if course.id not in {rc.course_id for rc in required_for_role(application.role.id)}:
        raise DomainError("This course is not required for the role")
    reason = " ".join(reason.split())
    if len(reason) < 10 or len(reason) > 1000:
        raise DomainError(
            "Explain why the volunteer may start without this course (10 to 1,000 characters)",
            field="reason",
        )
    lock(application)  # two at once: the second sees the first (one exception, one event)
    existing = db.session.scalar(
        select(TrainingException).where(
            TrainingException.volunteer_id == application.volunteer_id,
            TrainingException.role_id == application.role.id,
            TrainingException.course_id == course.id,
        )
    )
    if existing is not None:
        raise AlreadyDone("An exception is already recorded for this course.")
    exception = TrainingException(
        volunteer_id=application.volunteer_id,
        role_id=application.role.id,
        course_id=course.id,
        reason=reason,
        recorded_by_id=actor.id,
    )
    db.session.add(exception)
    db.session.flush()
    audit("training.exception", actor=actor, target=exception, details={"course": course.id})
    return exception


# --- what a volunteer holds and needs --------------------------------------------------------


def check_before_placing(application: Application, version: RoleVersion, on: date) -> None:
    """Registered with placements: refuse to place while a required course is missing or
    expired (unless an exception is recorded)."""
    if application.role is None:
        return
    blocking = [
        r for r in requirements(application.volunteer_id, application.role.id, on) if r.blocking
    ]
    if blocking:
        names = "; ".join(f"{r.course.title} ({_why(r)})" for r in blocking)
        raise DomainError(
            f"The role requires training the volunteer does not hold: {names}. Record the "
            "training, or an exception with a reason, on the application's training page first"
        )


def _why(requirement: Requirement) -> str:
    completion = requirement.completion
    if completion is not None and completion.expires_on is not None:
        return f"expired on {long_date(completion.expires_on)}"
    return "not done"


register_place_check(check_before_placing)


# --- the objects' rules, for get_or_404 ------------------------------------------------------


def course_rule(user: User, course: Course, action: Action) -> bool:
    """Anyone signed in sees a course; its provider's coordinators and the centre change it."""
    return action == "view" or manages_provider(user, course.provider_id)


def session_rule(user: User, session: TrainingSession, action: Action) -> bool:
    """Anyone signed in sees a session; its trainer, the provider and the centre mark it."""
    return action == "view" or may_mark(user, session)


def booking_rule(user: User, booking: Booking, action: Action) -> bool:
    """Loaded for cancelling: :func:`cancel` decides who may cancel it."""
    return True


register_rule(Course, course_rule)
register_rule(TrainingSession, session_rule)
register_rule(Booking, booking_rule)
