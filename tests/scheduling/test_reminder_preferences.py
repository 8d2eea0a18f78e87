"""The day-before shift reminder honours each person's reminder settings: turned off, it is not
sent (nor recorded as sent); turned back on before the shift, it is sent."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from tests.helpers import post_form
from volunteer_hub.accounts.models import OutboxMessage
from volunteer_hub.extensions import db
from volunteer_hub.reminders.models import KINDS
from volunteer_hub.scheduling.models import SignUp
from volunteer_hub.scheduling.reminders import remind_due
from volunteer_hub.volunteers.services import volunteer_for

SETTINGS = "/account/reminders"


def _run() -> int:
    db.session.expire_all()
    queued = remind_due(datetime.now(UTC))
    db.session.commit()
    return queued


def test_shift_reminders_can_be_turned_off_and_on(personas, login, make_shift) -> None:
    shift = make_shift(10)
    for user in (personas.volunteer, personas.stranger):
        db.session.add(
            SignUp(shift_id=shift.id, volunteer_id=volunteer_for(user).id, status="confirmed")
        )
    db.session.commit()
    client = login(personas.volunteer)
    page = client.get(SETTINGS).get_data(as_text=True)
    assert "Your shifts, the day before" in page and 'value="shift_reminder"' in page
    others = [kind for kind in KINDS if kind != "shift_reminder"]
    assert post_form(client, SETTINGS, {"kind": others}).status_code == 302

    assert _run() == 1  # the stranger (reminders on by default) only
    assert db.session.scalars(select(OutboxMessage.to_address)).all() == [personas.stranger.email]
    mine = db.session.scalar(
        select(SignUp).where(SignUp.volunteer_id == volunteer_for(personas.volunteer).id)
    )
    assert mine.reminded_version is None

    assert post_form(client, SETTINGS, {"kind": [*others, "shift_reminder"]}).status_code == 302
    assert _run() == 1
    assert sorted(db.session.scalars(select(OutboxMessage.to_address))) == sorted(
        [personas.volunteer.email, personas.stranger.email]
    )
    assert _run() == 0
