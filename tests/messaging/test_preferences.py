"""Email choices for new messages: at once, a daily digest (once per person and day), or none."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.helpers import post_form
from tests.messaging.conftest import KEY, count, emails_to
from volunteer_hub.accounts.outbox import queue_email
from volunteer_hub.extensions import db
from volunteer_hub.jobs.queue import JOBS
from volunteer_hub.messaging import queries, services
from volunteer_hub.messaging.models import PendingNotice
from volunteer_hub.recruitment.models import Application
from volunteer_hub.volunteers.services import volunteer_for


def _choose(login: Any, user: Any, choice: str) -> None:
    response = post_form(login(user), "/messages/preferences", {"email": choice})
    assert response.status_code == 302


def test_the_default_is_an_email_per_message(personas: Any) -> None:
    assert queries.email_preference(personas.volunteer.id) == "immediate"


def test_a_volunteer_who_chose_no_emails_reads_in_the_app_only(
    personas: Any, applied: Application, start: Any, login: Any
) -> None:
    _choose(login, personas.volunteer, "none")
    assert queries.email_preference(personas.volunteer.id) == "none"
    start(personas.coordinator_a, volunteer_for(personas.volunteer), f"org:{personas.org_a.id}")
    assert emails_to(personas.volunteer.email) == []
    assert "1 unread message" in login(personas.volunteer).get("/inbox").get_data(as_text=True)


def test_service_emails_are_not_affected_by_the_choice(personas: Any, login: Any) -> None:
    _choose(login, personas.volunteer, "none")
    queue_email(
        kind="reminder",
        to=personas.volunteer.email,
        subject="Your shift is cancelled",
        user=personas.volunteer,
        body="Your shift on Saturday is cancelled.",
    )
    db.session.commit()
    assert len(emails_to(personas.volunteer.email, kind="reminder")) == 1


def test_the_daily_digest_is_sent_once_per_person_and_day(
    personas: Any, applied: Application, start: Any, login: Any
) -> None:
    _choose(login, personas.volunteer, "digest")
    thread = start(
        personas.coordinator_a, volunteer_for(personas.volunteer), f"org:{personas.org_a.id}"
    )
    assert emails_to(personas.volunteer.email) == []
    assert count(PendingNotice) == 1

    today = date.today()
    assert services.send_digests(today) == 1
    db.session.commit()
    [digest] = emails_to(personas.volunteer.email, kind="message_digest")
    assert "Your application" in digest.body_text and f"/messages/{thread.id}" in digest.body_text

    # A second message the same day waits for tomorrow's digest, even if the job runs again.
    post_form(
        login(personas.coordinator_a),
        f"/messages/{thread.id}",
        {"body": "And one more", "key": KEY + "2"},
    )
    assert services.send_digests(today) == 0
    db.session.commit()
    assert len(emails_to(personas.volunteer.email, kind="message_digest")) == 1
    assert services.send_digests(today + timedelta(days=1)) == 1
    db.session.commit()
    assert len(emails_to(personas.volunteer.email, kind="message_digest")) == 2
    assert count(PendingNotice) == 0


def test_the_digest_job_is_declared_and_idempotent(
    personas: Any, applied: Application, start: Any, login: Any
) -> None:
    _choose(login, personas.volunteer, "digest")
    start(personas.coordinator_a, volunteer_for(personas.volunteer), f"org:{personas.org_a.id}")
    declared = JOBS["messaging_digest"]
    assert declared.periodic
    assert declared.function() == {"queued": 1}
    assert declared.function() == {"queued": 0}


def test_preferences_page_refuses_an_unknown_choice(personas: Any, login: Any) -> None:
    client = login(personas.volunteer)
    page = client.get("/messages/preferences")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "An email for each new message" in text
    assert "How would you like to hear of new messages?" in text  # the radios' legend
    response = post_form(client, "/messages/preferences", {"email": "fax"})
    assert response.status_code == 200
    assert queries.email_preference(personas.volunteer.id) == "immediate"
