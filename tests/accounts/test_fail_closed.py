"""The security checklist's "Failing closed" cases that need a signed-in user: a cookie signed
with a key from the repository opens nothing, signing out ends the session on the server, and
``next=`` targets never send anyone off the site."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pyotp
import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient

from tests.accounts.conftest import Personas, sign_in
from tests.accounts.test_authentication import GOOD_PASSWORD, outbox_link, user_by_email
from tests.conftest import IsolatedClient, base_config
from tests.factories import PASSWORD
from tests.fail_closed import FLOW_TARGETS, REPOSITORY_KEYS, browser_destination
from tests.helpers import csrf_token_from, post_form
from volunteer_hub import create_app
from volunteer_hub.accounts.models import User
from volunteer_hub.extensions import db

# A cookie signed with a key from the repository -------------------------------------------------


@pytest.fixture
def keyless_app(
    app: Flask, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    """The app as started with no environment name and no SECRET_KEY (``make run``), on the test
    database and with its own instance folder."""
    for name in ("SECRET_KEY", "FLASK_ENV", "VOLUNTEER_HUB_ENV"):
        monkeypatch.delenv(name, raising=False)
    config = {**base_config(database_url), "INSTANCE_PATH": str(tmp_path / "instance")}
    del config["SECRET_KEY"]
    keyless = create_app(config)
    keyless.test_client_class = IsolatedClient
    yield keyless
    with keyless.app_context():
        db.engine.dispose()


def forged_session_cookie(key: str, user: User) -> str:
    """A session cookie as Flask-Login writes it for ``user``, signed with ``key``."""
    signer = Flask("forger")
    signer.secret_key = key
    serializer = SecureCookieSessionInterface().get_signing_serializer(signer)
    assert serializer is not None
    return serializer.dumps({"_user_id": user.get_id(), "_fresh": True, "last_seen": time.time()})


@pytest.mark.parametrize("key", REPOSITORY_KEYS)
def test_a_cookie_signed_with_a_repository_key_opens_nothing(
    keyless_app: Flask, personas: Personas, key: str
) -> None:
    client = keyless_app.test_client()
    client.set_cookie("session", forged_session_cookie(key, personas.admin))
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_a_cookie_signed_with_the_instance_key_does_open_the_page(
    keyless_app: Flask, personas: Personas
) -> None:
    # The forged cookie above is well formed: signed with the real key, the same cookie works.
    assert isinstance(keyless_app.secret_key, str)
    client = keyless_app.test_client()
    client.set_cookie("session", forged_session_cookie(keyless_app.secret_key, personas.admin))
    assert client.get("/admin/users").status_code == 200


# Signing out ends the session on the server ----------------------------------------------------


def _sign_out(client: FlaskClient) -> None:
    page = client.get("/account").get_data(as_text=True)
    response = client.post("/sign-out", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302


def test_a_copied_session_cookie_is_signed_out_after_signing_out(
    app: Flask, personas: Personas, login
) -> None:
    browser = login(personas.volunteer)
    cookie = browser.get_cookie("session")
    assert cookie is not None
    copied = cookie.value
    assert browser.get("/account").status_code == 200
    _sign_out(browser)

    replayed = app.test_client()
    replayed.set_cookie("session", copied)
    response = replayed.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_signing_out_ends_the_sessions_on_other_devices_too(personas: Personas, login) -> None:
    phone = login(personas.coordinator_a)
    laptop = login(personas.coordinator_a)
    _sign_out(laptop)
    assert phone.get("/account").status_code == 302


def test_signing_in_again_after_signing_out_works(client, personas: Personas) -> None:
    sign_in(client, personas.volunteer)
    _sign_out(client)
    assert client.get("/account").status_code == 302
    sign_in(client, personas.volunteer)
    assert client.get("/account").status_code == 200


def test_an_email_change_link_still_works_after_signing_out(
    client, personas: Personas, login
) -> None:
    browser = login(personas.volunteer)
    post_form(browser, "/account/email", {"email": "moved@example.org", "password": PASSWORD})
    _sign_out(browser)
    link = outbox_link("moved@example.org", "confirm_new_email")
    assert post_form(client, link, {}).status_code == 302
    assert user_by_email("moved@example.org").id == personas.volunteer.id


def test_a_password_reset_link_still_works_after_signing_out_elsewhere(
    client, personas: Personas, login
) -> None:
    post_form(client, "/password/forgotten", {"email": personas.volunteer.email})
    link = outbox_link(personas.volunteer.email, "reset_password")
    _sign_out(login(personas.volunteer))  # signed out on another device meanwhile
    response = post_form(client, link, {"password": GOOD_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    # Used once, it is dead.
    assert client.get(link).status_code == 400


def test_an_email_change_link_dies_when_the_password_changes(
    client, personas: Personas, login
) -> None:
    browser = login(personas.volunteer)
    post_form(browser, "/account/email", {"email": "moved@example.org", "password": PASSWORD})
    post_form(
        browser, "/account/password", {"current_password": PASSWORD, "password": GOOD_PASSWORD}
    )
    link = outbox_link("moved@example.org", "confirm_new_email")
    assert post_form(client, link, {}).status_code == 400


def test_an_email_change_link_dies_when_the_account_is_deactivated(
    client, personas: Personas, login
) -> None:
    browser = login(personas.volunteer)
    post_form(browser, "/account/email", {"email": "moved@example.org", "password": PASSWORD})
    user = user_by_email(personas.volunteer.email)
    user.is_active = False
    db.session.commit()
    link = outbox_link("moved@example.org", "confirm_new_email")
    assert post_form(client, link, {}).status_code == 400


# next= targets through the real pages ------------------------------------------------------------


def _with_next(path: str, target: str) -> str:
    """``path?next=target`` as an attacker's link has it: percent escapes kept as typed, and
    only what cannot travel raw in a URL (tabs, spaces, backslashes) escaped."""
    return f"{path}?next={quote(target, safe='/%:?=@!$()*+,;')}"


def _refused_at_the_door(response) -> bool:
    """A target carrying control characters is refused before the page runs (400, no redirect:
    ``core.inputs`` refuses them in every query argument)."""
    if response.status_code != 400:
        return False
    assert "Location" not in response.headers
    return True


def _assert_stays(response, expected: str) -> None:
    if _refused_at_the_door(response):
        return
    assert response.status_code == 302
    location = response.headers["Location"]
    assert browser_destination(location) == ("http", "localhost"), location
    assert location == expected


@pytest.mark.parametrize("target", FLOW_TARGETS)
def test_sign_in_never_redirects_off_the_site(client, personas: Personas, target: str) -> None:
    response = post_form(
        client,
        _with_next("/sign-in", target),
        {"email": personas.volunteer.email, "password": PASSWORD},
        form_page="/sign-in",
    )
    _assert_stays(response, "/my-volunteering")
    # Signed in already, the sign-in page sends people on the same way.
    _assert_stays(client.get(_with_next("/sign-in", target)), "/my-volunteering")


@pytest.mark.parametrize("target", ["/%09/evil.example", "/\\evil.example", "%2F%2Fevil.example"])
def test_sign_in_with_two_factor_never_redirects_off_the_site(
    client, personas: Personas, target: str
) -> None:
    response = post_form(
        client,
        _with_next("/sign-in", target),
        {"email": personas.admin.email, "password": PASSWORD},
        form_page="/sign-in",
    )
    if _refused_at_the_door(response):
        return
    assert response.headers["Location"] == "/sign-in/two-factor"
    code = pyotp.TOTP(personas.admin.totp_secret or "").now()
    _assert_stays(post_form(client, "/sign-in/two-factor", {"code": code}), "/dashboard")


@pytest.mark.parametrize("target", FLOW_TARGETS)
def test_the_updated_privacy_notice_never_redirects_off_the_site(
    personas: Personas, login, target: str
) -> None:
    client = login(personas.volunteer)
    url = _with_next("/privacy/updated", target)
    if _refused_at_the_door(client.get(url)):
        return
    _assert_stays(post_form(client, url, {}), "/")


def test_a_local_next_is_kept_with_its_query(client, personas: Personas, login) -> None:
    target = "/opportunities/x?page=2"
    response = post_form(
        client,
        _with_next("/sign-in", target),
        {"email": personas.volunteer.email, "password": PASSWORD},
        form_page="/sign-in",
    )
    _assert_stays(response, target)
    _assert_stays(post_form(client, _with_next("/privacy/updated", target), {}), target)
