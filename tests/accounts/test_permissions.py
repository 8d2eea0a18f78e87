"""Who may see what: table-driven over the personas."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.accounts.conftest import Personas
from volunteer_hub.accounts.models import Membership
from volunteer_hub.accounts.permissions import (
    can_change,
    can_view,
    has_any_role,
    role_required,
    scope_to_organisations,
)
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation

PERSONAS = [
    "volunteer",
    "coordinator_a",
    "coordinator_b",
    "centre",
    "partner",
    "admin",
    "stranger",
]

# (persona, GET path, expected status)
PAGE_ACCESS = [
    *[(p, "/account", 200) for p in PERSONAS],
    *[(p, "/admin/users", 200 if p == "admin" else 403) for p in PERSONAS],
    *[(p, "/admin/audit", 200 if p == "admin" else 403) for p in PERSONAS],
    *[(p, "/admin/users/invite", 200 if p == "admin" else 403) for p in PERSONAS],
    *[
        (
            p,
            "/account/two-factor",
            200 if p in {"coordinator_a", "coordinator_b", "centre", "admin"} else 403,
        )
        for p in PERSONAS
    ],
]


@pytest.mark.parametrize(("persona", "path", "status"), PAGE_ACCESS)
def test_page_access_by_persona(
    personas: Personas, login, persona: str, path: str, status: int
) -> None:
    client = login(personas.get(persona))
    assert client.get(path).status_code == status


@pytest.mark.parametrize(
    ("persona", "org", "view", "change"),
    [
        ("coordinator_a", "org_a", True, True),
        ("coordinator_a", "org_b", False, False),
        ("coordinator_b", "org_a", False, False),
        ("coordinator_b", "org_b", True, True),
        ("centre", "org_a", True, True),
        ("centre", "org_b", True, True),
        ("admin", "org_b", True, True),
        ("partner", "council", True, False),
        ("partner", "org_a", False, False),
        ("volunteer", "org_a", False, False),
        ("stranger", "org_b", False, False),
    ],
)
def test_organisation_scoping(
    personas: Personas, persona: str, org: str, view: bool, change: bool
) -> None:
    user = personas.get(persona)
    organisation = getattr(personas, org)
    assert can_view(user, organisation) is view
    assert can_change(user, organisation) is change


def test_a_user_record_is_visible_to_its_owner_and_admins_only(personas: Personas) -> None:
    assert can_view(personas.volunteer, personas.volunteer)
    assert can_view(personas.admin, personas.volunteer)
    for other in ("stranger", "coordinator_a", "centre", "partner"):
        assert not can_view(personas.get(other), personas.volunteer), other


def test_anonymous_and_deactivated_users_can_see_nothing(personas: Personas) -> None:
    from flask_login import AnonymousUserMixin

    assert not can_view(AnonymousUserMixin(), personas.org_a)
    personas.coordinator_a.is_active = False
    assert not can_view(personas.coordinator_a, personas.org_a)


def test_objects_without_a_rule_are_visible_to_admins_only(personas: Personas) -> None:
    membership = personas.coordinator_a.memberships[0]
    assert can_view(personas.admin, membership)
    assert not can_view(personas.coordinator_a, membership)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator_a", {"Organisation A"}),
        ("coordinator_b", {"Organisation B"}),
        ("centre", {"Organisation A", "Organisation B", "Borough Council"}),
        ("partner", set()),
        ("volunteer", set()),
    ],
)
def test_queries_are_scoped_to_coordinated_organisations(
    personas: Personas, persona: str, expected: set[str]
) -> None:
    statement = scope_to_organisations(
        select(Organisation.name), personas.get(persona), Organisation.id
    )
    assert set(db.session.scalars(statement)) == expected


def test_role_checks(personas: Personas) -> None:
    assert has_any_role(personas.coordinator_a, "org_coordinator", "staff")
    assert not has_any_role(personas.partner, "staff")
    assert has_any_role(personas.partner, "partner")
    with pytest.raises(ValueError, match="unknown"):
        role_required("wizard")
    assert db.session.scalar(select(Membership).where(Membership.role == "partner")) is not None


def test_coordinator_cannot_reach_other_users_admin_pages_by_url(personas: Personas, login) -> None:
    client = login(personas.coordinator_a)
    assert client.get(f"/admin/users/{personas.coordinator_b.id}").status_code == 403
