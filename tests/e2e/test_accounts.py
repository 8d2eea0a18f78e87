"""Register → verify (link from the outbox) → sign in → sign out, in a real browser, with axe."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import LiveServer, check_accessibility
from volunteer_hub.accounts.models import OutboxMessage
from volunteer_hub.extensions import db

pytestmark = pytest.mark.e2e


def _latest_link(server: LiveServer, email: str, kind: str) -> str:
    with server.app.app_context():
        message = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == email, OutboxMessage.kind == kind)
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert message is not None, f"no {kind} email for {email}"
        match = re.search(r"https?://\S+", message.body_text)
        assert match
        return match.group(0)


def test_register_verify_sign_in_sign_out(page: Any, live_server: LiveServer) -> None:
    email = f"e2e-{uuid.uuid4().hex[:8]}@example.org"
    password = "a walk along the canal"
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Register").first.click()
    check_accessibility(page)

    # A mistake first: the error summary appears and is accessible.
    page.get_by_label("Full name").fill("Priya Testwell")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").fill("short")
    page.get_by_role("button", name="Create account").click()
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert "Error:" in page.title()
    check_accessibility(page)

    page.get_by_label("Create a password").fill(password)
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Create account").click()
    assert page.locator("h1").inner_text() == "Check your email"
    check_accessibility(page)

    page.goto(_latest_link(live_server, email, "verify_email"))
    check_accessibility(page)
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your email address is confirmed"
    )

    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    # A volunteer lands on their volunteering; their account is one link away.
    assert page.locator("h1").inner_text() == "My volunteering"
    check_accessibility(page)
    page.goto(live_server.url + "/account")
    assert page.locator("h1").inner_text() == "Your account"
    assert email in page.locator(".govuk-summary-list").inner_text()
    check_accessibility(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    page.goto(live_server.url + "/account")
    assert page.locator("h1").inner_text() == "Sign in"


def test_sign_in_page_works_on_a_phone(phone_page: Any, live_server: LiveServer) -> None:
    phone_page.goto(live_server.url + "/sign-in")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    check_accessibility(phone_page)
