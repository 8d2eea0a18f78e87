"""Exactly once under parallel requests (run with TEST_DATABASE_URL for PostgreSQL): a
double-clicked "Send" posts one message, starts one thread and emails once."""

from __future__ import annotations

from typing import Any

from tests.messaging.conftest import KEY, Bank, count, emails_to, messages_in
from volunteer_hub.extensions import db
from volunteer_hub.messaging.models import Message, Thread
from volunteer_hub.recruitment.models import Application
from volunteer_hub.volunteers.services import volunteer_for


def test_parallel_replies_with_one_key_post_one_message(
    personas: Any, applied: Application, start: Any, login: Any, parallel: Any
) -> None:
    thread = start(
        personas.coordinator_a, volunteer_for(personas.volunteer), f"org:{personas.org_a.id}"
    )
    page = f"/messages/{thread.id}"
    results = parallel.post(
        login(personas.volunteer), page, {"body": "Only once", "key": KEY + "par"}, times=6
    )
    assert results.server_errors == []
    assert sorted(set(results.statuses)) == [302]
    db.session.expire_all()
    assert [m.body for m in messages_in(thread)].count("Only once") == 1
    assert len(emails_to(personas.coordinator_a.email)) == 1


def test_parallel_new_threads_with_one_key_start_one_thread(
    personas: Any, applied: Application, login: Any, parallel: Any
) -> None:
    record = volunteer_for(personas.volunteer)
    db.session.commit()
    url = f"/messages/new/{record.id}"
    data = {"sender": f"org:{personas.org_a.id}", "subject": "Hello", "body": "Hi", "key": KEY}
    results = parallel.post(login(personas.coordinator_a), url, data, times=6)
    assert results.server_errors == []
    db.session.expire_all()
    assert count(Thread) == 1 and count(Message) == 1
    assert len(emails_to(personas.volunteer.email)) == 1


def test_parallel_time_bank_contacts_make_one_thread(
    personas: Any, bank: Bank, login: Any, parallel: Any
) -> None:
    url = f"/timebank/listings/{bank.listing.id}/contact"
    results = parallel.post(login(personas.volunteer), url, {"body": "Hello", "key": KEY}, times=6)
    assert results.server_errors == []
    db.session.expire_all()
    assert count(Thread) == 1 and count(Message) == 1
