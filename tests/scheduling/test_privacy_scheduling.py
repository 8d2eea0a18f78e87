"""Scheduling's privacy hooks: sign-ups in the export; erasure deletes sign-ups but keeps
attendance (and its approved hours) as anonymous hours."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.privacy.erasure import erase
from volunteer_hub.privacy.export import build_export
from volunteer_hub.scheduling.attendance import mark
from volunteer_hub.scheduling.models import SignUp
from volunteer_hub.volunteers.services import volunteer_for


def _history(make_shift, personas):
    volunteer = volunteer_for(personas.volunteer)
    past, future = make_shift(start=-30, length=2), make_shift(start=30)
    attended = SignUp(shift_id=past.id, volunteer_id=volunteer.id, status="confirmed")
    db.session.add_all(
        [attended, SignUp(shift_id=future.id, volunteer_id=volunteer.id, status="confirmed")]
    )
    db.session.commit()
    mark(actor=personas.coordinator_a, signup=attended, status="attended", now=utcnow())
    db.session.commit()
    return volunteer


def test_export_lists_the_volunteers_shifts(make_shift, personas) -> None:
    volunteer = _history(make_shift, personas)
    data = build_export(user=personas.volunteer, volunteer=volunteer, full=False)
    signups = data["scheduling"]["signups"]
    assert sorted(s["status"] for s in signups) == ["attended", "confirmed"]
    assert {s["role"] for s in signups} == {"Food bank helper"}


def test_export_has_no_scheduling_section_without_sign_ups(personas) -> None:
    volunteer = volunteer_for(personas.volunteer)
    db.session.commit()
    assert "scheduling" not in build_export(
        user=personas.volunteer, volunteer=volunteer, full=False
    )


def test_erasure_keeps_attendance_as_anonymous_hours(make_shift, personas) -> None:
    volunteer = _history(make_shift, personas)
    result = erase(actor=personas.admin, user=personas.volunteer, today=date.today())
    db.session.commit()
    assert any("shift sign-ups deleted" in line for line in result.erased)
    db.session.expire_all()
    assert db.session.scalars(select(SignUp.status)).all() == ["attended"]
    assert db.session.scalar(select(HourRecord.status)) == "approved"
    assert volunteer.email is None or "erased" in (volunteer.email or "")
