"""Organisation profiles and the centre's due-diligence checks."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import TODAY
from tests.helpers import post_form
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation


def _date(day) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def test_centre_keeps_the_checks_and_a_lapse_unpublishes(personas, login, client, publish) -> None:
    role = publish(personas.org_a, "Befriender")
    assert client.get(f"/opportunities/{role.slug}").status_code == 200
    centre = login(personas.centre)
    url = f"/organisations/{personas.org_a.slug}"
    response = post_form(
        centre,
        url,
        {
            "checks-safeguarding_lead": "Invented Lead",
            "checks-safeguarding_review_date": _date(TODAY + timedelta(days=30)),
            "checks-insurance_expiry": _date(TODAY - timedelta(days=1)),
            "checks-submit": "Save checks",
        },
    )
    assert response.status_code == 302
    assert client.get(f"/opportunities/{role.slug}").status_code == 404
    page = login(personas.coordinator_a).get(f"/organisations/{personas.org_a.slug}/roles")
    assert "the insurance has expired" in page.get_data(as_text=True)
    assert "Lapsed" in centre.get("/organisations").get_data(as_text=True)


def test_coordinators_edit_their_profile_but_not_the_checks(personas, login) -> None:
    coordinator = login(personas.coordinator_a)
    url = f"/organisations/{personas.org_a.slug}"
    saved = post_form(coordinator, url, {"website": "https://a.example.org", "submit": "Save"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, personas.org_a.id).website == "https://a.example.org"
    bad = post_form(coordinator, url, {"website": "not a url", "submit": "Save"})
    assert bad.status_code == 400 and "Enter a web address" in bad.get_data(as_text=True)
    checks = post_form(
        coordinator, url, {"checks-insurance_expiry": _date(TODAY), "checks-submit": "Save checks"}
    )
    assert checks.status_code == 403
    assert login(personas.coordinator_b).get(url).status_code == 404
    assert coordinator.get("/organisations").status_code == 403


def test_centre_adds_an_organisation(personas, login) -> None:
    centre = login(personas.centre)
    response = post_form(centre, "/organisations", {"name": "  New   Group ", "kind": "vco"})
    assert response.status_code == 302
    assert db.session.query(Organisation).filter_by(name="New Group").one().slug == "new-group"
    again = post_form(centre, "/organisations", {"name": "New Group", "kind": "vco"})
    assert again.status_code == 400 and "already exists" in again.get_data(as_text=True)


def test_categories_are_a_managed_list(personas, login) -> None:
    from sqlalchemy import select

    from volunteer_hub.organisations.models import Category

    centre = login(personas.centre)
    assert post_form(centre, "/categories", {"name": "Animal welfare"}).status_code == 302
    category = db.session.scalar(select(Category).where(Category.name == "Animal welfare"))
    assert category.key == "animal_welfare" and category.active
    assert post_form(centre, "/categories", {"name": "Animal welfare"}).status_code == 400
    post_form(centre, f"/categories/{category.id}/toggle", {}, form_page="/categories")
    db.session.expire_all()
    assert db.session.get(Category, category.id).active is False
    assert login(personas.coordinator_a).get("/categories").status_code == 403


def test_coordinators_are_told_once_when_checks_lapse(personas, login, runner, publish) -> None:
    from sqlalchemy import select

    from volunteer_hub.accounts.models import OutboxMessage

    publish(personas.org_a, "Befriender")
    organisation = db.session.get(Organisation, personas.org_a.id)
    organisation.insurance_expiry = TODAY - timedelta(days=1)
    db.session.commit()
    # Organisation B has never had its checks recorded, so its coordinator is told too.
    assert "reminders queued: 2" in runner.invoke(args=["recruitment", "remind"]).output
    assert "reminders queued: 0" in runner.invoke(args=["reminders", "send"]).output
    notices = {
        m.to_address: m.body_text
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "checks_lapsed")
        )
    }
    assert "the insurance has expired" in notices[personas.coordinator_a.email]
    assert "no safeguarding lead is recorded" in notices[personas.coordinator_b.email]
