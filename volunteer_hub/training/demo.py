"""Invented training: the centre's courses, sessions (one full, with a waiting list, one held
last month with attendance marked) and completions, some expiring or expired."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from volunteer_hub.accounts.models import User
from volunteer_hub.core.dates import add_months
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation, Role
from volunteer_hub.placements.models import Placement
from volunteer_hub.training.models import (
    Booking,
    Completion,
    Course,
    RoleCourse,
    TrainingSession,
)
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import volunteer_for

COURSES = [
    ("Safeguarding adults", 180, 36, "Recognising abuse and neglect and how to report it."),
    ("Food hygiene (level 2)", 240, 36, "Safe food handling for lunch clubs and cafés."),
    ("Emergency first aid", 360, 36, "Six hours of practical first aid, with a certificate."),
    ("Volunteer induction", 90, None, "The volunteer centre, the Compact and how we work."),
]


def seed() -> list[str]:
    if db.session.scalar(select(Course.id).limit(1)) is not None:
        return []
    centre = db.session.scalar(select(Organisation).where(Organisation.kind == "volunteer_centre"))
    trainer = db.session.scalar(
        select(User).where(User.email == "centre@demo.volunteerhub.invalid")
    )
    if centre is None or trainer is None:
        return []
    today = date.today()
    courses = _courses(centre)
    first_aid, past = _sessions(courses, trainer, today)
    volunteers = list(
        db.session.scalars(
            select(Volunteer)
            .join(Placement, Placement.volunteer_id == Volunteer.id)
            .where(Placement.end_date.is_(None))
            .order_by(Volunteer.id)
            .limit(8)
        ).unique()
    )
    _bookings(volunteers, first_aid, past, trainer)
    _demo_volunteer(courses, trainer, today)
    # Some befrienders hold safeguarding expiring soon (shown to coordinators).
    for n, volunteer in enumerate(volunteers[:3]):
        completed_on = add_months(today + timedelta(days=15 + 20 * n), -36)
        db.session.add(
            Completion(
                volunteer_id=volunteer.id,
                course_id=courses["Safeguarding adults"].id,
                completed_on=completed_on,
                expires_on=add_months(completed_on, 36),
                source="external",
                evidence="Certificate seen",
                recorded_by_id=trainer.id,
            )
        )
    db.session.flush()
    return [f"Demo training: {len(COURSES)} courses, 4 sessions, completions (some expiring)."]


def _courses(centre: Organisation) -> dict[str, Course]:
    """The centre's courses, and the training two roles require."""
    courses = {}
    for title, minutes, months, description in COURSES:
        course = Course(
            title=title,
            provider_id=centre.id,
            duration_minutes=minutes,
            valid_months=months,
            description=description,
        )
        db.session.add(course)
        courses[title] = course
    db.session.flush()
    # Required training: the garden role needs the induction; befriending needs safeguarding.
    for role_title, course_title in (
        ("Garden volunteer", "Volunteer induction"),
        ("Befriender", "Safeguarding adults"),
    ):
        role = db.session.scalar(select(Role).where(Role.title == role_title))
        if role is not None:
            db.session.add(RoleCourse(role_id=role.id, course_id=courses[course_title].id))
    return courses


def _sessions(
    courses: dict[str, Course], trainer: User, today: date
) -> tuple[TrainingSession, TrainingSession]:
    """Four sessions; returns the full first aid one and the food hygiene one held last month."""

    def session(title: str, days: int, capacity: int, place: str | None) -> TrainingSession:
        made = TrainingSession(
            course_id=courses[title].id,
            held_on=today + timedelta(days=days),
            starts_at=time(18, 0) if days % 2 else time(10, 0),
            place=place,
            online_link=None if place else "https://meet.example.invalid/volunteer-induction",
            capacity=capacity,
            trainer_id=trainer.id,
        )
        db.session.add(made)
        return made

    session("Safeguarding adults", 9, 12, "Volunteer centre, meeting room 1")
    session("Volunteer induction", 16, 20, None)
    first_aid = session("Emergency first aid", 23, 2, "Community hall, main room")
    past = session("Food hygiene (level 2)", -30, 10, "Lunch club kitchen")
    db.session.flush()
    return first_aid, past


def _bookings(
    volunteers: list[Volunteer],
    first_aid: TrainingSession,
    past: TrainingSession,
    trainer: User,
) -> None:
    """First aid full with a waiting list; last month's session marked, with completions."""
    for n, volunteer in enumerate(volunteers[:3]):
        db.session.add(
            Booking(
                session_id=first_aid.id,
                volunteer_id=volunteer.id,
                status="booked" if n < 2 else "waiting",
            )
        )
    for n, volunteer in enumerate(volunteers[3:7]):
        attended = n != 3
        db.session.add(
            Booking(
                session_id=past.id,
                volunteer_id=volunteer.id,
                status="attended" if attended else "absent",
            )
        )
        if attended:
            db.session.add(
                Completion(
                    volunteer_id=volunteer.id,
                    course_id=past.course_id,
                    completed_on=past.held_on,
                    expires_on=add_months(past.held_on, 36),
                    source="session",
                    session_id=past.id,
                    recorded_by_id=trainer.id,
                )
            )


def _demo_volunteer(courses: dict[str, Course], trainer: User, today: date) -> None:
    """The demo volunteer: an induction that never expires, safeguarding expiring in 40 days,
    first aid expired last month."""
    demo = db.session.scalar(
        select(User).where(User.email == "volunteer@demo.volunteerhub.invalid")
    )
    if demo is None:
        return
    mine = volunteer_for(demo)
    for title, completed_on in (
        ("Volunteer induction", today - timedelta(days=70)),
        ("Safeguarding adults", add_months(today + timedelta(days=40), -36)),
        ("Emergency first aid", add_months(today - timedelta(days=30), -36)),
    ):
        course = courses[title]
        db.session.add(
            Completion(
                volunteer_id=mine.id,
                course_id=course.id,
                completed_on=completed_on,
                expires_on=add_months(completed_on, course.valid_months)
                if course.valid_months
                else None,
                source="external",
                evidence="Certificate seen at the volunteer centre",
                recorded_by_id=trainer.id,
            )
        )
