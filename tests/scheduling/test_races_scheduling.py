"""Sign-ups are exactly-once under real parallel requests: capacity is never exceeded, the
waiting list keeps one place each, a freed place goes to exactly one person (one email), and
attendance makes one hour record."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.factories import UserFactory
from tests.parallel import Shot
from volunteer_hub.accounts.models import AuditEvent, OutboxMessage
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.scheduling.models import SignUp
from volunteer_hub.volunteers.services import volunteer_for


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _statuses() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(SignUp.status)))


def _people(n: int) -> list:
    users = [UserFactory(email=f"person-{i}@example.test") for i in range(n)]
    for user in users:
        volunteer_for(user)
    db.session.commit()
    return users


def test_the_last_places_go_to_exactly_capacity_people_at_once(make_shift, login, parallel) -> None:
    shift = make_shift(capacity=2)
    page = f"/shifts/{shift.id}"
    people = _people(6)
    results = parallel.run(
        [Shot(login(user), f"{page}/sign-up", {}, page, times=2) for user in people]
    )
    assert results.server_errors == []
    assert _statuses() == ["confirmed"] * 2 + ["waiting"] * 4
    positions = sorted(
        db.session.scalars(select(SignUp.position).where(SignUp.position.is_not(None)))
    )
    assert positions == [1, 2, 3, 4]
    assert _count(AuditEvent, AuditEvent.action == "scheduling.confirmed") == 2


def test_parallel_cancellations_promote_exactly_one(make_shift, personas, login, parallel) -> None:
    shift = make_shift(capacity=1)
    first, second = _people(2)
    rows = [
        SignUp(
            shift_id=shift.id, volunteer_id=volunteer_for(personas.volunteer).id, status="confirmed"
        ),
        SignUp(
            shift_id=shift.id, volunteer_id=volunteer_for(first).id, status="waiting", position=1
        ),
        SignUp(
            shift_id=shift.id, volunteer_id=volunteer_for(second).id, status="waiting", position=2
        ),
    ]
    db.session.add_all(rows)
    db.session.commit()
    page = f"/shifts/{shift.id}"
    url = f"/shifts/sign-ups/{rows[0].id}/cancel"
    results = parallel.run(
        [
            Shot(login(personas.volunteer), url, {}, page, times=5),
            Shot(login(personas.coordinator_a), url, {}, page, times=5),
        ]
    )
    assert results.server_errors == []
    assert _statuses() == ["cancelled", "confirmed", "waiting"]
    assert db.session.scalars(select(OutboxMessage.to_address)).all() == [first.email]
    assert _count(AuditEvent, AuditEvent.action == "scheduling.promoted") == 1


def test_parallel_attendance_makes_one_hour_record(make_shift, personas, login, parallel) -> None:
    shift = make_shift(start=-5, length=2)
    signup = SignUp(
        shift_id=shift.id, volunteer_id=volunteer_for(personas.volunteer).id, status="confirmed"
    )
    db.session.add(signup)
    db.session.commit()
    page = f"/shifts/{shift.id}"
    results = parallel.post(
        login(personas.coordinator_a),
        f"{page}/attendance",
        {"attended": str(signup.id)},
        form_page=page,
    )
    assert results.server_errors == []
    assert _count(HourRecord) == 1
    assert _statuses() == ["attended"]


def test_parallel_shift_cancellations_email_each_person_once(
    make_shift, personas, login, parallel
) -> None:
    shift = make_shift(capacity=2)
    people = _people(2)
    for user in people:
        db.session.add(
            SignUp(shift_id=shift.id, volunteer_id=volunteer_for(user).id, status="confirmed")
        )
    db.session.commit()
    page = f"/shifts/{shift.id}"
    results = parallel.post(login(personas.coordinator_a), f"{page}/cancel", {}, form_page=page)
    assert results.server_errors == []
    assert _count(OutboxMessage) == 2
    assert _count(AuditEvent, AuditEvent.action == "scheduling.shift_cancelled") == 1
