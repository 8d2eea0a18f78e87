"""One-to-one threads: who may start, read and answer them, read marks, emails and validation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from tests.factories import UserFactory
from tests.helpers import post_form
from tests.messaging.conftest import KEY, count, emails_to, messages_in
from volunteer_hub.accounts.models import OutboxMessage
from volunteer_hub.extensions import db
from volunteer_hub.messaging import queries
from volunteer_hub.messaging.models import Thread
from volunteer_hub.organisations.models import Role
from volunteer_hub.recruitment.models import Application
from volunteer_hub.volunteers.services import volunteer_for


def test_coordinator_writes_and_the_volunteer_replies_from_the_inbox(
    personas: Any, applied: Application, start: Any, login: Any
) -> None:
    record = volunteer_for(personas.volunteer)
    thread = start(
        personas.coordinator_a,
        record,
        f"org:{personas.org_a.id}",
        query=f"?application={applied.id}",
    )
    assert (thread.kind, thread.organisation_id, thread.application_id) == (
        "organisation",
        personas.org_a.id,
        applied.id,
    )
    [email] = emails_to(personas.volunteer.email)
    assert "Could you come in on Tuesday?" in email.body_text
    assert f"/messages/{thread.id}" in email.body_text

    volunteer = login(personas.volunteer)
    menu = volunteer.get("/menu").get_data(as_text=True)
    assert re.search(r">\s*Inbox \(1 new\)\s*<", menu)  # the menu page says one is waiting
    inbox = volunteer.get("/inbox").get_data(as_text=True)
    assert "Your application" in inbox and "1 unread message" in inbox
    page = volunteer.get(f"/messages/{thread.id}").get_data(as_text=True)
    assert "Application for Befriender" in page and "Organisation A" in page
    assert "No unread messages" in volunteer.get("/inbox").get_data(as_text=True)
    read = volunteer.get("/menu").get_data(as_text=True)
    assert re.search(r">\s*Inbox\s*<", read) and "new)" not in read

    reply = post_form(
        volunteer, f"/messages/{thread.id}", {"body": "Yes, Tuesday suits me.", "key": KEY + "r"}
    )
    assert reply.status_code == 302
    assert [m.body for m in messages_in(thread)][-1] == "Yes, Tuesday suits me."
    [to_coordinator] = emails_to(personas.coordinator_a.email)
    assert "Yes, Tuesday suits me." in to_coordinator.body_text


def test_every_coordinator_of_the_organisation_shares_the_team_inbox(
    personas: Any, applied: Application, start: Any, login: Any
) -> None:
    colleague = UserFactory(
        email="colleague-a@example.test", roles=[], coordinates=[personas.org_a]
    )
    db.session.commit()
    thread = start(
        personas.coordinator_a, volunteer_for(personas.volunteer), f"org:{personas.org_a.id}"
    )
    post_form(
        login(personas.volunteer), f"/messages/{thread.id}", {"body": "Hello", "key": KEY + "v"}
    )
    assert len(emails_to(colleague.email)) == 1  # the team hears of the reply
    client = login(colleague)
    # Both messages are new to the colleague (the first one was written by someone else).
    assert "2 unread messages" in client.get("/inbox").get_data(as_text=True)
    answer = post_form(
        client, f"/messages/{thread.id}", {"body": "I can help too.", "key": KEY + "c"}
    )
    assert answer.status_code == 302
    # Read marks are each person's own: the first coordinator has the reply and the answer unread.
    assert "2 unread messages" in login(personas.coordinator_a).get("/inbox").get_data(as_text=True)


@pytest.mark.parametrize("who", ["stranger", "coordinator_b", "centre", "partner"])
def test_nobody_outside_the_thread_reads_or_answers_it(
    personas: Any, applied: Application, start: Any, login: Any, who: str
) -> None:
    thread = start(
        personas.coordinator_a, volunteer_for(personas.volunteer), f"org:{personas.org_a.id}"
    )
    client = login(personas.get(who))
    assert client.get(f"/messages/{thread.id}").status_code == 404
    token_page = client.get("/messages/preferences").get_data(as_text=True)
    from tests.helpers import csrf_token_from

    token = csrf_token_from(token_page)
    posted = client.post(
        f"/messages/{thread.id}", data={"body": "sneaky", "key": KEY + "x", "csrf_token": token}
    )
    assert posted.status_code == 404
    assert "Your application" not in client.get("/inbox").get_data(as_text=True)
    assert len(messages_in(thread)) == 1


def test_coordinators_write_first_only_to_volunteers_connected_to_their_organisation(
    personas: Any, applied: Application, login: Any
) -> None:
    record = volunteer_for(personas.volunteer)
    stranger = volunteer_for(personas.stranger)
    db.session.commit()
    assert login(personas.coordinator_a).get(f"/messages/new/{stranger.id}").status_code == 404
    assert login(personas.coordinator_b).get(f"/messages/new/{record.id}").status_code == 404
    assert login(personas.volunteer).get(f"/messages/new/{stranger.id}").status_code == 403
    # Organisation B cannot post as Organisation A either, even with A's volunteer connected.
    other = Role(organisation_id=personas.org_b.id, title="Driver")
    db.session.add(other)
    db.session.flush()
    db.session.add(
        Application(
            volunteer_id=record.id,
            role_id=other.id,
            organisation_id=personas.org_b.id,
            stage="applied",
        )
    )
    db.session.commit()
    response = post_form(
        login(personas.coordinator_b),
        f"/messages/new/{record.id}",
        {"sender": f"org:{personas.org_a.id}", "subject": "Hi", "body": "Hi", "key": KEY},
    )
    assert response.status_code == 200  # not a choice: a form error
    assert count(Thread) == 0


def test_an_attachment_must_be_the_volunteers_and_the_organisations(
    personas: Any, applied: Application, login: Any
) -> None:
    record = volunteer_for(personas.volunteer)
    someone = volunteer_for(personas.stranger)
    theirs = Application(
        volunteer_id=someone.id,
        role_id=applied.role_id,
        organisation_id=personas.org_a.id,
        stage="applied",
    )
    db.session.add(theirs)
    db.session.commit()
    response = post_form(
        login(personas.coordinator_a),
        f"/messages/new/{record.id}?application={theirs.id}",
        {"sender": f"org:{personas.org_a.id}", "subject": "Hi", "body": "Hi", "key": KEY},
    )
    assert response.status_code == 200
    assert "not this volunteer" in response.get_data(as_text=True)
    assert count(Thread) == 0


def test_the_centre_may_write_to_any_volunteer(personas: Any, start: Any, login: Any) -> None:
    record = volunteer_for(personas.stranger)
    db.session.commit()
    thread = start(personas.centre, record, "centre")
    assert thread.kind == "centre" and thread.organisation_id is None
    assert login(personas.stranger).get(f"/messages/{thread.id}").status_code == 200
    # Every centre coordinator answers the centre's threads; organisations do not see them.
    assert login(personas.coordinator_a).get(f"/messages/{thread.id}").status_code == 404


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Enter your message"),
        ("   ", "Enter your message"),
        ("x" * 5001, "5,000 characters or fewer"),
        ("Hello\x00there", "character"),
    ],
)
def test_hostile_or_empty_messages_are_form_errors(
    personas: Any, applied: Application, start: Any, login: Any, body: str, error: str
) -> None:
    thread = start(
        personas.coordinator_a, volunteer_for(personas.volunteer), f"org:{personas.org_a.id}"
    )
    response = post_form(
        login(personas.volunteer), f"/messages/{thread.id}", {"body": body, "key": KEY + "z"}
    )
    assert response.status_code == 200
    assert error in response.get_data(as_text=True)
    assert len(messages_in(thread)) == 1


def test_a_message_of_5000_characters_is_fine(
    personas: Any, applied: Application, start: Any, login: Any
) -> None:
    thread = start(
        personas.coordinator_a, volunteer_for(personas.volunteer), f"org:{personas.org_a.id}"
    )
    body = "é" * 5000
    assert (
        post_form(
            login(personas.volunteer), f"/messages/{thread.id}", {"body": body, "key": KEY + "z"}
        ).status_code
        == 302
    )
    assert messages_in(thread)[-1].body == body


def test_a_bad_or_missing_key_is_a_form_error(
    personas: Any, applied: Application, start: Any, login: Any
) -> None:
    thread = start(
        personas.coordinator_a, volunteer_for(personas.volunteer), f"org:{personas.org_a.id}"
    )
    for key in ("", "short", "x" * 65, "bad key with spaces!"):
        response = post_form(
            login(personas.volunteer), f"/messages/{thread.id}", {"body": "Hi", "key": key}
        )
        assert response.status_code == 200
    assert len(messages_in(thread)) == 1


def test_the_same_key_twice_posts_one_message(
    personas: Any, applied: Application, start: Any, login: Any
) -> None:
    thread = start(
        personas.coordinator_a, volunteer_for(personas.volunteer), f"org:{personas.org_a.id}"
    )
    client = login(personas.volunteer)
    for _ in range(2):
        response = post_form(
            client, f"/messages/{thread.id}", {"body": "Once", "key": KEY + "once"}
        )
        assert response.status_code == 302
    assert [m.body for m in messages_in(thread)].count("Once") == 1
    assert len(emails_to(personas.coordinator_a.email)) == 1


def test_a_sensitive_message_is_emailed_without_its_text(
    personas: Any, applied: Application, start: Any
) -> None:
    start(
        personas.coordinator_a,
        volunteer_for(personas.volunteer),
        f"org:{personas.org_a.id}",
        body="Your DBS certificate shows a caution.",
        sensitive="y",
    )
    [email] = emails_to(personas.volunteer.email)
    assert "caution" not in email.body_text and "caution" not in (email.body_html or "")
    assert "marked it sensitive" in email.body_text


def test_mark_as_unread(personas: Any, applied: Application, start: Any, login: Any) -> None:
    thread = start(
        personas.coordinator_a, volunteer_for(personas.volunteer), f"org:{personas.org_a.id}"
    )
    client = login(personas.volunteer)
    client.get(f"/messages/{thread.id}")
    assert queries.unread_total(personas.volunteer) == 0
    post_form(client, f"/messages/{thread.id}/unread", {}, form_page=f"/messages/{thread.id}")
    assert queries.unread_total(personas.volunteer) == 1


def test_inbox_and_preferences_need_a_sign_in(client: Any) -> None:
    for url in ("/inbox", "/messages/preferences"):
        assert client.get(url).status_code in (302, 401)


def test_no_outbox_mail_has_the_recipients_of_a_thread_they_are_not_in(
    personas: Any, applied: Application, start: Any
) -> None:
    start(personas.coordinator_a, volunteer_for(personas.volunteer), f"org:{personas.org_a.id}")
    addresses = set(db.session.scalars(select(OutboxMessage.to_address)))
    assert addresses == {personas.volunteer.email}


def test_the_application_page_links_to_a_new_message(
    personas: Any, applied: Application, login: Any
) -> None:
    page = login(personas.coordinator_a).get(f"/applications/{applied.id}").get_data(as_text=True)
    assert f"/messages/new/{applied.volunteer_id}?application={applied.id}" in page
    own = login(personas.volunteer).get(f"/applications/{applied.id}").get_data(as_text=True)
    assert "/messages/new/" not in own
