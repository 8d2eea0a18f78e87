"""The day-before reminder: once per sign-up and shift version, as a background job."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from tests.scheduling.test_services import _people
from volunteer_hub.accounts.models import OutboxMessage
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.jobs.queue import JOBS, run_recorded
from volunteer_hub.scheduling.models import Shift, SignUp
from volunteer_hub.scheduling.reminders import remind_due
from volunteer_hub.volunteers.services import volunteer_for


def _emails() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(OutboxMessage.id))) or 0


def test_places_tomorrow_are_reminded_once_per_shift_version(make_shift) -> None:
    soon, later = make_shift(start=20), make_shift(start=60)
    waiting, placed, far = _people(3)
    for shift, user, status, position in (
        (soon, placed, "confirmed", None),
        (soon, waiting, "waiting", 1),
        (later, far, "confirmed", None),
    ):
        db.session.add(
            SignUp(
                shift_id=shift.id,
                volunteer_id=volunteer_for(user).id,
                status=status,
                position=position,
            )
        )
    db.session.commit()
    assert remind_due(utcnow()) == 1
    db.session.commit()
    assert remind_due(utcnow()) == 0
    db.session.execute(update(Shift).where(Shift.id == soon.id).values(version=Shift.version + 1))
    db.session.commit()
    assert remind_due(utcnow()) == 1  # changed since: reminded again
    db.session.commit()
    assert remind_due(utcnow() + timedelta(hours=40)) == 1  # the later shift, a day before
    db.session.commit()
    assert _emails() == 3


def test_the_job_is_registered_and_commits(make_shift, personas) -> None:
    shift = make_shift(start=3)
    db.session.add(
        SignUp(
            shift_id=shift.id, volunteer_id=volunteer_for(personas.volunteer).id, status="confirmed"
        )
    )
    db.session.commit()
    assert JOBS["shift_reminders"].periodic
    assert run_recorded(JOBS["shift_reminders"]) == {"queued": 1}
    assert run_recorded(JOBS["shift_reminders"]) == {"queued": 0}
    assert _emails() == 1
