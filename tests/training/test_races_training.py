"""Training bookings, the waiting list and attendance are exactly-once under real parallel
requests: capacity is never exceeded, nobody is booked twice, a freed place goes to exactly one
person (one email), and attendance makes one completion per attendee."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from tests.factories import UserFactory
from tests.parallel import Shot
from tests.training.test_training import _course, _session
from volunteer_hub.accounts.models import AuditEvent, OutboxMessage
from volunteer_hub.extensions import db
from volunteer_hub.recruitment.models import Application
from volunteer_hub.training.models import Booking, Completion, RoleCourse, TrainingException
from volunteer_hub.volunteers.services import volunteer_for

TODAY = date.today()


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _audits(action: str) -> int:
    return _count(AuditEvent, AuditEvent.action == action)


def _statuses() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(Booking.status)))


def _people(n: int) -> list:
    """Volunteers with their records made (so a booking's first write is the booking itself)."""
    users = [UserFactory(email=f"person-{i}@example.test") for i in range(n)]
    for user in users:
        volunteer_for(user)
    db.session.commit()
    return users


def _booking(session, user, status: str) -> Booking:
    booking = Booking(session_id=session.id, volunteer_id=volunteer_for(user).id, status=status)
    db.session.add(booking)
    db.session.commit()
    return booking


def test_ten_parallel_bookings_by_one_volunteer_book_once(personas, login, parallel) -> None:
    course = _course(personas.org_a)
    session = _session(course, personas.coordinator_a, TODAY + timedelta(days=10), capacity=5)
    volunteer_for(personas.volunteer)
    db.session.commit()
    page = f"/training/sessions/{session.id}"
    results = parallel.post(login(personas.volunteer), f"{page}/book", {}, form_page=page)
    assert results.server_errors == []
    assert _statuses() == ["booked"]
    assert _audits("training.booked") == 1


def test_the_last_place_goes_to_one_of_many_at_once(personas, login, parallel) -> None:
    course = _course(personas.org_a)
    session = _session(course, personas.coordinator_a, TODAY + timedelta(days=10), capacity=2)
    page = f"/training/sessions/{session.id}"
    people = _people(6)
    results = parallel.run(
        [Shot(login(user), f"{page}/book", {}, page, times=2) for user in people]
    )
    assert results.server_errors == []
    assert _statuses() == ["booked"] * 2 + ["waiting"] * 4
    assert (_audits("training.booked"), _audits("training.waiting")) == (2, 4)


def _full_with_waiting(personas):
    course = _course(personas.org_a)
    session = _session(course, personas.coordinator_a, TODAY + timedelta(days=10), capacity=1)
    first, second = _people(2)
    mine = _booking(session, personas.volunteer, "booked")
    _booking(session, first, "waiting")
    _booking(session, second, "waiting")
    return session, mine, first


def test_ten_parallel_cancellations_promote_exactly_one(personas, login, parallel) -> None:
    session, mine, first = _full_with_waiting(personas)
    page = f"/training/sessions/{session.id}"
    results = parallel.post(
        login(personas.volunteer), f"/training/bookings/{mine.id}/cancel", {}, form_page=page
    )
    assert results.server_errors == []
    assert _statuses() == ["booked", "cancelled", "waiting"]
    assert db.session.scalar(select(Booking.status).where(Booking.id == mine.id)) == "cancelled"
    promoted = db.session.scalar(select(Booking).where(Booking.status == "booked"))
    assert promoted.volunteer_id == volunteer_for(first).id
    assert (_audits("training.cancelled"), _audits("training.promoted")) == (1, 1)
    emails = db.session.scalars(select(OutboxMessage.to_address)).all()
    assert emails == [first.email]


def test_volunteer_and_coordinator_cancelling_at_once_cancel_once(
    personas, login, parallel
) -> None:
    session, mine, _first = _full_with_waiting(personas)
    page = f"/training/sessions/{session.id}"
    url = f"/training/bookings/{mine.id}/cancel"
    results = parallel.run(
        [
            Shot(login(personas.volunteer), url, {}, page, times=5),
            Shot(login(personas.coordinator_a), url, {}, page, times=5),
        ]
    )
    assert results.server_errors == []
    assert _statuses() == ["booked", "cancelled", "waiting"]
    assert (_audits("training.cancelled"), _audits("training.promoted")) == (1, 1)
    assert _count(OutboxMessage) == 1


def test_two_places_freed_at_once_go_to_two_different_people(personas, login, parallel) -> None:
    course = _course(personas.org_a)
    session = _session(course, personas.coordinator_a, TODAY + timedelta(days=10), capacity=2)
    other, first, second, third = _people(4)
    bookings = [_booking(session, user, "booked") for user in (personas.volunteer, other)]
    for user in (first, second, third):
        _booking(session, user, "waiting")
    page = f"/training/sessions/{session.id}"
    results = parallel.run(
        [
            Shot(login(user), f"/training/bookings/{booking.id}/cancel", {}, page, times=5)
            for user, booking in zip((personas.volunteer, other), bookings, strict=True)
        ]
    )
    assert results.server_errors == []
    assert _statuses() == ["booked", "booked", "cancelled", "cancelled", "waiting"]
    assert _audits("training.promoted") == 2
    emails = sorted(db.session.scalars(select(OutboxMessage.to_address)))
    assert emails == sorted([first.email, second.email])


def test_ten_parallel_attendance_saves_make_one_completion_each(personas, login, parallel) -> None:
    course = _course(personas.org_a)
    session = _session(course, personas.coordinator_a, TODAY - timedelta(days=1), capacity=3)
    (other,) = _people(1)
    bookings = [_booking(session, user, "booked") for user in (personas.volunteer, other)]
    page = f"/training/sessions/{session.id}"
    results = parallel.post(
        login(personas.coordinator_a),
        f"{page}/attendance",
        {"attended": [str(b.id) for b in bookings]},
        form_page=page,
    )
    assert results.server_errors == []
    assert _count(Completion) == 2
    assert _audits("training.attendance") == 1
    assert _statuses() == ["attended", "attended"]


def test_ten_parallel_exceptions_record_one(personas, login, publish, parallel) -> None:
    role = publish(personas.org_a, "Befriender")
    course = _course(personas.org_a)
    db.session.add(RoleCourse(role_id=role.id, course_id=course.id))
    application = Application(
        volunteer_id=volunteer_for(personas.volunteer).id,
        role_id=role.id,
        organisation_id=role.organisation_id,
        stage="offered",
    )
    db.session.add(application)
    db.session.commit()
    results = parallel.post(
        login(personas.coordinator_a),
        f"/applications/{application.id}/training",
        {"course": str(course.id), "reason": "Did the same course last month elsewhere"},
    )
    assert results.server_errors == []
    assert _count(TrainingException) == 1
    assert _audits("training.exception") == 1


def test_ten_parallel_external_completions_record_one(personas, login, publish, parallel) -> None:
    course = _course(personas.org_a)
    volunteer = volunteer_for(personas.volunteer)
    db.session.commit()
    results = parallel.post(
        login(personas.centre),
        f"/training/volunteers/{volunteer.id}",
        {
            "course": str(course.id),
            "completed_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
            "evidence": "Certificate 123 seen",
        },
    )
    assert results.server_errors == []
    assert _count(Completion) == 1
    assert _audits("training.completion_recorded") == 1
