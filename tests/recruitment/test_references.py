"""References: requested by email, answered once through a signed link, marked by a coordinator."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.helpers import post_form
from volunteer_hub.accounts.models import OutboxMessage
from volunteer_hub.extensions import db
from volunteer_hub.recruitment.models import Application, Reference


def test_reference_journey(personas, login, publish, client) -> None:
    role = publish(personas.org_a, "Befriender")
    post_form(
        login(personas.volunteer),
        f"/opportunities/{role.slug}/apply",
        {"message": "", "age_group": "adult"},
    )
    application = db.session.scalar(select(Application))
    coordinator = login(personas.coordinator_a)
    page = f"/applications/{application.id}"
    bad = post_form(
        coordinator,
        f"/applications/{application.id}/references",
        {"name": "Ref", "email": personas.volunteer.email, "relationship": "Self"},
        form_page=page,
    )
    assert bad.status_code == 302 and db.session.scalar(select(Reference)) is None
    post_form(
        coordinator,
        f"/applications/{application.id}/references",
        {
            "name": "Invented Referee",
            "email": "referee@example.org",
            "relationship": "Former manager",
        },
        form_page=page,
    )
    email = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "reference_request")
    )
    assert email.to_address == "referee@example.org"
    link = re.search(r"https?://\S+", email.body_text).group(0)
    path = link.split("localhost", 1)[-1] if "localhost" in link else "/" + link.split("/", 3)[3]

    # The referee needs no account; a tampered link is refused.
    assert client.get(path + "x").status_code == 400
    form = client.get(path)
    assert form.status_code == 200 and "Former manager" in form.get_data(as_text=True)
    done = post_form(
        client,
        path,
        {"known_for": "3 years", "would_recommend": "yes", "comments": "Kind and reliable."},
    )
    assert "Your reference has been sent" in done.get_data(as_text=True)
    # The link works once.
    assert "already been given" in client.get(path).get_data(as_text=True)

    reference = db.session.scalar(select(Reference))
    assert reference.would_recommend == "yes" and reference.responded_at is not None
    coordinator_page = coordinator.get(page).get_data(as_text=True)
    assert "Kind and reliable." in coordinator_page
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', coordinator_page).group(1)
    coordinator.post(
        f"/references/{reference.id}/mark", data={"csrf_token": csrf, "satisfactory": "yes"}
    )
    db.session.expire_all()
    assert db.session.get(Reference, reference.id).satisfactory is True
    # Another organisation's coordinator cannot mark it, and the volunteer never sees the words.
    assert login(personas.coordinator_b).post(
        f"/references/{reference.id}/mark", data={}
    ).status_code in {400, 404}
    assert "Kind and reliable." not in login(personas.volunteer).get(page).get_data(as_text=True)
