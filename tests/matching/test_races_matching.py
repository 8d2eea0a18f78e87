"""Exactly once under real parallel requests (run on PostgreSQL too): "I'm interested" makes one
application however often it is clicked; one invitation per volunteer and role whoever clicks;
one saved search of a name."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.parallel import Shot
from volunteer_hub.accounts.models import AuditEvent, OutboxMessage
from volunteer_hub.extensions import db
from volunteer_hub.matching.models import Invitation, SavedSearch
from volunteer_hub.recruitment.models import Application


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_parallel_invitations_make_one(world, personas, login, parallel) -> None:
    page = f"/matching/roles/{world.garden.id}"
    url = f"{page}/invite/{world.carol.id}"
    results = parallel.run(
        [
            Shot(login(personas.coordinator_a), url, {}, page, times=5),
            Shot(login(personas.centre), url, {}, page, times=5),
        ]
    )
    assert results.server_errors == []
    assert _count(Invitation) == 1
    assert _count(OutboxMessage, OutboxMessage.kind == "matching_invitation") == 1
    assert _count(AuditEvent, AuditEvent.action == "matching.invited") == 1


def test_parallel_im_interested_makes_one_application(world, personas, login, parallel) -> None:
    a = login(personas.coordinator_a)
    from tests.helpers import post_form

    page = f"/matching/roles/{world.garden.id}"
    assert post_form(a, f"{page}/invite/{world.carol.id}", {}, form_page=page).status_code == 302
    body = db.session.scalar(select(OutboxMessage.body_text))
    path = "/" + re.search(r"http://\S+?/(matching/interested/\S+)", body).group(1)
    carol = login(world.carol_user)
    results = parallel.run([Shot(carol, path, {"age_group": "adult"}, path, times=10)])
    assert results.server_errors == []
    assert _count(Application, Application.volunteer_id == world.carol.id) == 1
    assert _count(AuditEvent, AuditEvent.action == "matching.interested") == 1
    assert _count(OutboxMessage, OutboxMessage.kind == "application_received") == 1
    invitation = db.session.scalar(select(Invitation))
    assert invitation.application_id is not None


def test_parallel_saves_of_one_name_keep_one(world, personas, login, parallel) -> None:
    centre = login(personas.centre)
    results = parallel.run(
        [
            Shot(
                centre,
                "/matching/searches?skill=driving",
                {"name": "Drivers"},
                "/matching/volunteers?skill=driving",
                times=6,
            )
        ]
    )
    assert results.server_errors == []
    assert _count(SavedSearch) == 1
