"""Personas and a sign-in helper for permission tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import PASSWORD, OrganisationFactory, UserFactory
from tests.helpers import post_form
from volunteer_hub.accounts.models import User
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation

ADMIN_TOTP = pyotp.random_base32()


@dataclass
class Personas:
    org_a: Organisation
    org_b: Organisation
    council: Organisation
    volunteer: User
    coordinator_a: User
    coordinator_b: User
    centre: User
    partner: User
    admin: User
    stranger: User

    def get(self, name: str) -> User:
        user = getattr(self, name)
        assert isinstance(user, User)
        return user


@pytest.fixture
def personas(app: Flask) -> Personas:
    org_a = OrganisationFactory(name="Organisation A")
    org_b = OrganisationFactory(name="Organisation B")
    council = OrganisationFactory(name="Borough Council", kind="statutory")
    admin = UserFactory(email="admin@example.test", roles=["admin"])
    admin.totp_secret = ADMIN_TOTP
    admin.totp_enabled_at = utcnow()
    people = Personas(
        org_a=org_a,
        org_b=org_b,
        council=council,
        volunteer=UserFactory(email="volunteer@example.test"),
        coordinator_a=UserFactory(email="coord-a@example.test", roles=[], coordinates=[org_a]),
        coordinator_b=UserFactory(email="coord-b@example.test", roles=[], coordinates=[org_b]),
        centre=UserFactory(email="centre@example.test", roles=["centre_coordinator"]),
        partner=UserFactory(email="partner@example.test", roles=[], partner_of=[council]),
        admin=admin,
        stranger=UserFactory(email="stranger@example.test"),
    )
    db.session.commit()
    return people


def sign_in(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    response = post_form(client, "/sign-in", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    if response.headers["Location"].endswith("/sign-in/two-factor"):
        code = pyotp.TOTP(user.totp_secret or "").now()
        response = post_form(client, "/sign-in/two-factor", {"code": code})
        assert response.status_code == 302


@pytest.fixture
def login(app: Flask) -> Callable[[User], FlaskClient]:
    """``login(user)`` → a new test client signed in as ``user`` through the real forms."""

    def _login(user: User) -> FlaskClient:
        client = app.test_client()
        sign_in(client, user)
        return client

    return _login
