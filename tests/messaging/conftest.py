"""Messaging fixtures: personas and sign-in come from tests/conftest.py. ``applied`` connects
the persona volunteer to Organisation A by an application; ``start`` posts a coordinator's first
message through the real form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.factories import UserFactory
from tests.helpers import post_form
from tests.messaging.bulk_setup import world  # noqa: F401 - the bulk message tests' fixture
from tests.timebank.conftest import make_bank, member
from volunteer_hub.accounts.models import OutboxMessage
from volunteer_hub.extensions import db
from volunteer_hub.messaging.models import Message, Thread
from volunteer_hub.organisations.models import Role
from volunteer_hub.recruitment.models import Application
from volunteer_hub.timebank.models import Account, Listing, TimeBank
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import volunteer_for

KEY = "k" * 16


def count(model: Any, *conditions: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0)


def emails_to(address: str, kind: str = "message_new") -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.to_address == address, OutboxMessage.kind == kind
            )
        )
    )


@pytest.fixture
def applied(personas: Any) -> Application:
    """The persona volunteer's application to a role of Organisation A."""
    role = Role(organisation_id=personas.org_a.id, title="Befriender")
    db.session.add(role)
    db.session.flush()
    application = Application(
        volunteer_id=volunteer_for(personas.volunteer).id,
        role_id=role.id,
        organisation_id=personas.org_a.id,
        stage="applied",
    )
    db.session.add(application)
    db.session.commit()
    return application


@pytest.fixture
def start(login: Callable[..., FlaskClient]) -> Callable[..., Thread]:
    """``start(coordinator, volunteer_record, sender="org:<id>", **fields)`` → the new thread."""

    def _start(coordinator: Any, volunteer: Volunteer, sender: str, **fields: Any) -> Thread:
        query = fields.pop("query", "")
        url = f"/messages/new/{volunteer.id}{query}"
        data = {
            "sender": sender,
            "subject": "Your application",
            "body": "Could you come in on Tuesday?",
            "key": fields.pop("key", KEY),
            **fields,
        }
        response = post_form(login(coordinator), url, data)
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        thread = db.session.scalar(select(Thread).order_by(Thread.id.desc()).limit(1))
        assert thread is not None
        return thread

    return _start


@dataclass
class Bank:
    timebank: TimeBank
    ann: Account
    bob: Account
    listing: Listing
    bob_user: Any


@pytest.fixture
def bank(personas: Any) -> Bank:
    """A time bank coordinated by coordinator A; the persona volunteer (Ann) and Bob are
    members; Bob offers help with a garden."""
    timebank = make_bank("Riverside Time Bank", personas.coordinator_a, {})
    bob_user = UserFactory(email="bob@example.test", name="Bob Member")
    ann = member(timebank, personas.volunteer)
    bob = member(timebank, bob_user)
    listing = Listing(
        timebank_id=timebank.id,
        account_id=bob.id,
        kind="offer",
        category="garden",
        title="Help in the garden",
    )
    db.session.add(listing)
    db.session.commit()
    return Bank(timebank, ann, bob, listing, bob_user)


def messages_in(thread: Thread) -> list[Message]:
    db.session.expire_all()
    return list(db.session.scalars(select(Message).where(Message.thread_id == thread.id)))
