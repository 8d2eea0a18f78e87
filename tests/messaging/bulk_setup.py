"""Shared set-up for the bulk message tests: a role of Organisation A with placed volunteers,
a shift with sign-ups, and the steps of composing and sending through the real pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import UserFactory
from tests.helpers import post_form
from volunteer_hub.accounts.models import User
from volunteer_hub.extensions import db
from volunteer_hub.messaging.models import BulkMessage
from volunteer_hub.organisations.models import Role
from volunteer_hub.organisations.roles import latest_version
from volunteer_hub.placements.models import Placement
from volunteer_hub.scheduling.models import Shift, SignUp
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import volunteer_for

TODAY = date.today()


@dataclass
class World:
    role: Role
    shift: Shift
    #: Placed in the role: Asha, Ben, Chidi (Chidi twice: two placements), and the persona.
    placed: list[User]
    #: Ended placement: not in the role's segment.
    former: User
    #: Signed up to the shift (confirmed), and waiting.
    confirmed: list[User]
    waiting: User


def place(role: Role, user: User, supervisor: User, *, end: date | None = None) -> Placement:
    placement = Placement(
        volunteer_id=volunteer_for(user).id,
        role_id=role.id,
        organisation_id=role.organisation_id,
        role_version_id=latest_version(role).id,
        supervisor_id=supervisor.id,
        start_date=TODAY - timedelta(days=60),
        end_date=end,
    )
    db.session.add(placement)
    db.session.flush()
    return placement


@pytest.fixture
def world(personas: Any, publish: Any, categories: None) -> World:
    role = publish(personas.org_a, "Food bank helper")
    people = [
        UserFactory(name=name, email=f"{name.split()[0].lower()}@example.test")
        for name in ("Asha Patel", "Ben Okoro", "Chidi Evans", "Dana Former", "Eve Waiting")
    ]
    asha, ben, chidi, former, waiting = people
    for user in (asha, ben, chidi, chidi, personas.volunteer):
        place(role, user, personas.coordinator_a)
    place(role, former, personas.coordinator_a, end=TODAY - timedelta(days=5))
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    shift = Shift(
        role_id=role.id,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        capacity=2,
        who="anyone",
        location="Hall",
    )
    db.session.add(shift)
    db.session.flush()
    for user in (asha, ben):
        db.session.add(
            SignUp(shift_id=shift.id, volunteer_id=volunteer_for(user).id, status="confirmed")
        )
    db.session.add(
        SignUp(
            shift_id=shift.id, volunteer_id=volunteer_for(waiting).id, status="waiting", position=1
        )
    )
    db.session.commit()
    return World(role, shift, [asha, ben, chidi, personas.volunteer], former, [asha, ben], waiting)


def compose_url(kind: str, key: object) -> str:
    return f"/messages/bulk/new/{kind}/{key}"


def compose(
    client: FlaskClient,
    kind: str,
    key: object,
    *,
    message_kind: str = "news",
    subject: str = "Hello {first_name}",
    body: str = "Dear {first_name},\n\nThanks for helping as {role}. Next: {next_shift}.",
) -> int:
    """Write a draft through the compose page; its id (from the preview's address)."""
    url = compose_url(kind, key)
    response = post_form(client, url, {"kind": message_kind, "subject": subject, "body": body})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    location = response.headers["Location"]
    assert location.endswith("/preview")
    return int(location.rstrip("/").split("/")[-2])


def send(client: FlaskClient, bulk_id: int, *, again: bool = False) -> Any:
    """Press "Send" on the preview (``again``: once more, from the progress page's form)."""
    page = f"/messages/bulk/{bulk_id}" if again else f"/messages/bulk/{bulk_id}/preview"
    return post_form(client, f"/messages/bulk/{bulk_id}/send", {}, form_page=page)


def volunteer_ids(users: list[User]) -> set[int]:
    return {volunteer_for(user).id for user in users}


def bulk(bulk_id: int) -> BulkMessage:
    db.session.expire_all()
    found = db.session.get(BulkMessage, bulk_id)
    assert found is not None
    return found


def volunteer_named(name: str) -> Volunteer:
    found = db.session.scalar(select(Volunteer).where(Volunteer.name == name))
    assert found is not None
    return found
