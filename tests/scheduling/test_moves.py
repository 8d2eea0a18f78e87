"""Moving a shift: coordinators change a future shift's time or place, its version goes up, and
everyone on it is emailed once (also under parallel clicks); a new overlap keeps the place, is
told and is flagged on the roster."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.factories import UserFactory
from tests.helpers import post_form
from tests.parallel import Shot
from volunteer_hub.accounts.models import AuditEvent, OutboxMessage
from volunteer_hub.extensions import db
from volunteer_hub.scheduling.models import Shift, SignUp
from volunteer_hub.scheduling.reminders import remind_due
from volunteer_hub.scheduling.times import local
from volunteer_hub.volunteers.services import volunteer_for


def _data(shift: Shift, *, hours_later: float = 24, location: str = "Hall", **extra) -> dict:
    start = local(shift.starts_at + timedelta(hours=hours_later))
    end = local(shift.ends_at + timedelta(hours=hours_later))
    return {
        "day": [str(start.day), str(start.month), str(start.year)],
        "start": f"{start:%H:%M}",
        "end": f"{end:%H:%M}",
        "location": location,
        "version": str(shift.version),
        **extra,
    }


def _signup(shift: Shift, user, status: str = "confirmed", position: int | None = None) -> None:
    db.session.add(
        SignUp(
            shift_id=shift.id, volunteer_id=volunteer_for(user).id, status=status, position=position
        )
    )
    db.session.commit()


def _mail() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _people(n: int) -> list:
    users = [UserFactory(email=f"mover-{i}@example.test") for i in range(n)]
    for user in users:
        volunteer_for(user)
    db.session.commit()
    return users


def test_coordinator_moves_a_shift_and_everyone_on_it_is_emailed_once(
    personas, login, make_shift
) -> None:
    shift = make_shift(72, capacity=1)
    placed, waiting, gone = _people(3)
    _signup(shift, placed)
    _signup(shift, waiting, "waiting", 1)
    _signup(shift, gone, "cancelled")
    old_start = shift.starts_at
    client = login(personas.coordinator_a)
    url = f"/shifts/{shift.id}/move"
    data = _data(shift, location="Side room")
    response = post_form(client, url, data, follow_redirects=True)
    assert "Shift moved; 2 volunteers emailed." in response.get_data(as_text=True)
    db.session.expire_all()
    moved = db.session.get(Shift, shift.id)
    assert moved.version == 2
    assert moved.starts_at == old_start + timedelta(hours=24)
    assert moved.location == "Side room"
    mail = _mail()
    assert sorted(m.to_address for m in mail) == sorted([placed.email, waiting.email])
    body = mail[0].body_text
    assert "Was: " in body and "Now: " in body and "Side room" in body
    # The same form again (a double click): already changed, nobody emailed twice.
    response = post_form(client, url, data, follow_redirects=True)
    assert "already been changed" in response.get_data(as_text=True)
    assert len(_mail()) == 2
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "scheduling.shift_moved")
        )
        == 1
    )


def test_parallel_moves_email_each_person_exactly_once(
    personas, login, make_shift, parallel
) -> None:
    shift = make_shift(72, capacity=2)
    people = _people(3)
    _signup(shift, people[0])
    _signup(shift, people[1])
    _signup(shift, people[2], "waiting", 1)
    url = f"/shifts/{shift.id}/move"
    data = _data(shift)
    results = parallel.run(
        [
            Shot(login(personas.coordinator_a), url, data, times=4),
            Shot(login(personas.centre), url, data, times=4),
        ]
    )
    assert results.server_errors == []
    assert sorted(m.to_address for m in _mail()) == sorted(p.email for p in people)
    assert db.session.get(Shift, shift.id).version == 2


def test_a_new_overlap_keeps_the_place_is_told_and_flagged(personas, login, make_shift) -> None:
    shift, other = make_shift(72), make_shift(96)
    _signup(shift, personas.volunteer)
    _signup(other, personas.volunteer)
    client = login(personas.coordinator_a)
    post_form(client, f"/shifts/{shift.id}/move", _data(shift, hours_later=24))
    db.session.expire_all()
    statuses = set(db.session.scalars(select(SignUp.status)))
    assert statuses == {"confirmed"}
    (mail,) = _mail()
    assert "overlaps another shift" in mail.body_text
    roster = client.get(f"/shifts/{shift.id}").get_data(as_text=True)
    assert "Overlaps another shift" in roster


def test_a_move_sends_the_day_before_reminder_again(personas, login, make_shift) -> None:
    shift = make_shift(10)
    _signup(shift, personas.volunteer)
    from datetime import UTC, datetime

    assert remind_due(datetime.now(UTC)) == 1
    db.session.commit()
    client = login(personas.coordinator_a)
    response = post_form(client, f"/shifts/{shift.id}/move", _data(shift, hours_later=2))
    assert response.status_code == 302
    db.session.expire_all()  # the job runs in a session of its own
    assert remind_due(datetime.now(UTC)) == 1
    assert remind_due(datetime.now(UTC)) == 0


def test_only_the_organisations_coordinators_move_a_shift(personas, login, make_shift) -> None:
    shift = make_shift(72)
    url = f"/shifts/{shift.id}/move"
    for user in (personas.coordinator_b, personas.volunteer, personas.stranger):
        client = login(user)
        assert client.get(url).status_code in (403, 404)
        assert client.post(url, data=_data(shift)).status_code in (400, 403, 404)
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).version == 1


def test_started_or_past_times_and_hostile_input_are_form_errors(
    personas, login, make_shift
) -> None:
    shift = make_shift(72)
    client = login(personas.coordinator_a)
    url = f"/shifts/{shift.id}/move"
    for bad in (
        _data(shift, hours_later=-200),
        _data(shift, location="Hall\x00"),
        _data(shift, version="99999999999999999999"),
        _data(shift, start="25:99"),
        _data(shift, day=["31", "2", "2027"]),
        _data(shift, hours_later=0, location="Hall"),
        _data(shift, location="x" * 400),
    ):
        response = post_form(client, url, bad)
        assert response.status_code == 400, bad
    started = make_shift(-1)
    response = post_form(
        client, f"/shifts/{started.id}/move", _data(started), follow_redirects=True
    )
    assert "has started" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).version == 1
