"""Invented shifts: weekly and fortnightly patterns for two placed roles, sign-ups, one full
shift with a waiting list, a past shift with attendance marked (its hours approved) and a place
for the demo volunteer."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from volunteer_hub.accounts.models import User
from volunteer_hub.extensions import db
from volunteer_hub.placements.models import Placement
from volunteer_hub.scheduling.attendance import mark
from volunteer_hub.scheduling.models import Shift, ShiftPattern, SignUp
from volunteer_hub.scheduling.shifts import HORIZON_DAYS, expand
from volunteer_hub.scheduling.times import LONDON, span, to_utc
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import volunteer_for


def seed() -> list[str]:
    if db.session.scalar(select(Shift.id).limit(1)) is not None:
        return []
    centre = db.session.scalar(select(User).where(User.email == "centre@demo.volunteerhub.invalid"))
    placements = list(
        db.session.scalars(
            select(Placement).where(Placement.end_date.is_(None)).order_by(Placement.id)
        )
    )
    roles = list({p.role_id: p.role for p in placements}.values())[:2]
    if centre is None or not roles:
        return []
    today = datetime.now(LONDON).date()
    made = 0
    for n, role in enumerate(roles):
        pattern = ShiftPattern(
            role_id=role.id,
            frequency="weekly" if n == 0 else "fortnightly",
            weekday=(today + timedelta(days=1 + n)).weekday(),
            start_time=time(10) if n == 0 else time(13, 30),
            end_time=time(13) if n == 0 else time(16),
            starts_on=today + timedelta(days=1 + n),
            location="Community hall" if n == 0 else "The garden gate",
            capacity=2 if n == 0 else 4,
            minimum=2,
            who="placed" if n == 0 else "anyone",
        )
        db.session.add(pattern)
        db.session.flush()
        made += expand(pattern, today + timedelta(days=HORIZON_DAYS))
    first_role = roles[0]
    placed = [p.volunteer for p in placements if p.role_id == first_role.id]
    anyone = list(db.session.scalars(select(Volunteer).order_by(Volunteer.id).limit(8)))
    people = list(dict.fromkeys(placed + anyone))
    _full_with_waiting(first_role.id, people)
    _past_attendance(first_role, people, today, centre)
    _demo_volunteer(roles[-1].id)
    _check_in_today(roles[-1].id, today)
    _demo_feed()
    db.session.flush()
    return [f"Demo shifts: {made} from 2 repeating patterns, one full with a waiting list."]


def _upcoming(role_id: int) -> list[Shift]:
    return list(
        db.session.scalars(
            select(Shift).where(Shift.role_id == role_id).order_by(Shift.starts_at).limit(3)
        )
    )


def _full_with_waiting(role_id: int, volunteers: list[Volunteer]) -> None:
    """The first shift full (2 places), two people waiting in order; the next half full."""
    first, second, *_ = [*_upcoming(role_id), None, None]
    people = list(dict.fromkeys(volunteers))
    if first is None or len(people) < 2:
        return
    for n, volunteer in enumerate(people[:4]):
        waiting = n >= first.capacity
        db.session.add(
            SignUp(
                shift_id=first.id,
                volunteer_id=volunteer.id,
                status="waiting" if waiting else "confirmed",
                position=n - first.capacity + 1 if waiting else None,
            )
        )
    if second is not None:
        db.session.add(SignUp(shift_id=second.id, volunteer_id=people[0].id, status="confirmed"))


def _past_attendance(role, volunteers: list[Volunteer], today: date, centre: User) -> None:
    starts_at, ends_at = span(today - timedelta(days=7), time(10), time(13))
    shift = Shift(
        role_id=role.id,
        ref="demo-past-1",
        starts_at=starts_at,
        ends_at=ends_at,
        location="Community hall",
        capacity=3,
        minimum=2,
        who="placed",
    )
    db.session.add(shift)
    db.session.flush()
    people = list(dict.fromkeys(volunteers))[:3]
    signups = [SignUp(shift_id=shift.id, volunteer_id=v.id, status="confirmed") for v in people]
    db.session.add_all(signups)
    db.session.flush()
    now = ends_at + timedelta(hours=1)
    for n, signup in enumerate(signups):
        mark(actor=centre, signup=signup, status="no_show" if n == 2 else "attended", now=now)


def _demo_volunteer(role_id: int) -> None:
    """Sam, the demo volunteer, has a place on an open ("anyone") shift."""
    sam = db.session.scalar(select(User).where(User.email == "volunteer@demo.volunteerhub.invalid"))
    shifts = _upcoming(role_id)
    if sam is None or not shifts:
        return
    volunteer = volunteer_for(sam)
    shift = shifts[-1]
    if not any(s.volunteer_id == volunteer.id for s in shift.signups):
        db.session.add(SignUp(shift_id=shift.id, volunteer_id=volunteer.id, status="confirmed"))


def _check_in_today(role_id: int, today: date) -> None:
    """A shift today, 9am to 9pm, with a place for Sam: its coordinators open the kiosk page
    (the QR code) from the roster and Sam checks in by scanning it."""
    sam = db.session.scalar(select(User).where(User.email == "volunteer@demo.volunteerhub.invalid"))
    starts_at, ends_at = span(today, time(9), time(21))
    shift = Shift(
        role_id=role_id,
        ref="demo-check-in-today",
        starts_at=starts_at,
        ends_at=ends_at,
        location="Community hall (QR check-in)",
        capacity=4,
        who="anyone",
    )
    db.session.add(shift)
    db.session.flush()
    if sam is not None:
        volunteer = volunteer_for(sam)
        db.session.add(SignUp(shift_id=shift.id, volunteer_id=volunteer.id, status="confirmed"))


def seed_interviews() -> list[str]:
    """Invented interview slots for the role of the demo applicant at the interview stage: four
    one after another in a meeting room and one by video, the first booked by that applicant."""
    import secrets

    from volunteer_hub.recruitment.models import Application, Stage
    from volunteer_hub.scheduling.models import InterviewBooking, InterviewSlot

    if db.session.scalar(select(InterviewSlot.id).limit(1)) is not None:
        return []
    application = db.session.scalar(
        select(Application)
        .where(Application.stage == Stage.INTERVIEW.value, Application.role_id.is_not(None))
        .order_by(Application.id)
    )
    if application is None or application.role_id is None:
        return []
    day = datetime.now(LONDON).date() + timedelta(days=3)
    first = datetime.combine(day, time(10))
    slots = [
        InterviewSlot(
            role_id=application.role_id,
            starts_at=to_utc(first + timedelta(hours=n)),
            minutes=45,
            place="Meeting room 2, Community hall",
        )
        for n in range(4)
    ]
    slots.append(
        InterviewSlot(
            role_id=application.role_id,
            starts_at=to_utc(first + timedelta(days=1, hours=4)),
            minutes=30,
            video_url="https://meet.example.org/demo-garden-interviews",
        )
    )
    db.session.add_all(slots)
    db.session.flush()
    db.session.add(
        InterviewBooking(
            slot_id=slots[0].id,
            application_id=application.id,
            volunteer_id=application.volunteer_id,
            status="booked",
            uid=f"interview-{secrets.token_hex(12)}@volunteerhub",
        )
    )
    db.session.flush()
    return [f"Demo interview slots: {len(slots)}, one booked by {application.volunteer.name}."]


def _demo_feed() -> None:
    """Sam has a calendar feed link (shown on /account/calendar)."""
    from volunteer_hub.scheduling.feeds import create_link, token_of

    sam = db.session.scalar(select(User).where(User.email == "volunteer@demo.volunteerhub.invalid"))
    if sam is not None and token_of(sam) is None:
        create_link(user=sam)
