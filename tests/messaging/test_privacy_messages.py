"""Messages in the export, kept for the other party on erasure ("a former volunteer"), and
deleted by retention two years after a thread's last message."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import update

from tests.helpers import post_form
from tests.messaging.conftest import KEY, count
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.messaging.models import Message, Preference, ReadMark, Thread
from volunteer_hub.privacy.erasure import erase
from volunteer_hub.privacy.export import build_export
from volunteer_hub.privacy.retention import purge
from volunteer_hub.recruitment.models import Application
from volunteer_hub.volunteers.services import volunteer_for


def _conversation(personas: Any, applied: Application, start: Any, login: Any) -> Thread:
    thread = start(
        personas.coordinator_a, volunteer_for(personas.volunteer), f"org:{personas.org_a.id}"
    )
    post_form(
        login(personas.volunteer),
        f"/messages/{thread.id}",
        {"body": f"Thanks, this is {personas.volunteer.name} speaking.", "key": KEY + "v"},
    )
    post_form(login(personas.volunteer), "/messages/preferences", {"email": "digest"})
    return thread


def test_messages_are_in_the_export(
    personas: Any, applied: Application, start: Any, login: Any
) -> None:
    thread = _conversation(personas, applied, start, login)
    exported = build_export(user=personas.volunteer, volunteer=None, full=False)["messages"]
    [entry] = exported["threads"]
    assert entry["id"] == thread.id and entry["with"] == "Organisation A"
    assert entry["messages"][0]["body"] == "Could you come in on Tuesday?"
    assert exported["email_preference"] == "digest"
    assert "idempotency_key" not in entry


def test_erasure_keeps_the_thread_for_the_coordinator_as_a_former_volunteer(
    personas: Any, applied: Application, start: Any, login: Any
) -> None:
    thread = _conversation(personas, applied, start, login)
    name = personas.volunteer.name
    erase(actor=personas.admin, user=personas.volunteer, today=date.today())
    db.session.commit()
    page = login(personas.coordinator_a).get(f"/messages/{thread.id}").get_data(as_text=True)
    assert "a former volunteer" in page
    assert name not in page  # redacted from the text by the metadata walk
    assert "Could you come in on Tuesday?" in page
    assert count(Preference) == 0
    assert count(ReadMark, ReadMark.user_id == personas.volunteer.id) == 0
    inbox = login(personas.coordinator_a).get("/inbox").get_data(as_text=True)
    assert "a former volunteer" in inbox


def test_retention_deletes_threads_two_years_after_their_last_message(
    personas: Any, applied: Application, start: Any, login: Any
) -> None:
    old = start(
        personas.coordinator_a, volunteer_for(personas.volunteer), f"org:{personas.org_a.id}"
    )
    recent = start(
        personas.coordinator_a,
        volunteer_for(personas.volunteer),
        f"org:{personas.org_a.id}",
        key=KEY + "n",
    )
    db.session.execute(
        update(Thread)
        .where(Thread.id == old.id)
        .values(last_message_at=utcnow() - timedelta(days=750))
    )
    db.session.execute(
        update(Thread)
        .where(Thread.id == recent.id)
        .values(last_message_at=utcnow() - timedelta(days=700))
    )
    db.session.commit()
    old_id = old.id
    assert dict(purge(date.today(), dry_run=True))["messages"] == 1
    assert count(Thread) == 2
    assert dict(purge(date.today(), dry_run=False))["messages"] == 1
    db.session.commit()
    assert [t.id for t in db.session.query(Thread)] == [recent.id]
    assert count(Message, Message.thread_id == old_id) == 0
