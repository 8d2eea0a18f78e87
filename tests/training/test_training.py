"""Training: the catalogue, sessions with a waiting list, attendance into completions with
expiry, placements blocked by missing or expired training, expiries and reminders."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from freezegun import freeze_time
from sqlalchemy import func, select

from tests.factories import UserFactory
from tests.helpers import post_form
from tests.hours.test_hours_logging import _place
from volunteer_hub.accounts.models import OutboxMessage
from volunteer_hub.core.dates import add_months
from volunteer_hub.extensions import db
from volunteer_hub.placements.models import Placement
from volunteer_hub.recruitment.models import Application
from volunteer_hub.reminders.models import SentReminder
from volunteer_hub.training.models import (
    Booking,
    Completion,
    Course,
    RoleCourse,
    TrainingSession,
)
from volunteer_hub.volunteers.services import volunteer_for

TODAY = date.today()


def _course(provider, title="Safeguarding adults", months=36) -> Course:
    course = Course(title=title, provider_id=provider.id, duration_minutes=180, valid_months=months)
    db.session.add(course)
    db.session.commit()
    return course


def _session(course, trainer, held_on, capacity=1) -> TrainingSession:
    session = TrainingSession(
        course_id=course.id,
        held_on=held_on,
        starts_at=time(18, 30),
        place="Community hall",
        capacity=capacity,
        trainer_id=trainer.id,
    )
    db.session.add(session)
    db.session.commit()
    return session


def _completion(user, course, completed_on) -> Completion:
    completion = Completion(
        volunteer_id=volunteer_for(user).id,
        course_id=course.id,
        completed_on=completed_on,
        expires_on=add_months(completed_on, course.valid_months) if course.valid_months else None,
        source="external",
        evidence="Certificate seen",
    )
    db.session.add(completion)
    db.session.commit()
    return completion


def _d(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def test_add_months_keeps_the_day_or_the_months_last() -> None:
    assert add_months(date(2026, 12, 10), 36) == date(2029, 12, 10)
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)


def test_courses_are_added_by_their_providers_coordinators(personas, login) -> None:
    coordinator = login(personas.coordinator_a)
    bad = post_form(
        coordinator,
        "/training/courses/new",
        {"title": "", "provider": str(personas.org_a.id), "hours": "3", "minutes": "0"},
    )
    assert bad.status_code == 400 and "Enter the course title" in bad.get_data(as_text=True)
    other = post_form(
        coordinator,
        "/training/courses/new",
        {"title": "Food hygiene", "provider": str(personas.org_b.id), "hours": "3", "minutes": "0"},
    )
    assert other.status_code == 400  # B is not in the choices: refused by form field
    assert db.session.scalar(select(func.count(Course.id))) == 0
    made = post_form(
        coordinator,
        "/training/courses/new",
        {
            "title": "Food hygiene",
            "provider": str(personas.org_a.id),
            "hours": "2",
            "minutes": "30",
            "valid_months": "36",
            "active": "y",
        },
    )
    assert made.status_code == 302
    course = db.session.scalar(select(Course))
    assert (course.duration_minutes, course.valid_months) == (150, 36)
    assert (
        login(personas.coordinator_b).get(f"/training/courses/{course.id}/edit").status_code == 404
    )
    assert (
        login(personas.coordinator_b).get(f"/training/courses/{course.id}/sessions/new").status_code
        == 404
    )
    induction = post_form(
        login(personas.centre),
        "/training/courses/new",
        {"title": "Induction", "provider": str(personas.org_b.id), "hours": "1", "minutes": "0"},
    )
    assert induction.status_code == 302
    assert db.session.scalar(select(Course).where(Course.title == "Induction")).valid_months is None


def test_booking_waiting_list_cancellation_and_attendance(personas, login) -> None:
    course = _course(personas.org_a)
    held_on = TODAY + timedelta(days=10)
    coordinator = login(personas.coordinator_a)
    made = post_form(
        coordinator,
        f"/training/courses/{course.id}/sessions/new",
        {"held_on": _d(held_on), "starts_at": "18:30", "place": "Hall", "capacity": "1"},
    )
    assert made.status_code == 302
    session = db.session.scalar(select(TrainingSession))
    no_place = post_form(
        coordinator,
        f"/training/courses/{course.id}/sessions/new",
        {"held_on": _d(held_on), "starts_at": "25:99", "capacity": "1"},
    )
    assert no_place.status_code == 400
    assert db.session.scalar(select(func.count(TrainingSession.id))) == 1

    first = login(personas.volunteer)
    page = f"/training/sessions/{session.id}"
    assert post_form(first, f"{page}/book", {}, form_page=page).status_code == 302
    again = post_form(first, f"{page}/book", {}, form_page=page, follow_redirects=True)
    assert "already booked" in again.get_data(as_text=True)
    second_user = UserFactory(email="second@example.test")
    db.session.commit()
    second = login(second_user)
    assert post_form(second, f"{page}/book", {}, form_page=page).status_code == 302
    statuses = dict(db.session.execute(select(Booking.volunteer_id, Booking.status)).all())
    assert sorted(statuses.values()) == ["booked", "waiting"]
    mine = db.session.scalar(
        select(Booking).where(Booking.volunteer_id == volunteer_for(personas.volunteer).id)
    )
    assert (
        post_form(first, f"/training/bookings/{mine.id}/cancel", {}, form_page=page).status_code
        == 302
    )
    db.session.expire_all()
    waiting = db.session.scalar(
        select(Booking).where(Booking.volunteer_id == volunteer_for(second_user).id)
    )
    assert waiting.status == "booked"
    promoted = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == "second@example.test")
    )
    assert promoted is not None and "is yours" in promoted.subject
    # Another volunteer's booking cannot be cancelled by URL.
    assert (
        post_form(first, f"/training/bookings/{waiting.id}/cancel", {}, form_page=page).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Booking, waiting.id).status == "booked"

    # Attendance only on or after the day; attended → completion expiring 36 months later.
    early = post_form(
        coordinator,
        f"{page}/attendance",
        {"attended": str(waiting.id)},
        form_page=page,
        follow_redirects=True,
    )
    assert "on or after the day" in early.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Completion.id))) == 0
    with freeze_time(held_on.isoformat() + " 21:00:00"):
        intruder = login(personas.coordinator_b)
        assert (
            post_form(
                intruder, f"{page}/attendance", {"attended": str(waiting.id)}, form_page=page
            ).status_code
            == 404
        )
        coordinator = login(personas.coordinator_a)
        done = post_form(
            coordinator, f"{page}/attendance", {"attended": str(waiting.id)}, form_page=page
        )
        assert done.status_code == 302
    completion = db.session.scalar(select(Completion))
    assert completion.volunteer_id == volunteer_for(second_user).id
    assert completion.completed_on == held_on
    assert completion.expires_on == add_months(held_on, 36)
    record = second.get("/my-training").get_data(as_text=True)
    assert (
        "Safeguarding adults" in record and add_months(held_on, 36).strftime("%-d %B %Y") in record
    )


def test_a_session_in_the_past_cannot_be_booked(personas, login) -> None:
    course = _course(personas.org_a)
    session = _session(course, personas.coordinator_a, TODAY - timedelta(days=1))
    volunteer = login(personas.volunteer)
    page = f"/training/sessions/{session.id}"
    token = re.search(
        r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
        volunteer.get(page).get_data(as_text=True),
    ).group(1)
    response = volunteer.post(f"{page}/book", data={"csrf_token": token}, follow_redirects=True)
    assert "can no longer be booked" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Booking.id))) == 0


def _offered(personas, login, role) -> Application:
    volunteer = login(personas.volunteer)
    post_form(
        volunteer, f"/opportunities/{role.slug}/apply", {"message": "Hello", "age_group": "adult"}
    )
    application = db.session.scalar(select(Application))
    coordinator = login(personas.coordinator_a)
    for stage in ("screening", "interview", "offered"):
        post_form(
            coordinator,
            f"/applications/{application.id}/move",
            {"to": stage},
            form_page=f"/applications/{application.id}",
        )
    return application


def test_placement_blocked_by_expired_training_until_renewed_or_excepted(
    personas, login, publish
) -> None:
    role = publish(personas.org_a, "Befriender")
    safeguarding = _course(personas.org_a)
    induction = _course(personas.org_a, title="Induction", months=None)
    coordinator = login(personas.coordinator_a)
    assert (
        post_form(
            coordinator,
            f"/roles/{role.id}/training",
            {"course": [str(safeguarding.id), str(induction.id)]},
        ).status_code
        == 302
    )
    assert login(personas.coordinator_b).get(f"/roles/{role.id}/training").status_code == 404
    opportunity = login(personas.stranger).get(f"/opportunities/{role.slug}").get_data(as_text=True)
    assert "Training you must hold" in opportunity and "Induction" in opportunity

    old = date(2023, 1, 10)  # 36 months: expired on 10 January 2026
    _completion(personas.volunteer, safeguarding, old)
    application = _offered(personas, login, role)
    coordinator = login(personas.coordinator_a)
    start = TODAY + timedelta(days=3)
    place = {"start_date": _d(start), "supervisor": str(personas.coordinator_a.id)}
    blocked = post_form(coordinator, f"/applications/{application.id}/place", place)
    text = blocked.get_data(as_text=True)
    assert blocked.status_code == 400
    assert "Safeguarding adults (expired on 10 January 2026)" in text
    assert "Induction (not done)" in text
    assert db.session.scalar(select(func.count(Placement.id))) == 0

    # An exception for the induction (with a reason), a renewed safeguarding course: placed.
    page = f"/applications/{application.id}/training"
    short = post_form(coordinator, page, {"course": str(induction.id), "reason": "soon"})
    assert short.status_code == 400
    assert (
        post_form(
            coordinator,
            page,
            {"course": str(induction.id), "reason": "Induction booked for the first week"},
        ).status_code
        == 302
    )
    still = post_form(coordinator, f"/applications/{application.id}/place", place)
    assert (
        still.status_code == 400
        and "Induction" not in still.get_data(as_text=True).split("does not hold")[1].split(".")[0]
    )
    assert (
        post_form(
            coordinator,
            f"/training/volunteers/{application.volunteer_id}",
            {
                "course": str(safeguarding.id),
                "completed_on": _d(TODAY - timedelta(days=5)),
                "evidence": "Certificate SG-1 from the council",
            },
        ).status_code
        == 302
    )
    assert post_form(coordinator, f"/applications/{application.id}/place", place).status_code == 302
    assert db.session.scalar(select(func.count(Placement.id))) == 1


def test_expiries_flags_and_who_sees_them(personas, login, publish) -> None:
    role = publish(personas.org_a, "Befriender")
    safeguarding = _course(personas.org_a)
    db.session.add(RoleCourse(role_id=role.id, course_id=safeguarding.id))
    db.session.commit()
    placement = _place(personas, role, personas.volunteer, personas.coordinator_a)
    soon = TODAY + timedelta(days=20)
    _completion(personas.volunteer, safeguarding, add_months(soon, -36))
    expected = soon.strftime("%-d %B %Y")

    coordinator = login(personas.coordinator_a)
    page = coordinator.get("/training/expiries").get_data(as_text=True)
    assert personas.volunteer.name in page and expected in page
    assert f"Expires {expected}" in coordinator.get(f"/placements/{placement.id}").get_data(
        as_text=True
    )
    other = login(personas.coordinator_b)
    assert personas.volunteer.name not in other.get("/training/expiries").get_data(as_text=True)
    assert other.get(f"/training/volunteers/{placement.volunteer_id}").status_code == 404
    assert f"Expires {expected}" in login(personas.volunteer).get("/my-training").get_data(
        as_text=True
    )


def test_training_reminders_once_and_respecting_settings(personas, login, publish, runner) -> None:
    role = publish(personas.org_a, "Befriender")
    course = _course(personas.org_a)
    _place(personas, role, personas.volunteer, personas.coordinator_a)
    completion = _completion(
        personas.volunteer, course, add_months(TODAY + timedelta(days=10), -36)
    )
    with freeze_time(TODAY.isoformat() + " 09:00:00"):
        first = runner.invoke(args=["reminders", "send"]).output.strip().splitlines()[-1]
        second = runner.invoke(args=["reminders", "send"]).output.strip().splitlines()[-1]
    # The training to the volunteer and coordinator A, and organisation B's lapsed checks.
    assert (first, second) == ("reminders queued: 3", "reminders queued: 0")
    sent = db.session.scalars(
        select(SentReminder.recipient).where(SentReminder.kind == "training_expiry")
    ).all()
    assert sorted(sent) == sorted([personas.volunteer.email, personas.coordinator_a.email])

    # Expired now: a new state, reminded again, except to whoever turned it off.
    volunteer = login(personas.volunteer)
    kinds = ["hours_waiting", "supervision", "action_overdue", "application_overdue"]
    assert post_form(volunteer, "/account/reminders", {"kind": kinds}).status_code == 302
    page = volunteer.get("/account/reminders").get_data(as_text=True)
    assert 'value="training_expiry" >' in page or 'value="training_expiry">' in page
    with freeze_time((completion.expires_on + timedelta(days=1)).isoformat() + " 09:00:00"):
        third = runner.invoke(args=["reminders", "send"]).output.strip().splitlines()[-1]
    assert third.startswith("reminders queued: ")  # supervision falls due then too
    latest = db.session.scalars(
        select(SentReminder.recipient).where(SentReminder.state.like("expired:%"))
    ).all()
    assert latest == [personas.coordinator_a.email]
