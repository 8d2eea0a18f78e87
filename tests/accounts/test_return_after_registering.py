"""Registering from a role page: the role is kept (a safe ``next``) through registration, the
link in the verification email and signing in, and the person lands back on it."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Flask

from tests.accounts.test_authentication import GOOD_PASSWORD, outbox_link
from tests.fail_closed import FLOW_TARGETS, browser_destination
from tests.helpers import post_form

TARGET = "/opportunities/befriending-visitor/apply"


def _register(client, next_target: str, email: str = "newcomer@example.org"):
    path = f"/register?next={quote(next_target, safe='/%:?=@!$()*+,;')}"
    if client.get(path).status_code == 400:  # refused at the door (control characters)
        return client.get(path)
    data = {"name": "New Comer", "email": email, "password": GOOD_PASSWORD, "privacy": "y"}
    return post_form(client, path, data)


def test_the_role_is_kept_through_registration_verification_and_sign_in(app: Flask) -> None:
    client = app.test_client()
    # The role's "Apply" sends an anonymous visitor to sign in, whose "Create an account" link
    # keeps where they were going.
    sign_in_page = client.get(f"/sign-in?next={quote(TARGET)}").get_data(as_text=True)
    assert f'href="/register?next={TARGET}"' in sign_in_page
    assert _register(client, TARGET).status_code == 302
    link = outbox_link("newcomer@example.org", "verify_email")
    assert link.startswith("/verify-email/") and link.endswith(f"?next={TARGET}")
    # Following the link (in a new browser, as from an email app) confirms, then asks to sign in
    # and carries on to the role.
    browser = app.test_client()
    response = post_form(browser, link, {})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sign-in?next={TARGET}"
    response = post_form(
        browser,
        response.headers["Location"],
        {"email": "newcomer@example.org", "password": GOOD_PASSWORD},
    )
    assert response.headers["Location"] == TARGET


def test_signed_in_already_the_verification_link_goes_straight_back(app: Flask) -> None:
    client = app.test_client()
    _register(client, TARGET)
    post_form(client, "/sign-in", {"email": "newcomer@example.org", "password": GOOD_PASSWORD})
    response = post_form(client, outbox_link("newcomer@example.org", "verify_email"), {})
    assert response.headers["Location"] == TARGET


def test_without_a_next_a_new_volunteer_lands_on_their_volunteering(app: Flask) -> None:
    client = app.test_client()
    response = post_form(
        client,
        "/register",
        {"name": "New", "email": "plain@example.org", "password": GOOD_PASSWORD, "privacy": "y"},
    )
    assert response.status_code == 302
    link = outbox_link("plain@example.org", "verify_email")
    assert "next=" not in link
    response = post_form(client, link, {})
    assert response.headers["Location"] == "/sign-in"
    response = post_form(
        client, "/sign-in", {"email": "plain@example.org", "password": GOOD_PASSWORD}
    )
    assert response.headers["Location"] == "/my-volunteering"


@pytest.mark.parametrize("target", FLOW_TARGETS)
def test_a_hostile_next_never_reaches_the_email_or_leaves_the_site(app: Flask, target: str) -> None:
    client = app.test_client()
    response = _register(client, target, email="target@example.org")
    if response.status_code == 400:  # refused at the door (control characters)
        return
    assert response.status_code == 302
    link = outbox_link("target@example.org", "verify_email")
    assert "next=" not in link  # only a path on this site is carried
    hostile = link + "?next=" + quote(target, safe="")
    browser = app.test_client()
    if browser.get(hostile).status_code == 400:
        return
    response = post_form(browser, hostile, {})
    location = response.headers["Location"]
    assert browser_destination(location) == ("http", "localhost"), location
    assert location.startswith("/sign-in")
