"""Reads of the training domain: who may manage what, the courses and sessions pages show, what
a volunteer holds and needs, and what expires. Views, reminders and other domains read training
through this module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import coordinated_organisation_ids, sees_all_organisations
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.placements.models import Placement
from volunteer_hub.recruitment.models import Application
from volunteer_hub.training.models import (
    Booking,
    Completion,
    Course,
    RoleCourse,
    TrainingException,
    TrainingSession,
)
from volunteer_hub.volunteers.models import Volunteer

#: Coordinators see expiries this far ahead; placements are flagged this far ahead.
EXPIRY_WINDOW_DAYS = 60


# --- who may do what -------------------------------------------------------------------------


def manages_provider(user: User, provider_id: int) -> bool:
    """The course provider's coordinators and the centre manage its courses and sessions."""
    return sees_all_organisations(user) or provider_id in coordinated_organisation_ids(user)


def providers_for(user: User) -> list[Organisation]:
    statement = select(Organisation).order_by(Organisation.name)
    if not sees_all_organisations(user):
        statement = statement.where(Organisation.id.in_(coordinated_organisation_ids(user)))
    return list(db.session.scalars(statement))


def may_mark(user: User, session: TrainingSession) -> bool:
    return session.trainer_id == user.id or manages_provider(user, session.course.provider_id)


def coordinates_volunteer(user: User, volunteer: Volunteer) -> bool:
    """The centre, or a coordinator of an organisation the volunteer applied to or is placed
    with."""
    if sees_all_organisations(user):
        return True
    mine = coordinated_organisation_ids(user)
    if not mine:
        return False
    placed = db.session.scalar(
        select(Placement.id).where(
            Placement.volunteer_id == volunteer.id, Placement.organisation_id.in_(mine)
        )
    )
    applied = db.session.scalar(
        select(Application.id).where(
            Application.volunteer_id == volunteer.id, Application.organisation_id.in_(mine)
        )
    )
    return placed is not None or applied is not None


def volunteer_of(user: User) -> Volunteer | None:
    return db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))


# --- the catalogue ---------------------------------------------------------------------------


def active_courses() -> list[Course]:
    return list(
        db.session.scalars(select(Course).where(Course.active.is_(True)).order_by(Course.title))
    )


def all_courses() -> list[Course]:
    return list(db.session.scalars(select(Course).order_by(Course.title)))


def upcoming_sessions_by_course(today: date) -> dict[int, list[TrainingSession]]:
    """Sessions after ``today`` that are not cancelled, by course id, soonest first."""
    by_course: dict[int, list[TrainingSession]] = {}
    for session in db.session.scalars(
        select(TrainingSession)
        .where(TrainingSession.held_on > today, TrainingSession.cancelled.is_(False))
        .order_by(TrainingSession.held_on, TrainingSession.starts_at)
    ):
        by_course.setdefault(session.course_id, []).append(session)
    return by_course


def sessions_of(course: Course, *, after: date | None = None) -> list[TrainingSession]:
    """The course's sessions, latest first (only those after ``after`` when given)."""
    statement = select(TrainingSession).where(TrainingSession.course_id == course.id)
    if after is not None:
        statement = statement.where(TrainingSession.held_on > after)
    return list(
        db.session.scalars(
            statement.order_by(TrainingSession.held_on.desc(), TrainingSession.starts_at)
        )
    )


# --- a volunteer's record --------------------------------------------------------------------


def completions_of(volunteer: Volunteer) -> list[Completion]:
    return list(
        db.session.scalars(
            select(Completion)
            .where(Completion.volunteer_id == volunteer.id)
            .order_by(Completion.completed_on.desc())
        )
    )


def active_placements_of(volunteer: Volunteer) -> list[Placement]:
    return list(
        db.session.scalars(
            select(Placement).where(
                Placement.volunteer_id == volunteer.id, Placement.end_date.is_(None)
            )
        )
    )


def upcoming_bookings(volunteer: Volunteer, today: date) -> list[Booking]:
    """Places booked or waited for on sessions from ``today`` on, soonest first."""
    return list(
        db.session.scalars(
            select(Booking)
            .join(TrainingSession, TrainingSession.id == Booking.session_id)
            .where(
                Booking.volunteer_id == volunteer.id,
                Booking.status.in_(("booked", "waiting")),
                TrainingSession.held_on >= today,
            )
            .order_by(TrainingSession.held_on)
        )
    )


# --- what a volunteer holds and needs --------------------------------------------------------


def required_for_role(role_id: int) -> list[RoleCourse]:
    return list(
        db.session.scalars(
            select(RoleCourse)
            .join(Course, Course.id == RoleCourse.course_id)
            .where(RoleCourse.role_id == role_id)
            .order_by(Course.title)
        )
    )


def latest_completions(volunteer_ids: list[int]) -> dict[tuple[int, int], Completion]:
    """Each volunteer's best completion per course: the one valid longest (never-expiring
    first)."""
    best: dict[tuple[int, int], Completion] = {}
    if not volunteer_ids:
        return best
    for completion in db.session.scalars(
        select(Completion).where(Completion.volunteer_id.in_(volunteer_ids))
    ):
        key = (completion.volunteer_id, completion.course_id)
        current = best.get(key)
        if current is None or _reach(completion) > _reach(current):
            best[key] = completion
    return best


def _reach(completion: Completion) -> date:
    return completion.expires_on or date.max


@dataclass(frozen=True)
class Requirement:
    course: Course
    #: "held", "expiring" (within the window), "expired", "missing" or "exception".
    state: str
    completion: Completion | None
    exception: TrainingException | None = None

    @property
    def blocking(self) -> bool:
        return self.state in ("expired", "missing")


def requirements(volunteer_id: int, role_id: int, on: date) -> list[Requirement]:
    """The role's required courses and whether the volunteer holds each on ``on``."""
    return requirements_for([(volunteer_id, role_id)], on)[(volunteer_id, role_id)]


def requirements_for(
    pairs: list[tuple[int, int]], on: date
) -> dict[tuple[int, int], list[Requirement]]:
    """``requirements`` for many (volunteer, role) pairs in three queries, whatever their number."""
    result: dict[tuple[int, int], list[Requirement]] = {pair: [] for pair in pairs}
    role_ids = {role_id for _, role_id in pairs}
    needed: dict[int, list[RoleCourse]] = {}
    for rc in db.session.scalars(
        select(RoleCourse)
        .join(Course, Course.id == RoleCourse.course_id)
        .where(RoleCourse.role_id.in_(role_ids))
        .order_by(Course.title)
    ):
        needed.setdefault(rc.role_id, []).append(rc)
    pairs = [pair for pair in pairs if pair[1] in needed]
    if not pairs:
        return result
    volunteer_ids = list({volunteer_id for volunteer_id, _ in pairs})
    held = latest_completions(volunteer_ids)
    exceptions = {
        (e.volunteer_id, e.role_id, e.course_id): e
        for e in db.session.scalars(
            select(TrainingException).where(
                TrainingException.volunteer_id.in_(volunteer_ids),
                TrainingException.role_id.in_(role_ids),
            )
        )
    }
    soon = on + timedelta(days=EXPIRY_WINDOW_DAYS)
    for volunteer_id, role_id in pairs:
        for rc in needed[role_id]:
            completion = held.get((volunteer_id, rc.course_id))
            if completion is None:
                state = "missing"
            elif completion.expired_on(on):
                state = "expired"
            elif completion.expires_on is not None and completion.expires_on <= soon:
                state = "expiring"
            else:
                state = "held"
            exception = exceptions.get((volunteer_id, role_id, rc.course_id))
            if state in ("missing", "expired") and exception is not None:
                state = "exception"
            result[(volunteer_id, role_id)].append(
                Requirement(rc.course, state, completion, exception)
            )
    return result


FLAGGED = ("expired", "missing", "expiring")


def placement_flags(placement: Placement, today: date) -> list[Requirement]:
    """The placement's required courses that have expired, are missing or expire soon."""
    if placement.end_date is not None:
        return []
    return [
        r
        for r in requirements(placement.volunteer_id, placement.role_id, today)
        if r.state in FLAGGED
    ]


def expiring_for(user: User, today: date) -> list[Completion]:
    """Completions that expire within the window (or have expired and not been renewed) for
    volunteers with an active placement in the user's organisations (the centre: everyone)."""
    placements = select(Placement.volunteer_id).where(Placement.end_date.is_(None))
    if not sees_all_organisations(user):
        placements = placements.where(
            Placement.organisation_id.in_(coordinated_organisation_ids(user))
        )
    volunteer_ids = list(set(db.session.scalars(placements)))
    soon = today + timedelta(days=EXPIRY_WINDOW_DAYS)
    rows = [
        c
        for c in latest_completions(volunteer_ids).values()
        if c.expires_on is not None and c.expires_on <= soon
    ]
    return sorted(rows, key=lambda c: (c.expires_on or date.max, c.volunteer.name))


def flagged_placements(user: User, today: date) -> list[tuple[Placement, list[Requirement]]]:
    statement = select(Placement).where(Placement.end_date.is_(None))
    if not sees_all_organisations(user):
        statement = statement.where(
            Placement.organisation_id.in_(coordinated_organisation_ids(user))
        )
    placements = list(
        db.session.scalars(
            statement.where(Placement.role_id.in_(select(RoleCourse.role_id).distinct())).order_by(
                Placement.start_date
            )
        )
    )
    found = requirements_for([(p.volunteer_id, p.role_id) for p in placements], today)
    flagged = [
        (p, [r for r in found[(p.volunteer_id, p.role_id)] if r.state in FLAGGED])
        for p in placements
    ]
    return [(p, flags) for p, flags in flagged if any(r.state != "expiring" for r in flags)]
