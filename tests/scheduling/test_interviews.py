"""Interview slots: coordinators publish them (UK times stored as UTC, several at once), applicants
at the interview stage book, move and cancel one, both sides get an ``.ics`` that icalendar
parses (UID stable, SEQUENCE bumped, DTSTART in UTC, nobody else's data), an application that
leaves the interview stage frees its slot, and everything holds under parallel requests."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar
import pytest
from sqlalchemy import func, select

from tests.factories import UserFactory
from tests.helpers import post_form
from tests.parallel import Shot
from volunteer_hub.accounts.models import AuditEvent, OutboxMessage, User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Role
from volunteer_hub.privacy.erasure import erase
from volunteer_hub.privacy.export import build_export
from volunteer_hub.recruitment import services as recruitment
from volunteer_hub.recruitment.models import Application
from volunteer_hub.scheduling import interview_queries, interviews, queries
from volunteer_hub.scheduling.demo import seed_interviews
from volunteer_hub.scheduling.jobs import release_interview_slots
from volunteer_hub.scheduling.models import InterviewBooking, InterviewSlot
from volunteer_hub.scheduling.times import local
from volunteer_hub.volunteers.services import volunteer_for

DAY = date.today() + timedelta(days=10)


def _slot(role: Role, hours: float = 72, minutes: int = 30, **fields: Any) -> InterviewSlot:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=hours)
    slot = InterviewSlot(
        role_id=role.id, starts_at=start, minutes=minutes, **({"place": "Room 2"} | fields)
    )
    db.session.add(slot)
    db.session.commit()
    return slot


def _applicant(role: Role, user: User | None = None, stage: str = "interview") -> Application:
    user = user or UserFactory()
    volunteer = volunteer_for(user)
    application = Application(
        volunteer_id=volunteer.id,
        role_id=role.id,
        organisation_id=role.organisation_id,
        stage=stage,
    )
    db.session.add(application)
    db.session.commit()
    return application


def _book_url(application: Application) -> str:
    return f"/applications/{application.id}/interview"


def _book(client, application: Application, slot: InterviewSlot):
    return post_form(client, _book_url(application), {"slot": str(slot.id)})


def _mail(to: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_address == to).order_by(OutboxMessage.id)
        )
    )


def _ics(message: OutboxMessage) -> tuple[str, icalendar.Calendar]:
    (attachment,) = json.loads(message.attachments_json or "[]")
    assert attachment["filename"] == "interview.ics"
    assert attachment["content_type"].startswith("text/calendar; method=")
    return attachment["content"], icalendar.Calendar.from_ical(attachment["content"])


def _event(calendar: icalendar.Calendar) -> icalendar.Event:
    (event,) = calendar.walk("VEVENT")
    return event


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


# --- publishing ----------------------------------------------------------------------------


def _slots_form(**values: Any) -> dict[str, Any]:
    return {
        "day": [str(DAY.day), str(DAY.month), str(DAY.year)],
        "start": "09:30",
        "minutes": "30",
        "count": "3",
        "gap": "10",
        "place": "Meeting room 2",
        "video_url": "",
    } | values


def test_a_coordinator_publishes_several_slots_in_uk_time_once(role, personas, login) -> None:
    client = login(personas.coordinator_a)
    url = f"/roles/{role.id}/interviews"
    response = post_form(client, url, _slots_form())
    assert response.status_code == 302
    slots = interview_queries.slots_of_role(role.id, utcnow())
    assert [local(s.starts_at).strftime("%H:%M") for s, _ in slots] == ["09:30", "10:10", "10:50"]
    assert all(s.starts_at.tzinfo is not None for s, _ in slots)
    # The same slots sent again (a double click) are added once.
    again = post_form(client, url, _slots_form(), follow_redirects=True)
    assert "already added" in again.get_data(as_text=True)
    assert _count(InterviewSlot) == 3
    # Overlapping ones are refused on the form.
    clash = post_form(client, url, _slots_form(start="09:45", count="1"))
    assert clash.status_code == 400 and "overlap" in clash.get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert page.count("Free") >= 3


def test_slots_are_stored_as_utc_from_london_wall_clock(role, personas) -> None:
    plan = interviews.SlotPlan(
        first=datetime(2027, 7, 5, 9, 30), minutes=45, count=2, gap=15, place="Hall"
    )
    made = interviews.add_slots(
        actor=personas.coordinator_a, role=role, plan=plan, now=datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert [s.starts_at for s in made] == [
        datetime(2027, 7, 5, 8, 30, tzinfo=UTC),
        datetime(2027, 7, 5, 9, 30, tzinfo=UTC),
    ]
    with pytest.raises(DomainError, match="does not exist"):
        interviews.SlotPlan(first=datetime(2027, 3, 28, 1, 30), minutes=30).starts()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("video_url", "http://meet.example.org/abc"),
        ("video_url", "javascript:alert(1)"),
        ("video_url", "https://user:pw@meet.example.org/x"),
        ("video_url", "https://meet.example.org/a b"),
        ("place", "Room\x002"),
        ("minutes", "99999999999999999999999"),
        ("minutes", "4"),
        ("count", "21"),
        ("gap", "-5"),
        ("start", "25:00"),
        ("start", "９:３０"),
        ("day", ["31", "2", "2027"]),
        ("day", ["1", "1"]),
        ("place", ""),
    ],
)
def test_hostile_or_wrong_input_is_a_form_error(role, personas, login, field, value) -> None:
    client = login(personas.coordinator_a)
    response = post_form(client, f"/roles/{role.id}/interviews", _slots_form(**{field: value}))
    assert response.status_code == 400
    assert "govuk-error-summary" in response.get_data(as_text=True)
    assert _count(InterviewSlot) == 0


def test_a_video_slot_needs_only_an_https_link(role, personas, login) -> None:
    client = login(personas.coordinator_a)
    response = post_form(
        client,
        f"/roles/{role.id}/interviews",
        _slots_form(place="", count="1", video_url="https://meet.example.org/abc-def"),
    )
    assert response.status_code == 302
    slot = db.session.scalar(select(InterviewSlot))
    assert slot is not None and slot.video_url == "https://meet.example.org/abc-def"


@pytest.mark.parametrize("who", ["coordinator_b", "volunteer", "partner"])
def test_other_organisations_and_volunteers_cannot_see_or_change_slots(
    role, personas, login, who
) -> None:
    slot = _slot(role)
    client = login(personas.get(who))
    assert client.get(f"/roles/{role.id}/interviews").status_code in (403, 404)
    response = post_form(client, f"/interviews/slots/{slot.id}/cancel", {}, form_page="/")
    assert response.status_code in (403, 404)
    db.session.expire_all()
    assert db.session.get(InterviewSlot, slot.id).cancelled is False


def test_the_centre_runs_any_organisations_slots(role, personas, login) -> None:
    assert login(personas.centre).get(f"/roles/{role.id}/interviews").status_code == 200


# --- booking, moving, cancelling -------------------------------------------------------------


def test_an_applicant_books_and_both_sides_get_an_invitation(role, personas, login) -> None:
    slot = _slot(role)
    application = _applicant(role, personas.volunteer)
    client = login(personas.volunteer)
    page = client.get(_book_url(application)).get_data(as_text=True)
    assert "Choose a time" in page and "Room 2" in page
    response = _book(client, application, slot)
    assert response.status_code == 302
    booking = interview_queries.booking_of_application(application.id)
    assert booking is not None and booking.slot_id == slot.id and booking.sequence == 0
    (mine,) = _mail(personas.volunteer.email)
    text, calendar = _ics(mine)
    assert calendar["method"] == "REQUEST"
    event = _event(calendar)
    assert str(event["uid"]) == booking.uid
    assert event["sequence"] == 0
    assert event.decoded("dtstart") == slot.starts_at
    assert event.decoded("dtstart").utcoffset() == timedelta(0)
    assert event.decoded("dtend") == slot.starts_at + timedelta(minutes=30)
    assert "DTSTART:" in text and text.split("DTSTART:")[1][15] == "Z"
    assert str(event["location"]) == "Room 2"
    assert "Food bank helper" in str(event["summary"])
    (theirs,) = _mail(personas.coordinator_a.email)
    _, staff_calendar = _ics(theirs)
    assert str(_event(staff_calendar)["uid"]) == booking.uid
    assert personas.volunteer.name in str(_event(staff_calendar)["summary"])
    assert _mail(personas.coordinator_b.email) == []
    # The application page shows it, to the applicant and to the coordinator.
    mine_page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Interview" in mine_page and "Room 2" in mine_page and "Change the time" in mine_page
    staff_page = login(personas.coordinator_a).get(f"/applications/{application.id}")
    assert "Room 2" in staff_page.get_data(as_text=True)
    slots_page = login(personas.coordinator_a).get(f"/roles/{role.id}/interviews")
    assert personas.volunteer.name in slots_page.get_data(as_text=True)


def test_moving_keeps_the_uid_and_bumps_the_sequence_then_cancel(role, personas, login) -> None:
    first, second = _slot(role, 72), _slot(role, 96, video_url="https://meet.example.org/x")
    application = _applicant(role, personas.volunteer)
    client = login(personas.volunteer)
    _book(client, application, first)
    booking = interview_queries.booking_of_application(application.id)
    assert booking is not None
    uid = booking.uid
    assert _book(client, application, second).status_code == 302
    moved = _mail(personas.volunteer.email)[-1]
    event = _event(_ics(moved)[1])
    assert (str(event["uid"]), event["sequence"]) == (uid, 1)
    assert event.decoded("dtstart") == second.starts_at
    assert str(event["url"]) == "https://meet.example.org/x"
    # The first slot is free again for others.
    other = _applicant(role)
    assert first.id in [s.id for s in interview_queries.open_slots(role.id, utcnow(), other.id)]
    # Booking the same time again changes nothing.
    again = _book(client, application, second)
    assert again.status_code == 302
    assert len(_mail(personas.volunteer.email)) == 2
    # Cancelling: METHOD:CANCEL, same UID, sequence up again, to both sides.
    booking = interview_queries.booking_of_application(application.id)
    assert booking is not None
    response = post_form(
        client,
        f"/interviews/bookings/{booking.id}/cancel",
        {},
        form_page=f"/applications/{application.id}",
    )
    assert response.status_code == 302
    calendar = _ics(_mail(personas.volunteer.email)[-1])[1]
    assert calendar["method"] == "CANCEL"
    event = _event(calendar)
    assert (str(event["uid"]), event["sequence"], str(event["status"])) == (uid, 2, "CANCELLED")
    assert _ics(_mail(personas.coordinator_a.email)[-1])[1]["method"] == "CANCEL"
    assert interview_queries.booking_of_application(application.id) is None
    assert _count(AuditEvent, AuditEvent.action == "interview.cancelled") == 1


def test_a_slot_holds_one_applicant_and_no_one_sees_anothers_data(role, personas, login) -> None:
    slot, other_slot = _slot(role, 72), _slot(role, 96)
    rival_user = UserFactory(email="rival@example.test", name="Rowan Rival")
    rival = _applicant(role, rival_user)
    mine = _applicant(role, personas.volunteer)
    assert _book(login(rival_user), rival, slot).status_code == 302
    client = login(personas.volunteer)
    page = client.get(_book_url(mine)).get_data(as_text=True)
    assert "Rowan Rival" not in page and f'value="{slot.id}"' not in page
    refused = _book(client, mine, slot)
    assert refused.status_code == 400
    assert _book(client, mine, other_slot).status_code == 302
    for message in _mail(personas.volunteer.email):
        text, _ = _ics(message)
        assert "Rival" not in text and "rival@" not in text and "Rival" not in message.body_text
    events = queries.interview_calendar_events(volunteer_for(personas.volunteer).id)
    assert [e.decoded("dtstart") for e in events] == [other_slot.starts_at]
    assert "Rival" not in events[0].to_ical().decode()


def test_only_applicants_at_the_interview_stage_book_their_own(role, personas, login) -> None:
    slot = _slot(role)
    screening = _applicant(role, personas.volunteer, stage="screening")
    client = login(personas.volunteer)
    page = client.get(_book_url(screening)).get_data(as_text=True)
    assert "invites you to an interview" in page
    with pytest.raises(DomainError, match="interview stage"):
        interviews.book(user=personas.volunteer, application=screening, slot=slot, now=utcnow())
    db.session.rollback()
    someone_else = _applicant(role)
    assert client.get(_book_url(someone_else)).status_code == 404
    stolen = post_form(client, _book_url(someone_else), {"slot": slot.id}, form_page="/")
    assert stolen.status_code == 404
    assert login(personas.coordinator_a).get(_book_url(someone_else)).status_code == 403
    assert _count(InterviewBooking) == 0


def test_a_slot_of_another_role_or_in_the_past_cannot_be_booked(role, personas) -> None:
    other_role = Role(organisation_id=personas.org_b.id, title="Driver")
    db.session.add(other_role)
    db.session.commit()
    foreign, past = _slot(other_role), _slot(role, hours=-2)
    application = _applicant(role, personas.volunteer)
    for slot, message in ((foreign, "this role"), (past, "no longer available")):
        with pytest.raises(DomainError, match=message):
            interviews.book(
                user=personas.volunteer, application=application, slot=slot, now=utcnow()
            )
        db.session.rollback()


def test_other_people_cannot_cancel_a_booking(role, personas, login) -> None:
    slot = _slot(role)
    application = _applicant(role, personas.volunteer)
    _book(login(personas.volunteer), application, slot)
    booking = interview_queries.booking_of_application(application.id)
    assert booking is not None
    for who in (personas.coordinator_b, personas.stranger):
        response = post_form(
            login(who), f"/interviews/bookings/{booking.id}/cancel", {}, form_page="/"
        )
        assert response.status_code in (403, 404)
        assert login(who).get(f"/applications/{application.id}").status_code in (403, 404)
    db.session.expire_all()
    assert db.session.get(InterviewBooking, booking.id).status == "booked"


def test_a_coordinator_cancelling_a_slot_tells_the_applicant(role, personas, login) -> None:
    slot = _slot(role)
    application = _applicant(role, personas.volunteer)
    _book(login(personas.volunteer), application, slot)
    client = login(personas.coordinator_a)
    response = post_form(
        client, f"/interviews/slots/{slot.id}/cancel", {}, form_page=f"/roles/{role.id}/interviews"
    )
    assert response.status_code == 302
    calendar = _ics(_mail(personas.volunteer.email)[-1])[1]
    assert calendar["method"] == "CANCEL"
    assert interview_queries.booking_of_application(application.id) is None
    assert interview_queries.open_slots(role.id, utcnow(), application.id) == []
    again = post_form(
        client, f"/interviews/slots/{slot.id}/cancel", {}, form_page=f"/roles/{role.id}/interviews"
    )
    assert again.status_code == 302
    assert len(_mail(personas.volunteer.email)) == 2


@pytest.mark.parametrize("leave", ["withdraw", "offer", "decline"])
def test_leaving_the_interview_stage_frees_the_slot(role, personas, login, leave) -> None:
    slot = _slot(role)
    application = _applicant(role, personas.volunteer)
    _book(login(personas.volunteer), application, slot)
    if leave == "withdraw":
        recruitment.withdraw(user=personas.volunteer, application=application)
    else:
        recruitment.move(
            actor=personas.coordinator_a,
            application=application,
            to="offered" if leave == "offer" else "declined",
            reason="role_filled",
        )
    db.session.commit()
    # Free at once for others, and off the application page.
    assert interview_queries.booking_of_application(application.id) is None
    newcomer = _applicant(role)
    assert [s.id for s in interview_queries.open_slots(role.id, utcnow(), newcomer.id)] == [slot.id]
    # The hourly job records it once and tells both sides.
    assert release_interview_slots() == {"freed": 1}
    assert release_interview_slots() == {"freed": 0}
    calendar = _ics(_mail(personas.volunteer.email)[-1])[1]
    assert calendar["method"] == "CANCEL"
    db.session.expire_all()
    assert db.session.scalar(select(InterviewBooking.status)) == "released"


def test_a_stale_booking_is_released_when_someone_else_books_the_slot(role, personas) -> None:
    slot = _slot(role)
    application = _applicant(role, personas.volunteer)
    interviews.book(user=personas.volunteer, application=application, slot=slot, now=utcnow())
    recruitment.withdraw(user=personas.volunteer, application=application)
    db.session.commit()
    newcomer_user = UserFactory()
    newcomer = _applicant(role, newcomer_user)
    booking = interviews.book(user=newcomer_user, application=newcomer, slot=slot, now=utcnow())
    db.session.commit()
    assert booking.slot_id == slot.id
    assert sorted(db.session.scalars(select(InterviewBooking.status))) == ["booked", "released"]


def test_the_organisations_contact_is_told_when_it_has_no_coordinators(personas) -> None:
    role = Role(organisation_id=personas.org_b.id, title="Driver")
    personas.org_b.contact_email = "office@org-b.example.test"
    db.session.add(role)
    db.session.commit()
    for membership_user in (personas.coordinator_b,):
        membership_user.is_active = False
    db.session.commit()
    slot = _slot(role)
    application = _applicant(role, personas.volunteer)
    interviews.book(user=personas.volunteer, application=application, slot=slot, now=utcnow())
    db.session.commit()
    (message,) = _mail("office@org-b.example.test")
    assert _ics(message)[1]["method"] == "REQUEST"


# --- privacy and demo ------------------------------------------------------------------------


def test_bookings_are_exported_and_erased_with_the_person(role, personas) -> None:
    slot = _slot(role)
    application = _applicant(role, personas.volunteer)
    interviews.book(user=personas.volunteer, application=application, slot=slot, now=utcnow())
    db.session.commit()
    volunteer = volunteer_for(personas.volunteer)
    data = build_export(user=personas.volunteer, volunteer=volunteer, full=False)
    (exported,) = data["interviews"]
    assert exported["role"] == "Food bank helper" and exported["place"] == "Room 2"
    result = erase(actor=personas.admin, user=personas.volunteer, today=date.today())
    db.session.commit()
    assert "interview bookings deleted" in result.erased
    assert _count(InterviewBooking) == 0
    assert _count(InterviewSlot) == 1


def test_the_demo_has_slots_and_a_booking(role, personas) -> None:
    application = _applicant(role, personas.volunteer)
    lines = seed_interviews()
    db.session.commit()
    assert lines and "one booked" in lines[0]
    booking = interview_queries.booking_of_application(application.id)
    assert booking is not None
    assert _count(InterviewSlot) == 5
    assert seed_interviews() == []


# --- parallel requests -----------------------------------------------------------------------


def test_parallel_applicants_get_a_slot_exactly_once(role, personas, login, parallel) -> None:
    slot = _slot(role)
    users = [UserFactory(email=f"applicant-{n}@example.test") for n in range(4)]
    applications = [_applicant(role, user) for user in users]
    results = parallel.run(
        [
            Shot(login(user), _book_url(app), {"slot": str(slot.id)}, times=3)
            for user, app in zip(users, applications, strict=True)
        ]
    )
    assert results.server_errors == []
    assert _count(InterviewBooking) == 1
    assert _count(AuditEvent, AuditEvent.action == "interview.booked") == 1
    # One applicant's invitation and one coordinator's: nobody else was told anything.
    assert _count(OutboxMessage) == 2


def test_a_double_click_books_once_and_a_parallel_cancel_cancels_once(
    role, personas, login, parallel
) -> None:
    slot = _slot(role)
    application = _applicant(role, personas.volunteer)
    client = login(personas.volunteer)
    results = parallel.run([Shot(client, _book_url(application), {"slot": str(slot.id)}, times=6)])
    assert results.server_errors == []
    assert _count(InterviewBooking) == 1
    assert len(_mail(personas.volunteer.email)) == 1
    booking = db.session.scalar(select(InterviewBooking))
    assert booking is not None
    page = f"/applications/{application.id}"
    results = parallel.run(
        [
            Shot(client, f"/interviews/bookings/{booking.id}/cancel", {}, page, times=3),
            Shot(
                login(personas.coordinator_a),
                f"/interviews/slots/{slot.id}/cancel",
                {},
                f"/roles/{role.id}/interviews",
                times=3,
            ),
        ]
    )
    assert results.server_errors == []
    cancels = [m for m in _mail(personas.volunteer.email) if "CANCEL" in (m.attachments_json or "")]
    assert len(cancels) == 1
    db.session.expire_all()
    assert db.session.scalar(select(InterviewBooking.status)) == "cancelled"
    assert db.session.get(InterviewSlot, slot.id).cancelled is True


@pytest.mark.parametrize("value", ["abc", "99999999999999999999999", "1\x00", "-1", ""])
def test_a_hostile_slot_choice_is_a_form_error(role, personas, login, value) -> None:
    _slot(role)
    application = _applicant(role, personas.volunteer)
    response = post_form(login(personas.volunteer), _book_url(application), {"slot": value})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.get_data(as_text=True)
    assert _count(InterviewBooking) == 0


def test_a_booked_interview_is_in_the_applicants_calendar_feed_as_in_the_invitation(
    role, personas, login
) -> None:
    from tests.scheduling.test_feeds import _events, _link

    first, second = _slot(role), _slot(role, hours=96)
    application = _applicant(role, personas.volunteer)
    client = login(personas.volunteer)
    _book(client, application, first)
    booking = interview_queries.booking_of_application(application.id)
    path = _link(client)
    event = _events(client, path)[booking.uid]
    assert event.decoded("dtstart") == first.starts_at
    assert int(event["sequence"]) == 0 and "Food bank helper" in str(event["summary"])
    _book(client, application, second)  # moved: the same entry, a later SEQUENCE
    event = _events(client, path)[booking.uid]
    assert event.decoded("dtstart") == second.starts_at and int(event["sequence"]) == 1
    # Another applicant's feed does not have it.
    other = login(personas.stranger)
    assert booking.uid not in _events(other, _link(other))
