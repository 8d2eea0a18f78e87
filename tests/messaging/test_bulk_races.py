"""Bulk messages are exactly-once under real parallel requests and parallel workers (run these
on PostgreSQL too): a double-clicked send makes one send, two workers at once email each
person once, and cancelling while a worker sends leaves nobody emailed twice."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask
from sqlalchemy import func, select

from tests.factories import UserFactory
from tests.messaging.bulk_setup import World, bulk, compose, place, send
from tests.parallel import Shot
from volunteer_hub.accounts.models import AuditEvent, OutboxMessage, User
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.messaging import bulk as commands
from volunteer_hub.messaging.jobs import send_bulk_messages
from volunteer_hub.messaging.models import BulkDelivery, BulkMessage


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _in_threads(app: Flask, *works: Callable[[], object]) -> list[object]:
    """Run each of ``works`` in its own thread, all at once, each in its own app context."""
    barrier = threading.Barrier(len(works))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(work: Callable[[], object]) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results.append(work())
            except BaseException as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_double_clicked_send_sends_one_message(world: World, personas, login, parallel) -> None:
    client = login(personas.coordinator_a)
    bulk_id = compose(client, "role", world.role.id)
    page = f"/messages/bulk/{bulk_id}/preview"
    results = parallel.run(
        [
            Shot(client, f"/messages/bulk/{bulk_id}/send", {}, page, times=6),
            Shot(login(personas.centre), f"/messages/bulk/{bulk_id}/send", {}, page, times=4),
        ]
    )
    assert results.server_errors == []
    assert set(results.statuses) == {302}
    assert bulk(bulk_id).status == "sending"
    assert _count(BulkDelivery) == 4
    assert _count(AuditEvent, AuditEvent.action == "messaging.bulk_sent") == 1


def test_two_workers_at_once_email_each_person_once(world: World, personas, login, app) -> None:
    extra = [UserFactory(email=f"extra-{n}@example.test") for n in range(12)]
    for user in extra:
        place(world.role, user, personas.coordinator_a)
    db.session.commit()
    client = login(personas.coordinator_a)
    bulk_id = compose(client, "role", world.role.id)
    assert send(client, bulk_id).status_code == 302
    results = _in_threads(app, send_bulk_messages, send_bulk_messages, send_bulk_messages)
    assert sum(r["sent"] for r in results) == 16  # type: ignore[index]
    assert sum(r["finished"] for r in results) == 1  # type: ignore[index]
    addresses = list(db.session.scalars(select(OutboxMessage.to_address)))
    assert len(addresses) == 16 == len(set(addresses))
    assert bulk(bulk_id).sent_count == 16
    assert bulk(bulk_id).status == "sent"


def test_cancel_while_workers_send_emails_nobody_twice(world: World, personas, login, app) -> None:
    extra = [UserFactory(email=f"more-{n}@example.test") for n in range(20)]
    for user in extra:
        place(world.role, user, personas.coordinator_a)
    db.session.commit()
    client = login(personas.coordinator_a)
    bulk_id = compose(client, "role", world.role.id)
    send(client, bulk_id)
    coordinator_id = personas.coordinator_a.id

    def stop() -> object:
        message = db.session.get(BulkMessage, bulk_id)
        try:
            commands.cancel(bulk=message, actor=db.session.get(User, coordinator_id))
        except AlreadyDone:  # the worker finished first: as good an outcome
            db.session.rollback()
            return "too late"
        db.session.commit()
        return "stopped"

    _in_threads(app, stop, send_bulk_messages)
    send_bulk_messages()
    db.session.expire_all()
    emailed = _count(OutboxMessage)
    statuses: dict[str, int] = dict(
        db.session.execute(  # type: ignore[arg-type]
            select(BulkDelivery.status, func.count()).group_by(BulkDelivery.status)
        ).all()
    )
    assert emailed == statuses.get("sent", 0)
    assert statuses.get("pending", 0) == 0
    assert bulk(bulk_id).status in ("cancelled", "sent")
