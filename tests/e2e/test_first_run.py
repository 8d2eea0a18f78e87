"""A newcomer on a phone, from a role page to a sent application, with the verification email
delivered through the real outbox: Apply → Create an account → the link in the email → sign in
→ back on the role → apply → the application."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import LiveServer, check_accessibility
from tests.e2e.test_recruitment import published_role  # noqa: F401 - the shared fixture
from volunteer_hub.accounts import outbox
from volunteer_hub.accounts.models import OutboxMessage
from volunteer_hub.extensions import db

pytestmark = pytest.mark.e2e


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 376, f"{page.url} scrolls sideways on a phone: {width}px"


def _delivered_verification_link(server: LiveServer, email: str) -> str:
    """Send what the outbox holds (as the worker `make run` starts does) and take the link from
    the email that went out to ``email``."""
    with server.app.app_context():
        outbox.send_due()
        message = db.session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == email, OutboxMessage.kind == "verify_email")
            .order_by(OutboxMessage.id.desc())
        )
        assert message is not None and message.status == "sent"
        links = outbox.links_in(message.body_text)
        db.session.remove()
    assert links and links[0].startswith(server.url + "/verify-email/"), links
    return links[0]


def test_a_newcomer_registers_from_a_role_and_applies_on_a_phone(
    phone_page: Any,
    live_server: LiveServer,
    published_role: str,  # noqa: F811
) -> None:
    page = phone_page
    role_path = f"/opportunities/{published_role}"
    page.goto(live_server.url + role_path)
    page.get_by_role("link", name="Apply for this role").click()

    # Not signed in: the sign-in page, which offers to create an account and keeps the role.
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    _no_sideways_scroll(page)
    check_accessibility(page)
    email = f"newcomer-{uuid.uuid4().hex[:8]}@example.org"
    password = "a walk along the canal"
    page.get_by_label("Full name").fill("Invented Newcomer")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").fill(password)
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    # The email arrives (through the outbox); its link confirms the address.
    page.goto(_delivered_verification_link(live_server, email))
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("confirmed")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()

    # Back on the role, applying.
    assert page.url == f"{live_server.url}{role_path}/apply"
    expect(page.locator("main")).to_contain_text("River clean-up volunteer")
    _no_sideways_scroll(page)
    check_accessibility(page)
    page.get_by_label("18 or over").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Application sent")
    expect(page.locator("main")).to_contain_text("River clean-up volunteer")
    _no_sideways_scroll(page)
    check_accessibility(page)

    # And it is there under My volunteering.
    page.goto(live_server.url + "/my-volunteering")
    expect(page.locator("main")).to_contain_text("River clean-up volunteer")
