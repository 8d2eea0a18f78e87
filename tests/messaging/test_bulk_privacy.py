"""Bulk messages and privacy: each person's copy and unsubscribes are in their export, erased
with them (the message keeps its counts), and deleted after the retention period."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from tests.messaging.bulk_setup import World, bulk, compose, send
from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.extensions import db
from volunteer_hub.messaging import bulk as commands
from volunteer_hub.messaging.jobs import send_bulk_messages
from volunteer_hub.messaging.models import BulkDelivery, BulkMessage, Unsubscribe
from volunteer_hub.messaging.privacy import erase_bulk, export_bulk, purge_bulk
from volunteer_hub.privacy.schedule import schedule
from volunteer_hub.volunteers.services import volunteer_for


def _sent(world: World, personas, login) -> int:
    client = login(personas.coordinator_a)
    bulk_id = compose(client, "role", world.role.id, subject="Open day")
    send(client, bulk_id)
    send_bulk_messages()
    return bulk_id


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_export_has_the_copies_received_and_the_unsubscribes(world: World, personas, login) -> None:
    _sent(world, personas, login)
    asha = volunteer_for(world.placed[0])
    commands.unsubscribe(volunteer_id=asha.id, kind="opportunities")
    db.session.commit()
    subject = hooks.Subject(world.placed[0], asha)
    section = export_bulk(subject)["bulk_messages"]
    assert [m["subject"] for m in section["received"]] == ["Open day"]
    assert section["received"][0]["body"].startswith("Dear Asha,")
    assert section["unsubscribed_from"] == ["opportunities"]
    nobody = hooks.Subject(world.former, volunteer_for(world.former))
    assert export_bulk(nobody) == {}


def test_erasure_deletes_their_copies_and_the_message_keeps_its_counts(
    world: World, personas, login, app
) -> None:
    bulk_id = _sent(world, personas, login)
    asha = volunteer_for(world.placed[0])
    commands.unsubscribe(volunteer_id=asha.id, kind="news")
    db.session.commit()
    erasure = hooks.Erasure(
        user=world.placed[0],
        volunteer=asha,
        today=date.today(),
        name="Former volunteer",
        email="x@erased.invalid",
        schedule=schedule(),
        empty_rows=lambda table, row_id: False,
    )
    erase_bulk(erasure)
    db.session.commit()
    assert _count(BulkDelivery, BulkDelivery.volunteer_id == asha.id) == 0
    assert _count(Unsubscribe, Unsubscribe.volunteer_id == asha.id) == 0
    assert _count(BulkDelivery) == 3
    assert bulk(bulk_id).recipient_count == 4 and bulk(bulk_id).sent_count == 4
    assert erasure.erased == ["bulk messages received and unsubscribes deleted (counts kept)"]


def test_retention_deletes_old_messages_and_their_copies(world: World, personas, login) -> None:
    bulk_id = _sent(world, personas, login)
    months = schedule()["bulk_messages"]
    assert months == 24

    def step(today: date, dry_run: bool) -> int:
        return purge_bulk(
            hooks.Purge(
                today=today,
                months=24,
                dry_run=dry_run,
                schedule=schedule(),
                leaving=set(),
                erased=set(),
                empty_rows=lambda table, ids, changed: 0,
            )
        )

    assert step(date.today(), False) == 0
    later = date.today() + timedelta(days=24 * 31 + 2)
    assert step(later, True) == 1
    assert _count(BulkMessage) == 1
    assert step(later, False) == 1
    assert step(later, False) == 0  # safe to re-run
    assert _count(BulkMessage) == 0 and _count(BulkDelivery) == 0
    assert db.session.get(BulkMessage, bulk_id) is None
