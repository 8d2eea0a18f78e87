"""Calendar feeds: a private link (only its hash stored) that can be reset, a volunteer's own
shifts, training, supervision and placement start, a coordinator's shifts with counts and never
names, stable UIDs and SEQUENCE bumped on change."""

from __future__ import annotations

import hashlib
import re
from datetime import date, time, timedelta

from icalendar import Calendar
from sqlalchemy import select

from tests.factories import UserFactory
from tests.helpers import post_form
from volunteer_hub.extensions import db
from volunteer_hub.organisations.roles import latest_version
from volunteer_hub.placements.models import Placement
from volunteer_hub.scheduling.models import FeedToken, Shift, SignUp
from volunteer_hub.supervision.models import SupervisionRecord
from volunteer_hub.training.models import Booking, Course, TrainingSession
from volunteer_hub.volunteers.services import volunteer_for

PAGE = "/account/calendar"
TODAY = date.today()


def _link(client) -> str:
    """Make the signed-in person's link through the page and return its path."""
    post_form(client, PAGE, {}, form_page=PAGE)
    html = client.get(PAGE).get_data(as_text=True)
    found = re.search(r'>https?://[^/"<]+(/calendar/[A-Za-z0-9_-]+\.ics)</textarea>', html)
    assert found, html
    return found.group(1)


def _events(client, path: str) -> dict[str, object]:
    """The feed as a calendar app reads it: without signing in."""
    response = client.application.test_client().get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "private, no-store"
    calendar = Calendar.from_ical(response.data)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def _signup(shift: Shift, user, status: str = "confirmed", position: int | None = None) -> None:
    db.session.add(
        SignUp(
            shift_id=shift.id,
            volunteer_id=volunteer_for(user).id,
            status=status,
            position=position,
        )
    )
    db.session.commit()


def test_only_a_hash_of_the_secret_is_stored_and_the_page_shows_the_link(personas, login) -> None:
    client = login(personas.volunteer)
    assert "Make my calendar link" in client.get(PAGE).get_data(as_text=True)
    path = _link(client)
    secret = path.removeprefix("/calendar/").removesuffix(".ics")
    token = db.session.scalar(select(FeedToken))
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (token.salt, token.token_hash)
    # A second click on "Make" does not make a second link.
    response = post_form(client, PAGE, {}, form_page=PAGE, follow_redirects=True)
    assert "already have a calendar link" in response.get_data(as_text=True)
    assert _link(client) == path


def test_reset_revokes_the_old_link_and_a_wrong_link_is_404(personas, login, app) -> None:
    client = login(personas.volunteer)
    old = _link(client)
    anonymous = app.test_client()
    assert anonymous.get(old).status_code == 200
    response = post_form(client, f"{PAGE}/reset", _current(), form_page=PAGE)
    assert response.status_code == 302
    new = _link(client)
    assert new != old
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    assert anonymous.get(new.replace(".ics", "x.ics")).status_code == 404
    assert anonymous.get("/calendar/" + "A" * 43 + ".ics").status_code == 404
    assert anonymous.get("/calendar/short.ics").status_code == 404
    assert anonymous.get("/calendar/" + "%00" * 30 + ".ics").status_code == 404


def _current() -> dict[str, str]:
    db.session.expire_all()
    return {"current": db.session.scalar(select(FeedToken.token_hash))[:16]}


def test_a_double_click_on_reset_resets_once(personas, login) -> None:
    client = login(personas.volunteer)
    _link(client)
    current = _current()
    post_form(client, f"{PAGE}/reset", current, form_page=PAGE)
    after_first = _current()
    response = post_form(client, f"{PAGE}/reset", current, form_page=PAGE, follow_redirects=True)
    assert "already been reset" in response.get_data(as_text=True)
    assert _current() == after_first


def test_reset_with_hostile_input_is_refused_not_a_500(personas, login) -> None:
    client = login(personas.volunteer)
    _link(client)
    for bad in ("\x00" * 16, "x" * 5000, "१२३४५६७८९०१२३४५६"):
        response = post_form(client, f"{PAGE}/reset", {"current": bad}, form_page=PAGE)
        assert response.status_code in (302, 400)


def test_the_page_needs_signing_in(client) -> None:
    assert client.get(PAGE).status_code in (302, 401)


def test_volunteer_feed_has_their_own_items_and_nobody_elses(
    personas, login, make_shift, publish, categories
) -> None:
    mine, other, waiting = make_shift(72), make_shift(100), make_shift(130, capacity=1)
    someone = UserFactory(email="someone-else@example.test")
    volunteer_for(someone).name = "Zebedee Othername"
    db.session.commit()
    _signup(mine, personas.volunteer)
    _signup(mine, someone)
    _signup(other, someone)
    _signup(waiting, someone)
    _signup(waiting, personas.volunteer, "waiting", 1)
    role = publish(personas.org_a, "Befriender")
    placement = Placement(
        volunteer_id=volunteer_for(personas.volunteer).id,
        role_id=role.id,
        organisation_id=role.organisation_id,
        role_version_id=latest_version(role).id,
        supervisor_id=personas.coordinator_a.id,
        start_date=TODAY + timedelta(days=7),
    )
    db.session.add(placement)
    db.session.flush()
    record = SupervisionRecord(
        placement_id=placement.id,
        supervisor_id=personas.coordinator_a.id,
        met_on=TODAY,
        format="one_to_one",
        next_meeting_on=TODAY + timedelta(days=40),
        confidential_notes="Secret supervisor notes",
    )
    course = Course(title="Food hygiene", provider_id=personas.org_a.id, duration_minutes=90)
    db.session.add_all([record, course])
    db.session.flush()
    session = TrainingSession(
        course_id=course.id,
        held_on=TODAY + timedelta(days=10),
        starts_at=time(18, 30),
        place="Community hall",
        capacity=5,
    )
    db.session.add(session)
    db.session.flush()
    db.session.add(
        Booking(
            session_id=session.id,
            volunteer_id=volunteer_for(personas.volunteer).id,
            status="booked",
        )
    )
    db.session.commit()

    client = login(personas.volunteer)
    events = _events(client, _link(client))
    host_uids = {uid.split("@")[0] for uid in events}
    assert host_uids == {
        f"shift-{mine.id}",
        f"training-{session.id}",
        f"supervision-{record.id}",
        f"placement-{placement.id}",
    }
    text = client.get(_link(client)).get_data(as_text=True)
    for private in (
        "Zebedee",
        "someone-else@example.test",
        "coord-a@example.test",
        "Secret supervisor notes",
    ):
        assert private not in text
    shift_event = next(e for u, e in events.items() if u.startswith("shift-"))
    assert shift_event.decoded("dtstart") == mine.starts_at
    assert str(shift_event["STATUS"]) == "CONFIRMED"


def test_uids_are_stable_and_sequence_follows_the_shift_version(
    personas, login, make_shift
) -> None:
    shift = make_shift(72)
    _signup(shift, personas.volunteer)
    client = login(personas.volunteer)
    path = _link(client)
    first, second = _events(client, path), _events(client, path)
    assert list(first) == list(second)
    uid = next(iter(first))
    assert int(first[uid]["SEQUENCE"]) == 1
    shift.version = 2
    shift.location = "Side room"
    db.session.commit()
    changed = _events(client, path)
    assert list(changed) == [uid]
    assert int(changed[uid]["SEQUENCE"]) == 2
    assert str(changed[uid]["LOCATION"]) == "Side room"
    shift.cancelled, shift.version = True, 3
    db.session.commit()
    cancelled = _events(client, path)[uid]
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 3


def test_a_place_given_up_leaves_the_feed(personas, login, make_shift) -> None:
    shift = make_shift(72)
    _signup(shift, personas.volunteer, "cancelled")
    client = login(personas.volunteer)
    assert _events(client, _link(client)) == {}


def test_coordinator_feed_has_counts_never_names(personas, login, make_shift) -> None:
    shift = make_shift(72, capacity=3, minimum=2)
    _signup(shift, personas.volunteer)
    client = login(personas.coordinator_a)
    events = _events(client, _link(client))
    event = events[next(iter(events))]
    assert str(event["SUMMARY"]) == "Food bank helper (1/3)"
    assert "needs 1 more" in str(event["DESCRIPTION"])
    text = client.get(_link(client)).get_data(as_text=True)
    assert "volunteer@example.test" not in text
    assert volunteer_for(personas.volunteer).name not in text
    # Organisation B's coordinator sees none of organisation A's shifts.
    other = login(personas.coordinator_b)
    assert _events(other, _link(other)) == {}


def test_erasure_deletes_the_link_and_export_never_shows_its_secret(personas, login, app) -> None:
    from volunteer_hub.privacy.erasure import erase
    from volunteer_hub.privacy.export import build_export

    client = login(personas.volunteer)
    path = _link(client)
    secret = path.removeprefix("/calendar/").removesuffix(".ics")
    token = db.session.scalar(select(FeedToken))
    volunteer = volunteer_for(personas.volunteer)
    exported = build_export(user=personas.volunteer, volunteer=volunteer, full=False)
    assert "link_made_at" in exported["calendar_feed"]
    text = str(exported)
    assert secret not in text and token.token_hash not in text and token.salt not in text
    result = erase(actor=personas.admin, user=personas.volunteer, today=date.today())
    db.session.commit()
    assert "calendar feed link deleted" in result.erased
    assert app.test_client().get(path).status_code == 404


def test_parallel_makes_and_resets_act_once(personas, login, parallel) -> None:
    from tests.parallel import Shot
    from volunteer_hub.accounts.models import AuditEvent

    client = login(personas.volunteer)
    results = parallel.run([Shot(client, PAGE, {}, PAGE, times=4)])
    assert results.server_errors == []
    db.session.expire_all()
    assert len(db.session.scalars(select(FeedToken)).all()) == 1
    results = parallel.run([Shot(client, f"{PAGE}/reset", _current(), PAGE, times=4)])
    assert results.server_errors == []
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("scheduling.feed_created") == 1
    assert actions.count("scheduling.feed_reset") == 1
