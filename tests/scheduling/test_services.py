"""Signing up, the waiting list, cancelling, assigning and attendance (services)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.factories import UserFactory
from volunteer_hub.accounts.models import OutboxMessage
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.scheduling import attendance, services
from volunteer_hub.scheduling.models import SignUp
from volunteer_hub.scheduling.times import span, to_utc
from volunteer_hub.volunteers.services import volunteer_for


def _people(n: int) -> list:
    users = [UserFactory(email=f"person-{i}@example.test") for i in range(n)]
    for user in users:
        volunteer_for(user)
    db.session.commit()
    return users


def _sign(user, shift) -> SignUp:
    signup = services.sign_up(user=user, shift=shift, now=utcnow())
    db.session.commit()
    return signup


def test_full_shift_puts_people_on_the_waiting_list_in_order(make_shift) -> None:
    shift = make_shift(capacity=2)
    people = _people(4)
    statuses = [(_sign(p, shift).status, _sign_position(p, shift)) for p in people]
    assert statuses == [("confirmed", None), ("confirmed", None), ("waiting", 1), ("waiting", 2)]


def _sign_position(user, shift) -> int | None:
    volunteer = volunteer_for(user)
    return db.session.scalar(
        select(SignUp.position).where(
            SignUp.shift_id == shift.id, SignUp.volunteer_id == volunteer.id
        )
    )


def test_signing_up_twice_is_already_done(make_shift, personas) -> None:
    shift = make_shift()
    _sign(personas.volunteer, shift)
    with pytest.raises(AlreadyDone):
        services.sign_up(user=personas.volunteer, shift=shift, now=utcnow())


def test_overlapping_shifts_are_refused(make_shift, personas) -> None:
    first = make_shift(start=48, length=3)
    second = make_shift(start=50, length=3)
    after = make_shift(start=51, length=2)
    _sign(personas.volunteer, first)
    with pytest.raises(DomainError, match="already has a shift at that time"):
        services.sign_up(user=personas.volunteer, shift=second, now=utcnow())
    db.session.rollback()
    assert _sign(personas.volunteer, after).status == "confirmed"  # back to back is fine


def test_placed_only_shift_refuses_a_volunteer_not_placed(make_shift, personas) -> None:
    shift = make_shift(who="placed")
    with pytest.raises(DomainError, match="placed in this role"):
        services.sign_up(user=personas.volunteer, shift=shift, now=utcnow())


def test_started_or_cancelled_shifts_cannot_be_joined(make_shift, personas) -> None:
    with pytest.raises(DomainError, match="started"):
        services.sign_up(user=personas.volunteer, shift=make_shift(start=-1), now=utcnow())
    db.session.rollback()
    with pytest.raises(DomainError, match="cancelled"):
        services.sign_up(user=personas.volunteer, shift=make_shift(cancelled=True), now=utcnow())


def test_cancelling_promotes_the_first_waiting_and_emails_them(make_shift, personas) -> None:
    shift = make_shift(capacity=1)
    first, second = _people(2)
    mine = _sign(personas.volunteer, shift)
    _sign(first, shift)
    _sign(second, shift)
    promoted = services.cancel(user=personas.volunteer, signup=mine, now=utcnow())
    db.session.commit()
    assert promoted is not None and promoted.volunteer_id == volunteer_for(first).id
    assert promoted.status == "confirmed" and promoted.position is None
    assert db.session.scalars(select(OutboxMessage.to_address)).all() == [first.email]
    with pytest.raises(AlreadyDone):
        services.cancel(user=personas.volunteer, signup=mine, now=utcnow())


def test_volunteer_cannot_cancel_after_the_cut_off_but_coordinator_can(
    make_shift, personas
) -> None:
    shift = make_shift(start=5, cutoff_hours=24)
    mine = _sign(personas.volunteer, shift)
    with pytest.raises(DomainError, match="24 hours before"):
        services.cancel(user=personas.volunteer, signup=mine, now=utcnow())
    db.session.rollback()
    with pytest.raises(DomainError, match="your own"):
        services.cancel(user=personas.coordinator_b, signup=mine, now=utcnow())
    db.session.rollback()
    services.cancel(user=personas.coordinator_a, signup=mine, now=utcnow())
    db.session.commit()
    assert mine.status == "cancelled"


def test_coordinator_assigns_but_never_beyond_capacity(make_shift, personas) -> None:
    shift = make_shift(capacity=1, who="placed")
    first, second = _people(2)
    signup = services.assign(
        actor=personas.coordinator_a, shift=shift, volunteer=volunteer_for(first), now=utcnow()
    )
    assert signup.status == "confirmed"  # who-may-sign-up is the coordinator's choice
    db.session.commit()
    with pytest.raises(DomainError, match="full"):
        services.assign(
            actor=personas.coordinator_a, shift=shift, volunteer=volunteer_for(second), now=utcnow()
        )
    db.session.rollback()
    with pytest.raises(DomainError, match="coordinators"):
        services.assign(
            actor=personas.coordinator_b, shift=shift, volunteer=volunteer_for(second), now=utcnow()
        )


def _hours() -> list[tuple[str, int]]:
    db.session.expire_all()
    return list(
        db.session.execute(select(HourRecord.status, HourRecord.seconds).order_by(HourRecord.id))
    )


def test_attendance_makes_one_approved_record_and_changes_correct_it(make_shift, personas) -> None:
    shift = make_shift(start=-30, length=2.5)
    signup = SignUp(
        shift_id=shift.id, volunteer_id=volunteer_for(personas.volunteer).id, status="confirmed"
    )
    db.session.add(signup)
    db.session.commit()
    now = utcnow()
    attendance.mark(actor=personas.coordinator_a, signup=signup, status="attended", now=now)
    db.session.commit()
    assert _hours() == [("approved", 9000)]
    with pytest.raises(AlreadyDone):
        attendance.mark(actor=personas.coordinator_a, signup=signup, status="attended", now=now)
    db.session.rollback()
    attendance.mark(actor=personas.coordinator_a, signup=signup, status="no_show", now=now)
    db.session.commit()
    assert _hours() == [("rejected", 9000)]
    attendance.mark(actor=personas.coordinator_a, signup=signup, status="attended", now=now)
    db.session.commit()
    records = db.session.scalars(select(HourRecord).order_by(HourRecord.id)).all()
    assert [r.status for r in records] == ["rejected", "approved"]
    assert records[1].replaces_id == records[0].id
    assert signup.hour_record_id == records[1].id
    assert records[1].date == shift.starts_at.astimezone(UTC).date() or records[1].date


def test_attendance_only_by_coordinators_and_once_started(make_shift, personas) -> None:
    future = make_shift(start=10)
    signup = _sign(personas.volunteer, future)
    with pytest.raises(DomainError, match="once the shift has started"):
        attendance.mark(
            actor=personas.coordinator_a, signup=signup, status="attended", now=utcnow()
        )
    db.session.rollback()
    with pytest.raises(DomainError, match="coordinators"):
        attendance.mark(
            actor=personas.coordinator_b, signup=signup, status="attended", now=utcnow()
        )


def test_database_refuses_two_places_for_one_volunteer_and_waiting_without_position(
    make_shift, personas
) -> None:
    shift = make_shift()
    vid = volunteer_for(personas.volunteer).id
    db.session.add(SignUp(shift_id=shift.id, volunteer_id=vid, status="waiting"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add_all(
        [
            SignUp(shift_id=shift.id, volunteer_id=vid, status="confirmed"),
            SignUp(shift_id=shift.id, volunteer_id=vid, status="confirmed"),
        ]
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(func.count(SignUp.id))) == 0


def test_local_times_are_correct_across_the_clock_changes() -> None:
    # Summer time: 09:00 in London is 08:00 UTC; winter: 09:00 UTC.
    assert span(date(2027, 7, 1), time(9), time(12))[0] == datetime(2027, 7, 1, 8, tzinfo=UTC)
    assert span(date(2027, 1, 7), time(9), time(12))[0] == datetime(2027, 1, 7, 9, tzinfo=UTC)
    # The night the clocks go back, 22:00 to 06:00 lasts 9 hours.
    start, end = span(date(2027, 10, 30), time(22), time(6))
    assert (end - start).total_seconds() == 9 * 3600
    with pytest.raises(DomainError, match="does not exist"):
        to_utc(datetime(2027, 3, 28, 1, 30))


def test_cancelling_a_shift_emails_everyone_once_and_bumps_its_version(
    make_shift, personas
) -> None:
    shift = make_shift(capacity=1)
    first, second = _people(2)
    _sign(first, shift)
    _sign(second, shift)
    with pytest.raises(DomainError, match="coordinators"):
        services.cancel_shift(actor=personas.coordinator_b, shift=shift, now=utcnow())
    db.session.rollback()
    assert services.cancel_shift(actor=personas.coordinator_a, shift=shift, now=utcnow()) == 2
    db.session.commit()
    assert (shift.cancelled, shift.version) == (True, 2)
    with pytest.raises(AlreadyDone):
        services.cancel_shift(actor=personas.coordinator_a, shift=shift, now=utcnow())
    db.session.rollback()
    assert sorted(db.session.scalars(select(OutboxMessage.to_address))) == sorted(
        [first.email, second.email]
    )
