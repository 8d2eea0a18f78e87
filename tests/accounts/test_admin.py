"""Administration: invitations, roles, deactivation, the audit log."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.accounts.conftest import Personas
from tests.accounts.test_authentication import outbox_link, user_by_email
from tests.helpers import post_form
from volunteer_hub.accounts.models import AuditEvent, AuditLogIsAppendOnly
from volunteer_hub.accounts.permissions import can_change
from volunteer_hub.extensions import db


def test_admin_invites_a_coordinator_who_sets_a_password_and_signs_in(
    app, personas: Personas, login
) -> None:
    admin = login(personas.admin)
    response = post_form(
        admin,
        "/admin/users/invite",
        {
            "name": "Invited Coordinator",
            "email": "invited@example.org",
            "role": "coordinator",
            "organisation": str(personas.org_a.id),
        },
    )
    assert response.status_code == 302
    invited = user_by_email("invited@example.org")
    assert invited.password_hash is None
    link = outbox_link("invited@example.org", "invitation")
    visitor = app.test_client()
    assert post_form(visitor, link, {"password": "fresh invitation passphrase"}).status_code == 302
    invited = user_by_email("invited@example.org")
    assert invited.email_verified_at is not None
    assert can_change(invited, personas.org_a) and not can_change(invited, personas.org_b)
    assert (
        post_form(
            visitor, link, {"password": "another passphrase here"}, form_page="/sign-in"
        ).status_code
        == 400
    )
    signed = post_form(
        visitor,
        "/sign-in",
        {"email": "invited@example.org", "password": "fresh invitation passphrase"},
    )
    assert signed.status_code == 302


def test_invite_needs_an_organisation_for_organisation_roles(personas: Personas, login) -> None:
    admin = login(personas.admin)
    response = post_form(
        admin,
        "/admin/users/invite",
        {"name": "No Org", "email": "noorg@example.org", "role": "coordinator", "organisation": ""},
    )
    assert response.status_code == 400
    assert "Choose the organisation for this role" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user_invited")) is None


def test_granting_and_revoking_roles_is_audited_and_ends_sessions(
    personas: Personas, login
) -> None:
    admin = login(personas.admin)
    target = login(personas.stranger)
    url = f"/admin/users/{personas.stranger.id}"
    response = post_form(
        admin, f"{url}/roles", {"role": "centre_coordinator", "organisation": ""}, form_page=url
    )
    assert response.status_code == 302
    assert user_by_email(personas.stranger.email).is_centre_coordinator
    response = post_form(
        admin, f"{url}/roles/remove", {"role": "centre_coordinator"}, form_page=url
    )
    assert response.status_code == 302
    assert not user_by_email(personas.stranger.email).is_centre_coordinator
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_id == str(personas.stranger.id))
    ).all()
    assert "role_granted" in actions and "role_revoked" in actions
    assert target.get("/account").status_code == 302  # fewer rights take effect at once


def test_deactivation_ends_the_users_sessions(personas: Personas, login) -> None:
    target = login(personas.volunteer)
    admin = login(personas.admin)
    url = f"/admin/users/{personas.volunteer.id}"
    assert post_form(admin, f"{url}/active", {"active": "no"}, form_page=url).status_code == 302
    assert target.get("/account").status_code == 302
    assert not user_by_email(personas.volunteer.email).is_active


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(personas: Personas, login) -> None:
    admin = login(personas.admin)
    url = f"/admin/users/{personas.admin.id}"
    post_form(admin, f"{url}/roles/remove", {"role": "admin"}, form_page=url)
    post_form(admin, f"{url}/active", {"active": "no"}, form_page=url)
    user = user_by_email(personas.admin.email)
    assert user.is_admin and user.is_active


@pytest.mark.parametrize("field", ["organisation_id", "session_version", "is_active", "email"])
def test_mass_assignment_on_role_form_is_ignored(personas: Personas, login, field: str) -> None:
    admin = login(personas.admin)
    url = f"/admin/users/{personas.stranger.id}"
    before = user_by_email(personas.stranger.email)
    snapshot = (before.email, before.is_active)
    post_form(
        admin,
        f"{url}/roles",
        {"role": "volunteer", "organisation": "", field: "999"},
        form_page=url,
    )
    after = user_by_email(personas.stranger.email)
    assert (after.email, after.is_active) == snapshot


def test_audit_log_search(personas: Personas, login) -> None:
    login(personas.volunteer)
    admin = login(personas.admin)
    html = admin.get("/admin/audit?action=sign_in&actor=" + personas.volunteer.email).get_data(
        as_text=True
    )
    rows = re.findall(r"<td class=\"govuk-table__cell\">Sign in</td>", html)
    assert len(rows) == 1
    assert personas.volunteer.email in html
    # The action as the page shows it finds the same events as its code.
    shown = admin.get("/admin/audit?action=Sign+in&actor=" + personas.volunteer.email)
    assert (
        re.findall(r"<td class=\"govuk-table__cell\">Sign in</td>", shown.get_data(as_text=True))
        == rows
    )


def test_audit_events_cannot_be_changed_or_deleted_through_the_app(
    personas: Personas, login
) -> None:
    login(personas.volunteer)
    event = db.session.scalar(select(AuditEvent))
    assert event is not None
    event.action = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    event = db.session.scalar(select(AuditEvent))
    db.session.delete(event)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_no_route_edits_the_audit_log(app) -> None:
    audit_rules = [r for r in app.url_map.iter_rules() if "audit" in r.rule]
    assert audit_rules
    assert all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in audit_rules)


def test_audit_log_search_by_date(personas: Personas, login) -> None:
    from freezegun import freeze_time

    with freeze_time("2026-05-01 09:00:00"):
        login(personas.volunteer)
    admin = login(personas.admin)
    html = admin.get(
        "/admin/audit?action=sign_in&date_from=2026-05-01&date_to=2026-05-01"
    ).get_data(as_text=True)
    assert html.count('<td class="govuk-table__cell">Sign in</td>') == 1
    # The same day typed as people write it.
    html = admin.get("/admin/audit?action=sign_in&date_from=1+May+2026&date_to=1/5/2026").get_data(
        as_text=True
    )
    assert html.count('<td class="govuk-table__cell">Sign in</td>') == 1
    html = admin.get("/admin/audit?action=sign_in&date_from=2026-05-02").get_data(as_text=True)
    assert (
        html.count('<td class="govuk-table__cell">Sign in</td>') == 1
    )  # only the admin's own, today
    bad = admin.get("/admin/audit?date_from=not-a-date")
    assert bad.status_code == 200 and "Not a valid date value" in bad.get_data(as_text=True)


def test_self_protection_messages_are_shown(personas: Personas, login) -> None:
    admin = login(personas.admin)
    url = f"/admin/users/{personas.admin.id}"
    response = post_form(admin, f"{url}/active", {"active": "no"}, form_page=url)
    assert response.status_code == 302
    assert "You cannot deactivate your own account" in admin.get(url).get_data(as_text=True)
