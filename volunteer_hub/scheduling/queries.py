"""Reads for scheduling pages, the roster command and other domains."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import icalendar
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import coordinated_organisation_ids, sees_all_organisations
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation, Role
from volunteer_hub.placements.models import Placement
from volunteer_hub.scheduling.models import HOLDING, Shift, SignUp
from volunteer_hub.scheduling.times import day_bounds, local
from volunteer_hub.volunteers.models import Volunteer


def manages(user: User, organisation_id: int) -> bool:
    """The organisation's coordinators and the centre run its rota."""
    return sees_all_organisations(user) or organisation_id in coordinated_organisation_ids(user)


def rota_organisations(user: User) -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.name)
    if not sees_all_organisations(user):
        query = query.where(Organisation.id.in_(coordinated_organisation_ids(user)))
    return list(db.session.scalars(query))


def volunteer_of(user: User) -> Volunteer | None:
    return db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))


def is_placed(volunteer_id: int, role_id: int, day: date) -> bool:
    """A placement in the role that covers ``day``."""
    return (
        db.session.scalar(
            select(Placement.id).where(
                Placement.volunteer_id == volunteer_id,
                Placement.role_id == role_id,
                Placement.start_date <= day,
                (Placement.end_date.is_(None)) | (Placement.end_date >= day),
            )
        )
        is not None
    )


def overlapping(volunteer_id: int, shift: Shift) -> Shift | None:
    """Another shift the volunteer holds a place on that overlaps ``shift`` in time."""
    return db.session.scalar(
        select(Shift)
        .join(SignUp, SignUp.shift_id == Shift.id)
        .where(
            SignUp.volunteer_id == volunteer_id,
            SignUp.status == "confirmed",
            Shift.id != shift.id,
            Shift.cancelled.is_(False),
            Shift.starts_at < shift.ends_at,
            Shift.ends_at > shift.starts_at,
        )
        .limit(1)
    )


def _with_people(query: Select[Shift]) -> Select[Shift]:
    return query.options(
        selectinload(Shift.role).selectinload(Role.organisation),
        selectinload(Shift.signups).selectinload(SignUp.volunteer),
    )


def upcoming_for_role(role_id: int, now: datetime) -> list[Shift]:
    query = (
        select(Shift)
        .where(Shift.role_id == role_id, Shift.ends_at > now, Shift.cancelled.is_(False))
        .order_by(Shift.starts_at)
        .limit(30)
    )
    return list(db.session.scalars(_with_people(query)))


def shifts_of_volunteer(volunteer_id: int, now: datetime, *, past: bool) -> list[SignUp]:
    query = (
        select(SignUp)
        .join(Shift, Shift.id == SignUp.shift_id)
        .where(SignUp.volunteer_id == volunteer_id, SignUp.status != "cancelled")
        .options(selectinload(SignUp.shift).selectinload(Shift.role))
    )
    if past:
        query = query.where(Shift.ends_at <= now).order_by(Shift.starts_at.desc()).limit(50)
    else:
        query = query.where(Shift.ends_at > now).order_by(Shift.starts_at)
    return list(db.session.scalars(query))


def shifts_between(first: date, last: date, organisation_id: int | None = None) -> list[Shift]:
    """Shifts starting on the UK days ``first`` to ``last``, in order of start."""
    start, end = day_bounds(first, last)
    query = (
        select(Shift)
        .join(Role, Role.id == Shift.role_id)
        .where(Shift.starts_at >= start, Shift.starts_at < end)
        .order_by(Shift.starts_at, Shift.id)
    )
    if organisation_id is not None:
        query = query.where(Role.organisation_id == organisation_id)
    return list(db.session.scalars(_with_people(query)))


@dataclass
class Day:
    day: date
    shifts: list[Shift]


def week(organisation_id: int, monday: date) -> list[Day]:
    shifts = shifts_between(monday, monday + timedelta(days=6), organisation_id)
    return [
        Day(day, [s for s in shifts if local(s.starts_at).date() == day])
        for day in (monday + timedelta(days=n) for n in range(7))
    ]


def email_of(signup: SignUp) -> str:
    return signup.volunteer.email or f"volunteer-{signup.volunteer_id}"


def roster_row(shift: Shift) -> dict[str, object]:
    """One shift as the ``shifts roster`` command writes it (a stable contract)."""
    from volunteer_hub.scheduling.times import local_text

    def emails(status: str) -> list[str]:
        return [email_of(s) for s in shift.signups if s.status == status]

    return {
        "ref": shift.ref,
        "organisation": shift.role.organisation.name,
        "role": shift.role.title,
        "start": local_text(shift.starts_at),
        "end": local_text(shift.ends_at),
        "capacity": shift.capacity,
        "confirmed": emails("confirmed"),
        "waiting": [email_of(s) for s in shift.waiting],
        "attended": emails("attended"),
        "no_show": emails("no_show"),
    }


def holding(shift: Shift) -> int:
    return sum(1 for s in shift.signups if s.status in HOLDING)


def volunteer_by_email(email: str) -> Volunteer | None:
    """The volunteer with this email address (their record's, or their sign-in's), if any."""
    email = email.strip().lower()
    volunteer = db.session.scalar(select(Volunteer).where(func.lower(Volunteer.email) == email))
    if volunteer is None:
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        volunteer = volunteer_of(user) if user else None
    return volunteer


def roles_of(organisation_id: int) -> list[Role]:
    """The organisation's roles, by title."""
    return list(
        db.session.scalars(
            select(Role).where(Role.organisation_id == organisation_id).order_by(Role.title)
        )
    )


def interview_calendar_events(volunteer_id: int) -> list[icalendar.Event]:
    """The volunteer's booked interviews as calendar events, for their private feed: only their
    own bookings (while their application is at the interview stage), in start order. Each has
    the booking's stable ``UID``, its ``SEQUENCE`` (bumped on every move), UTC ``DTSTART`` and
    ``DTEND``, the role and organisation in ``SUMMARY``, the place or video link in
    ``LOCATION``; nobody else's name or address."""
    from volunteer_hub.scheduling import interview_ics
    from volunteer_hub.scheduling.interview_queries import live_bookings_of_volunteer

    return [
        interview_ics.event(interview_ics.for_booking(booking, staff=False))
        for booking in live_bookings_of_volunteer(volunteer_id)
        if not booking.slot.cancelled
    ]
