"""Scheduling pages: the role page's shifts, signing up and cancelling, "My shifts", the rota
with gaps, adding shifts, assigning and marking attendance; organisation-scoped permissions."""

from __future__ import annotations

from sqlalchemy import select

from tests.helpers import post_form
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.scheduling.models import Shift, SignUp
from volunteer_hub.volunteers.services import volunteer_for


def test_role_page_lists_upcoming_shifts(client, personas, publish, categories) -> None:
    role = publish(personas.org_a, "Pantry packer")
    db.session.add(Shift(role_id=role.id, capacity=3, who="anyone", location="Depot", **_when(48)))
    db.session.commit()
    page = client.get(f"/opportunities/{role.slug}").get_data(as_text=True)
    assert "Upcoming shifts" in page and "3 places left" in page


def _when(start: float, length: float = 3) -> dict:
    from tests.scheduling.conftest import hour

    return {"starts_at": hour(start), "ends_at": hour(start + length)}


def test_volunteer_signs_up_sees_my_shifts_and_cancels(make_shift, personas, login) -> None:
    shift = make_shift(capacity=1)
    client = login(personas.volunteer)
    page = f"/shifts/{shift.id}"
    assert "Sign up" in client.get(page).get_data(as_text=True)
    response = post_form(client, f"{page}/sign-up", {}, form_page=page, follow_redirects=True)
    assert "You have a place on this shift." in response.get_data(as_text=True)
    mine = client.get("/my-shifts").get_data(as_text=True)
    assert "Food bank helper" in mine and "Place" in mine
    signup = db.session.scalar(select(SignUp))
    response = post_form(
        client, f"/shifts/sign-ups/{signup.id}/cancel", {}, form_page=page, follow_redirects=True
    )
    assert "Cancelled." in response.get_data(as_text=True)


def test_full_shift_offers_the_waiting_list(make_shift, personas, login) -> None:
    shift = make_shift(capacity=1)
    db.session.add(
        SignUp(
            shift_id=shift.id, volunteer_id=volunteer_for(personas.stranger).id, status="confirmed"
        )
    )
    db.session.commit()
    client = login(personas.volunteer)
    page = f"/shifts/{shift.id}"
    assert "Join the waiting list" in client.get(page).get_data(as_text=True)
    response = post_form(client, f"{page}/sign-up", {}, form_page=page, follow_redirects=True)
    assert "you are on the waiting list" in response.get_data(as_text=True)
    assert "number 1 on the waiting list" in client.get(page).get_data(as_text=True)


def test_rota_highlights_gaps_for_its_own_coordinators_only(make_shift, personas, login) -> None:
    shift = make_shift(start=2, capacity=3, minimum=2)
    week = shift.starts_at.date().isoformat()
    page = login(personas.coordinator_a).get(f"/rota/{personas.org_a.id}?week={week}")
    assert page.status_code == 200
    assert "Needs 2 more" in page.get_data(as_text=True)
    assert login(personas.coordinator_b).get(f"/rota/{personas.org_a.id}").status_code == 404
    assert login(personas.volunteer).get(f"/rota/{personas.org_a.id}").status_code == 403


def test_coordinator_adds_a_repeating_shift(role, personas, login) -> None:
    client = login(personas.coordinator_a)
    url = f"/roles/{role.id}/shifts/new"
    from datetime import date, timedelta

    day = date.today() + timedelta(days=7)
    response = post_form(
        client,
        url,
        {
            "day": [str(day.day), str(day.month), str(day.year)],
            "start": "09:30",
            "end": "12:00",
            "location": "Depot",
            "capacity": "4",
            "minimum": "2",
            "who": "anyone",
            "repeat": "weekly",
            "nth": "1",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    assert db.session.scalar(select(Shift.id).where(Shift.pattern_id.is_not(None))) is not None
    assert login(personas.coordinator_b).get(url).status_code == 404


def test_coordinator_assigns_and_marks_attendance(make_shift, personas, login) -> None:
    later = make_shift(start=30)
    client = login(personas.coordinator_a)
    page = f"/shifts/{later.id}"
    volunteer_for(personas.volunteer)
    db.session.commit()
    response = post_form(
        client,
        f"{page}/assign",
        {"email": personas.volunteer.email},
        follow_redirects=True,
        form_page=page,
    )
    assert "has a place on this shift" in response.get_data(as_text=True)
    past = make_shift(start=-4, length=2)
    signup = SignUp(
        shift_id=past.id, volunteer_id=volunteer_for(personas.volunteer).id, status="confirmed"
    )
    db.session.add(signup)
    db.session.commit()
    page = f"/shifts/{past.id}"
    response = post_form(
        client,
        f"{page}/attendance",
        {"attended": str(signup.id)},
        form_page=page,
        follow_redirects=True,
    )
    assert "Attendance saved" in response.get_data(as_text=True)
    assert db.session.scalar(select(HourRecord.status)) == "approved"
    other = login(personas.coordinator_b)
    assert "Roster" not in other.get(page).get_data(as_text=True)
