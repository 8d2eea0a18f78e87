"""Bulk messages: segments, compose → preview → send, the job, merge fields, cancelling,
unsubscribing, permissions by URL, records and the received page."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.helpers import post_form
from tests.messaging.bulk_setup import (
    World,
    bulk,
    compose,
    compose_url,
    send,
    volunteer_ids,
)
from volunteer_hub.accounts.models import AuditEvent, OutboxMessage
from volunteer_hub.extensions import db
from volunteer_hub.jobs.queue import queue_of
from volunteer_hub.messaging import bulk as commands
from volunteer_hub.messaging import queries, segments
from volunteer_hub.messaging.jobs import send_bulk_messages
from volunteer_hub.messaging.models import BulkDelivery, Unsubscribe
from volunteer_hub.volunteers.services import volunteer_for


def _outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_segments_resolve_placed_volunteers_and_shift_sign_ups(world: World, personas) -> None:
    coordinator = personas.coordinator_a
    assert segments.resolve(coordinator, "role", str(world.role.id)) == volunteer_ids(world.placed)
    assert segments.resolve(coordinator, "shift", str(world.shift.id)) == volunteer_ids(
        world.confirmed
    )
    assert segments.resolve(coordinator, "shift", f"{world.shift.id}-waiting") == volunteer_ids(
        [*world.confirmed, world.waiting]
    )
    # Fail closed: another organisation's coordinator, a volunteer, odd keys, unknown kinds.
    for user in (personas.coordinator_b, personas.volunteer, personas.partner):
        assert segments.resolve(user, "role", str(world.role.id)) == set()
    for kind, key in [("role", "²"), ("role", "1" * 30), ("shift", "1-other"), ("nope", "1")]:
        assert segments.about(kind, key) is None
        assert segments.resolve(personas.centre, kind, key) == set()
    assert segments.resolve(personas.centre, "role", str(world.role.id)) == volunteer_ids(
        world.placed
    )


def test_compose_preview_shows_exact_count_and_real_samples(world: World, personas, login) -> None:
    client = login(personas.coordinator_a)
    page = client.get(compose_url("role", world.role.id))
    assert page.status_code == 200
    assert "Volunteers placed in Food bank helper" in page.get_data(as_text=True)
    bulk_id = compose(client, "role", world.role.id)
    preview = client.get(f"/messages/bulk/{bulk_id}/preview")
    html = preview.get_data(as_text=True)
    # Four people (Chidi's two placements count once), the ended placement left out.
    assert 'id="recipient-count">4 people<' in html
    assert "Send to 4 people" in html
    assert "Dear Asha," in html and "Thanks for helping as Food bank helper" in html
    assert "Next: Food bank helper, " in html  # Asha's confirmed shift
    assert "Dear Ben," in html
    assert preview.headers["Cache-Control"] == "no-store"
    assert _outbox() == []  # nothing is sent by a preview


def test_send_then_the_job_emails_each_person_once_with_unsubscribe_headers(
    world: World, personas, login, app
) -> None:
    client = login(personas.coordinator_a)
    bulk_id = compose(client, "role", world.role.id)
    response = send(client, bulk_id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/messages/bulk/{bulk_id}")
    assert bulk(bulk_id).status == "sending"
    assert bulk(bulk_id).recipient_count == 4
    # The job is queued at once (the new deliveries, after the commit).
    assert "bulk_messages" in [task.name for task in queue_of(app).huey.pending()]
    counts = send_bulk_messages()
    assert counts == {"sent": 4, "in_app": 0, "skipped": 0, "finished": 1}
    sent = _outbox()
    assert sorted(m.to_address for m in sent) == sorted(u.email for u in world.placed)
    asha = next(m for m in sent if m.to_address == "asha@example.test")
    assert asha.subject == "Hello Asha"
    assert asha.body_text.startswith("Dear Asha,\n\nThanks for helping as Food bank helper.")
    headers = json.loads(asha.headers_json or "{}")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = headers["List-Unsubscribe"].strip("<>")
    assert link.startswith("http") and "/messages/unsubscribe/" in link
    assert link in asha.body_text
    # The merge field with no value: the plain-text fallback.
    persona = next(m for m in sent if m.to_address == personas.volunteer.email)
    assert "Next: your next shift." in persona.body_text
    # Finished; running again sends nothing more (idempotent).
    assert bulk(bulk_id).status == "sent" and bulk(bulk_id).sent_count == 4
    assert send_bulk_messages() == {"sent": 0, "in_app": 0, "skipped": 0, "finished": 0}
    assert len(_outbox()) == 4
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "messaging.bulk_sent")
    ).all()
    assert len(events) == 1
    assert events[0].actor_id == personas.coordinator_a.id
    assert events[0].details["recipients"] == 4
    assert events[0].details["segment"] == f"role:{world.role.id}"
    # Read back by coordinators, the merge fields are in words, not code.
    for page in ("/messages/bulk/sent", f"/messages/bulk/{bulk_id}"):
        html = client.get(page).get_data(as_text=True)
        assert "Hello [first name]" in html and "{first_name}" not in html, page


def test_merge_fields_in_words() -> None:
    assert commands.in_words("Hi {first_name}, as {role|a helper}: {next_shift}") == (
        "Hi [first name], as [role, or “a helper”]: [next shift]"
    )
    assert commands.in_words("{unknown} and {first_name|}") == "{unknown} and [first name]"


def test_service_messages_go_to_the_unsubscribed_and_have_no_unsubscribe(
    world: World, personas, login
) -> None:
    asha = volunteer_for(world.placed[0])
    commands.unsubscribe(volunteer_id=asha.id, kind="news")
    db.session.commit()
    client = login(personas.coordinator_a)
    news = compose(client, "role", world.role.id, subject="Newsletter")
    assert 'id="recipient-count">3 people<' in client.get(
        f"/messages/bulk/{news}/preview"
    ).get_data(as_text=True)
    service = compose(client, "role", world.role.id, message_kind="service", subject="Hall closed")
    assert 'id="recipient-count">4 people<' in client.get(
        f"/messages/bulk/{service}/preview"
    ).get_data(as_text=True)
    send(client, news)
    send(client, service)
    send_bulk_messages()
    newsletter = [m for m in _outbox() if m.subject == "Newsletter"]
    closed = [m for m in _outbox() if m.subject == "Hall closed"]
    assert sorted(m.to_address for m in newsletter) == sorted(u.email for u in world.placed[1:])
    assert len(closed) == 4 and "asha@example.test" in [m.to_address for m in closed]
    assert all(m.headers_json is None for m in closed)
    assert "unsubscribe" not in closed[0].body_text.lower()


def test_unsubscribed_after_sending_started_is_skipped(world: World, personas, login) -> None:
    client = login(personas.coordinator_a)
    bulk_id = compose(client, "role", world.role.id)
    send(client, bulk_id)
    commands.unsubscribe(volunteer_id=volunteer_for(world.placed[1]).id, kind="news")
    db.session.commit()
    assert send_bulk_messages()["skipped"] == 1
    assert "ben@example.test" not in [m.to_address for m in _outbox()]


def test_one_click_unsubscribe_needs_no_sign_in_and_no_csrf(world: World, personas, client) -> None:
    asha = volunteer_for(world.placed[0])
    token = commands.unsubscribe_token(asha.id, "news")
    url = f"/messages/unsubscribe/{token}"
    page = client.get(url)
    assert page.status_code == 200
    assert "Unsubscribe from news" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Unsubscribe)) == 0
    # RFC 8058: a POST with that body, no cookie, no CSRF token (CSRF is on in these tests).
    for _ in range(2):
        response = client.post(url, data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        assert "You are unsubscribed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(Unsubscribe.kind)).all() == ["news"]
    assert commands.may_email(asha, "news") is False
    assert commands.may_email(asha, "opportunities") is True
    assert commands.may_email(asha, "service") is True
    # Unsubscribed by mistake: "Subscribe again" on the same page, with the same token; a
    # second click changes nothing more.
    assert f'action="/messages/unsubscribe/{token}/undo"' in response.get_data(as_text=True)
    for _ in range(2):
        again = client.post(f"{url}/undo")
        assert again.status_code == 200
        assert "You are subscribed again" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Unsubscribe)) == 0
    assert commands.may_email(asha, "news") is True
    resubscribed = select(func.count()).where(AuditEvent.action == "messaging.resubscribed")
    assert db.session.scalar(resubscribed) == 1
    assert client.post(url[:-2] + "xx/undo").status_code == 404
    assert client.get(f"{url}/undo").status_code == 405
    assert client.post(url).status_code == 200  # and unsubscribed once more
    # A changed, foreign or service token opens nothing.
    assert client.post(url[:-2] + "xx").status_code == 404
    assert client.get("/messages/unsubscribe/" + "a" * 300).status_code == 404
    assert client.post(f"/messages/unsubscribe/{token}\x00").status_code == 404
    assert (
        client.get(
            f"/messages/unsubscribe/{commands.unsubscribe_token(asha.id, 'service')}"
        ).status_code
        == 404
    )


def test_other_organisations_and_volunteers_cannot_use_segments_or_messages_by_url(
    world: World, personas, login
) -> None:
    owner = login(personas.coordinator_a)
    bulk_id = compose(owner, "role", world.role.id)
    other = login(personas.coordinator_b)
    for url in (
        compose_url("role", world.role.id),
        compose_url("shift", world.shift.id),
        compose_url("shift", f"{world.shift.id}-waiting"),
        compose_url("role", 10**22),
        compose_url("role", "²"),
        compose_url("unknown", 1),
        f"/messages/bulk/{bulk_id}",
        f"/messages/bulk/{bulk_id}/preview",
        f"/messages/bulk/{bulk_id}/edit",
        f"/messages/bulk/{bulk_id}/status",
    ):
        assert other.get(url).status_code == 404, url
    for action in ("send", "cancel"):
        response = post_form(
            other, f"/messages/bulk/{bulk_id}/{action}", {}, form_page="/messages/bulk/received"
        )
        assert response.status_code == 404, action
    assert bulk(bulk_id).status == "draft"
    volunteer = login(personas.volunteer)
    assert volunteer.get(compose_url("role", world.role.id)).status_code == 403
    assert volunteer.get(f"/messages/bulk/{bulk_id}").status_code == 403
    assert volunteer.get("/messages/bulk/sent").status_code == 403
    # The centre may use any organisation's segments.
    assert login(personas.centre).get(compose_url("role", world.role.id)).status_code == 200
    # The sent messages page lists only one's own organisations' messages.
    send(owner, bulk_id)
    assert "Hello [first name]" in owner.get("/messages/bulk/sent").get_data(as_text=True)
    assert "Hello [first name]" not in other.get("/messages/bulk/sent").get_data(as_text=True)


def test_hostile_input_is_a_form_error(world: World, personas, login) -> None:
    client = login(personas.coordinator_a)
    url = compose_url("role", world.role.id)
    cases = [
        ({"kind": "news", "subject": "Hi\x00", "body": "x"}, "subject"),
        ({"kind": "news", "subject": "   ", "body": "x"}, "Enter a subject"),
        ({"kind": "admin", "subject": "Hi", "body": "x"}, "kind"),
        ({"kind": "news", "subject": "Hi", "body": "x" * 10_001}, "10,000 characters"),
        ({"kind": "news", "subject": "Hi {password}", "body": "x"}, "no merge field {password}"),
        ({"kind": "news", "subject": "Hi", "body": "{0.__class__}"}, None),
    ]
    for data, expected in cases:
        response = post_form(client, url, data)
        if expected is None:
            assert response.status_code == 302  # braces that are no field are just text
            continue
        assert response.status_code == 200, data
        assert "govuk-error-summary" in response.get_data(as_text=True), data
        if expected != "subject" and expected != "kind":
            assert expected in response.get_data(as_text=True)


def test_cancel_while_sending_stops_the_rest(world: World, personas, login) -> None:
    client = login(personas.coordinator_a)
    bulk_id = compose(client, "role", world.role.id)
    send(client, bulk_id)
    first = queries.pending_delivery_ids(bulk_id)[0]
    assert commands.deliver(first, commands.utcnow()) == "sent"
    db.session.commit()
    response = post_form(
        client, f"/messages/bulk/{bulk_id}/cancel", {}, form_page=f"/messages/bulk/{bulk_id}"
    )
    assert response.status_code == 302
    assert send_bulk_messages() == {"sent": 0, "in_app": 0, "skipped": 0, "finished": 0}
    assert len(_outbox()) == 1
    assert bulk(bulk_id).status == "cancelled"
    assert queries.bulk_status(bulk(bulk_id))["not_sent"] == 3
    # Cancelling twice: said politely, one audit event.
    post_form(client, f"/messages/bulk/{bulk_id}/cancel", {}, form_page=f"/messages/bulk/{bulk_id}")
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "messaging.bulk_cancelled")
        )
        == 1
    )


def test_progress_page_refreshes_until_done_and_its_json(world: World, personas, login) -> None:
    client = login(personas.coordinator_a)
    bulk_id = compose(client, "shift", world.shift.id)
    send(client, bulk_id)
    page = client.get(f"/messages/bulk/{bulk_id}")
    assert page.headers["Refresh"] == "2"
    assert "Sending your message" in page.get_data(as_text=True)
    status = client.get(f"/messages/bulk/{bulk_id}/status").get_json()
    assert status["remaining"] == 2 and status["finished"] is False
    send_bulk_messages()
    status = client.get(f"/messages/bulk/{bulk_id}/status").get_json()
    assert status["remaining"] == 0 and status["finished"] is True and status["delivered"] == 2
    page = client.get(f"/messages/bulk/{bulk_id}")
    assert "Refresh" not in page.headers
    assert "Message sent" in page.get_data(as_text=True)


def test_volunteer_sees_received_messages_and_people_without_email_get_them_in_app(
    world: World, personas, login
) -> None:
    chidi = volunteer_for(world.placed[2])
    chidi.email = None
    chidi_user = world.placed[2]
    chidi_user.email = "chidi@erased.invalid"  # no usable address
    db.session.commit()
    client = login(personas.coordinator_a)
    bulk_id = compose(client, "role", world.role.id, subject="Open day")
    preview = client.get(f"/messages/bulk/{bulk_id}/preview").get_data(as_text=True)
    assert "(3 by email, 1 in" in preview
    send(client, bulk_id)
    assert send_bulk_messages() == {"sent": 3, "in_app": 1, "skipped": 0, "finished": 1}
    received = queries.received_bulk(chidi.id)
    assert [d.subject for d in received] == ["Open day"]
    page = login(personas.volunteer).get("/messages/bulk/received").get_data(as_text=True)
    assert "Open day" in page
    assert f"Dear {personas.volunteer.name.split()[0]}," in page
    assert "You have no messages yet" in login(personas.stranger).get(
        "/messages/bulk/received"
    ).get_data(as_text=True)


def test_nobody_to_send_to_is_refused(world: World, personas, login) -> None:
    client = login(personas.coordinator_a)
    for user in world.placed:
        commands.unsubscribe(volunteer_id=volunteer_for(user).id, kind="opportunities")
    db.session.commit()
    bulk_id = compose(client, "role", world.role.id, message_kind="opportunities")
    assert "Nobody in this group" in client.get(f"/messages/bulk/{bulk_id}/preview").get_data(
        as_text=True
    )
    response = send(client, bulk_id)
    assert response.headers["Location"].endswith("/preview")
    assert bulk(bulk_id).status == "draft"


def test_links_from_the_roster_and_the_roles_page(world: World, personas, login) -> None:
    client = login(personas.coordinator_a)
    roster = client.get(f"/shifts/{world.shift.id}").get_data(as_text=True)
    assert compose_url("shift", world.shift.id) in roster
    assert compose_url("shift", f"{world.shift.id}-waiting") in roster
    roles = client.get(f"/organisations/{personas.org_a.slug}/roles").get_data(as_text=True)
    assert compose_url("role", world.role.id) in roles


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "BULK_SEND_LIMIT": "2 per hour"}]
)
def test_bulk_sends_are_rate_limited_per_sender(world: World, personas, login) -> None:
    client = login(personas.coordinator_a)
    drafts = [compose(client, "role", world.role.id, subject=f"Note {n}") for n in range(3)]
    assert send(client, drafts[0]).status_code == 302
    assert send(client, drafts[0], again=True).status_code == 302
    # A double click of a sent message (above) does not use up the allowance.
    assert send(client, drafts[1]).status_code == 302
    assert send(client, drafts[2]).status_code == 429
    assert bulk(drafts[2]).status == "draft"
    # Another coordinator has their own allowance.
    centre = login(personas.centre)
    assert send(centre, drafts[2]).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(BulkDelivery)) == 12
