"""Task descriptions: drafting, submitting, approving into versions, returning; who may do what."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import COMPLETE, TODAY, in_good_standing
from tests.helpers import post_form
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Category, Role, RoleVersion


def _form(**overrides) -> dict[str, object]:
    befriending = db.session.scalar(select(Category.id).where(Category.key == "befriending"))
    data = {
        **{k: str(v) for k, v in COMPLETE.items()},
        "title": "Telephone befriender",
        "categories": str(befriending),
    }
    data.update(overrides)
    return data


def test_coordinator_drafts_submits_and_centre_publishes(personas, login, client) -> None:
    coordinator = login(personas.coordinator_a)
    url = f"/organisations/{personas.org_a.slug}/roles/new"
    response = post_form(coordinator, url, _form(expenses_policy=""))
    assert response.status_code == 302
    role = db.session.scalar(select(Role).where(Role.title == "Telephone befriender"))
    assert role.status == "draft" and role.postcode == "AB1 2CD"

    # Not complete yet: submitting says what is missing and changes nothing.
    submit = post_form(
        coordinator, f"/roles/{role.id}/submit", {}, form_page=f"/roles/{role.id}/edit"
    )
    assert submit.status_code == 302
    page = coordinator.get(f"/roles/{role.id}/edit").get_data(as_text=True)
    assert "add the expenses policy" in page
    db.session.expire_all()
    assert db.session.get(Role, role.id).status == "draft"

    post_form(coordinator, f"/roles/{role.id}/edit", _form())
    post_form(coordinator, f"/roles/{role.id}/submit", {}, form_page=f"/roles/{role.id}/edit")
    db.session.expire_all()
    assert db.session.get(Role, role.id).status == "submitted"

    # The organisation's checks are not recorded: the centre cannot publish yet.
    centre = login(personas.centre)
    post_form(centre, f"/roles/{role.id}/approve", {}, form_page="/roles/review")
    page = centre.get("/roles/review").get_data(as_text=True)
    assert "cannot publish roles: no safeguarding lead is recorded" in page
    assert client.get("/opportunities").get_data(as_text=True).count("Telephone befriender") == 0

    in_good_standing(db.session.get(type(personas.org_a), personas.org_a.id))
    db.session.commit()
    response = post_form(centre, f"/roles/{role.id}/approve", {}, form_page="/roles/review")
    assert response.status_code == 302
    db.session.expire_all()
    role = db.session.get(Role, role.id)
    assert role.status == "published" and role.version == 1 and role.slug
    version = db.session.scalar(select(RoleVersion).where(RoleVersion.role_id == role.id))
    assert version.content["expenses_policy"] == COMPLETE["expenses_policy"]

    public = client.get(f"/opportunities/{role.slug}")
    assert public.status_code == 200
    assert "Bus fares repaid monthly" in public.get_data(as_text=True)
    assert "Telephone befriender" in client.get("/opportunities").get_data(as_text=True)


def test_an_edit_waits_for_approval_and_the_public_page_keeps_the_approved_version(
    personas, login, client, publish
) -> None:
    role = publish(personas.org_a, "Garden helper")
    coordinator = login(personas.coordinator_a)
    post_form(
        coordinator, f"/roles/{role.id}/edit", _form(title="Garden helper", purpose="A new purpose")
    )
    db.session.expire_all()
    assert db.session.get(Role, role.id).status == "draft"
    page = client.get(f"/opportunities/{role.slug}")
    # Its shared link still works and shows the approved version, not the pending change.
    assert page.status_code == 200
    assert "Reduce loneliness" in page.get_data(as_text=True)
    assert "A new purpose" not in page.get_data(as_text=True)


def test_centre_returns_a_role_with_a_reason(personas, login) -> None:
    coordinator = login(personas.coordinator_a)
    post_form(coordinator, f"/organisations/{personas.org_a.slug}/roles/new", _form())
    role = db.session.scalar(select(Role).where(Role.title == "Telephone befriender"))
    post_form(coordinator, f"/roles/{role.id}/submit", {}, form_page=f"/roles/{role.id}/edit")
    centre = login(personas.centre)
    post_form(
        centre,
        f"/roles/{role.id}/return",
        {"reason": "Say how often supervision happens"},
        form_page="/roles/review",
    )
    db.session.expire_all()
    role = db.session.get(Role, role.id)
    assert role.status == "returned" and role.returned_reason == "Say how often supervision happens"
    assert "Say how often supervision happens" in coordinator.get(
        f"/roles/{role.id}/edit"
    ).get_data(as_text=True)


def test_coordinators_cannot_touch_other_organisations_roles(personas, login, publish) -> None:
    role = publish(personas.org_a, "Driver")
    other = login(personas.coordinator_b)
    assert other.get(f"/roles/{role.id}/edit").status_code == 404
    assert other.get(f"/organisations/{personas.org_a.slug}/roles").status_code == 404
    assert other.get(f"/organisations/{personas.org_a.slug}/roles/new").status_code == 404
    # Nor approve anything: approval is the centre's.
    assert other.get("/roles/review").status_code == 403
    for who in ("volunteer", "partner"):
        assert login(personas.get(who)).get("/roles").status_code == 403


def test_bad_task_descriptions_say_what_to_fix(personas, login) -> None:
    coordinator = login(personas.coordinator_a)
    url = f"/organisations/{personas.org_a.slug}/roles/new"
    for overrides, message in (
        ({"title": ""}, "Enter the role&#39;s title"),
        ({"hours_per_week": "100"}, "Between 0.5 and 60 hours"),
        ({"minimum_age": "5"}, "Between 14 and 99"),
        ({"soc_code": "12ab"}, "must be 1 to 4 digits"),
        (
            {"start_date": ["2", "6", "2026"], "closing_date": ["1", "6", "2026"]},
            "The closing date must be on or after the start date",
        ),
        ({"start_date": ["31", "2", "2026"]}, "Not a valid date value"),
        ({"start_date": ["1", "2"]}, None),  # a truncated post: no date, and no crash
    ):
        response = post_form(coordinator, url, _form(**overrides))
        if message is None:
            assert response.status_code == 302
            db.session.query(Role).delete()
            db.session.commit()
            continue
        assert response.status_code == 400, overrides
        assert message in response.get_data(as_text=True), overrides
    assert db.session.scalar(select(Role)) is None


def test_a_closed_or_lapsed_organisation_role_leaves_search(personas, client, publish) -> None:
    role = publish(personas.org_a, "Litter picker", closing_date=TODAY + timedelta(days=3))
    assert client.get(f"/opportunities/{role.slug}").status_code == 200
    organisation = db.session.get(type(personas.org_a), personas.org_a.id)
    organisation.insurance_expiry = TODAY - timedelta(days=1)
    db.session.commit()
    assert client.get(f"/opportunities/{role.slug}").status_code == 404
    assert "Litter picker" not in client.get("/opportunities").get_data(as_text=True)


def test_odd_numbers_and_postcodes_are_form_errors(personas, login) -> None:
    coordinator = login(personas.coordinator_a)
    url = f"/organisations/{personas.org_a.slug}/roles/new"
    for overrides, message in (
        ({"hours_per_week": "sNaN"}, "Enter a number"),
        ({"hours_per_week": "Infinity"}, "Enter a number"),
        ({"postcode": "AAAAAAA1AA"}, "Enter a UK postcode"),
    ):
        response = post_form(coordinator, url, _form(**overrides))
        assert response.status_code == 400, overrides
        assert message in response.get_data(as_text=True), overrides
