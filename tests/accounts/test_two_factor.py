"""TOTP two-factor sign-in: staff may, administrators must; recovery codes work once."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from tests.accounts.conftest import Personas, sign_in
from tests.factories import PASSWORD, UserFactory
from tests.helpers import post_form
from volunteer_hub.accounts.models import RecoveryCode, User
from volunteer_hub.extensions import db


def _secret_from(html: str) -> str:
    match = re.search(r'<code class="vh-codes">([A-Z2-7]+)</code>', html)
    assert match, "no TOTP key on the page"
    return match.group(1)


def _enable(client) -> tuple[str, list[str]]:
    page = client.get("/account/two-factor")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html  # the QR code
    secret = _secret_from(html)
    response = post_form(client, "/account/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", response.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def test_coordinator_enables_two_factor_and_then_needs_a_code(
    app, personas: Personas, login
) -> None:
    with freeze_time("2026-06-01 09:00:00") as clock:
        client = login(personas.coordinator_a)
        secret, _ = _enable(client)
        stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
        assert len(stored) == 10 and all(len(h) == 64 for h in stored)  # hashed, not plain
        clock.tick(timedelta(seconds=60))
        fresh = app.test_client()
        first = post_form(
            fresh, "/sign-in", {"email": personas.coordinator_a.email, "password": PASSWORD}
        )
        assert first.headers["Location"] == "/sign-in/two-factor"
        assert fresh.get("/account").status_code == 302  # not signed in yet
        wrong = post_form(fresh, "/sign-in/two-factor", {"code": "000000"})
        assert wrong.status_code == 400
        right = post_form(fresh, "/sign-in/two-factor", {"code": pyotp.TOTP(secret).now()})
        assert right.status_code == 302
        assert fresh.get("/account").status_code == 200


def test_a_totp_code_cannot_be_replayed(app, personas: Personas, login) -> None:
    with freeze_time("2026-06-01 09:00:00") as clock:
        client = login(personas.coordinator_a)
        secret, _ = _enable(client)
        clock.tick(timedelta(seconds=45))
        code = pyotp.TOTP(secret).now()
        one = app.test_client()
        post_form(one, "/sign-in", {"email": personas.coordinator_a.email, "password": PASSWORD})
        assert post_form(one, "/sign-in/two-factor", {"code": code}).status_code == 302
        two = app.test_client()
        post_form(two, "/sign-in", {"email": personas.coordinator_a.email, "password": PASSWORD})
        assert post_form(two, "/sign-in/two-factor", {"code": code}).status_code == 400


def test_recovery_code_works_once(app, personas: Personas, login) -> None:
    client = login(personas.coordinator_a)
    _, codes = _enable(client)
    for expected in (302, 400):
        other = app.test_client()
        post_form(other, "/sign-in", {"email": personas.coordinator_a.email, "password": PASSWORD})
        assert post_form(other, "/sign-in/two-factor", {"code": codes[0]}).status_code == expected


def test_two_factor_step_expires(app, personas: Personas, login) -> None:
    client = login(personas.coordinator_a)
    _enable(client)
    with freeze_time("2026-06-01 09:00:00") as clock:
        other = app.test_client()
        post_form(other, "/sign-in", {"email": personas.coordinator_a.email, "password": PASSWORD})
        clock.tick(timedelta(minutes=6))
        assert other.get("/sign-in/two-factor").status_code == 302  # back to the sign-in page


def test_administrator_without_two_factor_must_set_it_up(personas: Personas, login) -> None:
    admin = UserFactory(email="new-admin@example.org", roles=["admin"])
    db.session.commit()
    client = login(admin)
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/two-factor"
    _enable(client)
    assert client.get("/admin/users").status_code == 200


def test_administrator_cannot_turn_two_factor_off(personas: Personas, login) -> None:
    client = login(personas.admin)
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "must keep two-factor" in page
    response = post_form(
        client, "/account/two-factor/disable", {"password": PASSWORD}, form_page="/account"
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, personas.admin.id).totp_enabled


def test_coordinator_can_turn_two_factor_off_with_password(personas: Personas, login) -> None:
    client = login(personas.coordinator_a)
    _enable(client)
    response = post_form(
        client,
        "/account/two-factor/disable",
        {"password": PASSWORD},
        form_page="/account/two-factor",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, personas.coordinator_a.id).totp_enabled
    assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0


@pytest.mark.parametrize("persona", ["volunteer", "partner"])
def test_volunteers_and_partners_do_not_get_two_factor(
    personas: Personas, login, persona: str
) -> None:
    assert login(personas.get(persona)).get("/account/two-factor").status_code == 403


def test_sign_in_helper_handles_admin(personas: Personas, app) -> None:
    client = app.test_client()
    sign_in(client, personas.admin)
    assert client.get("/admin/users").status_code == 200


def test_admin_resets_another_users_two_factor(personas: Personas, login) -> None:
    coordinator = login(personas.coordinator_a)
    _enable(coordinator)
    admin = login(personas.admin)
    url = f"/admin/users/{personas.coordinator_a.id}"
    assert post_form(admin, f"{url}/two-factor/reset", {}, form_page=url).status_code == 302
    db.session.expire_all()
    user = db.session.get(User, personas.coordinator_a.id)
    assert not user.totp_enabled
    assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0
    assert coordinator.get("/account").status_code == 302  # signed out


def test_admin_cannot_reset_own_two_factor(personas: Personas, login) -> None:
    admin = login(personas.admin)
    url = f"/admin/users/{personas.admin.id}"
    post_form(admin, f"{url}/two-factor/reset", {}, form_page=url)
    db.session.expire_all()
    assert db.session.get(User, personas.admin.id).totp_enabled
