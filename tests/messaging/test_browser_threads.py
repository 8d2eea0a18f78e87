"""A volunteer replies in a thread in a real browser (Debian's Chromium), checked with axe-core
at every impact at phone and desktop widths; screenshots of the messaging pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import expect

from tests.conftest import Personas
from tests.e2e.conftest import ALL_IMPACTS, LiveServer, axe_violations
from tests.messaging.conftest import messages_in
from volunteer_hub.accounts.models import User
from volunteer_hub.recruitment.models import Application
from volunteer_hub.volunteers.services import volunteer_for

pytestmark = pytest.mark.e2e

SHOTS = Path("/work/notes/shots-messages")


def _open(browser: Any, server: LiveServer, client: FlaskClient, width: int) -> Any:
    cookie = client.get_cookie("session")
    assert cookie is not None
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "session", "value": cookie.value, "url": server.url}])
    return context


def _check(page: Any, width: int, errors: list[str], shot: str) -> None:
    assert axe_violations(page, ALL_IMPACTS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not errors, errors
    if SHOTS.parent.is_dir():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{shot}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 375])
def test_a_volunteer_replies_in_a_thread(
    app: Flask,
    personas: Personas,
    applied: Application,
    start: Any,
    login: Callable[[User], FlaskClient],
    browser: Any,
    width: int,
) -> None:
    record = volunteer_for(personas.volunteer)
    thread = start(
        personas.coordinator_a,
        record,
        f"org:{personas.org_a.id}",
        query=f"?application={applied.id}",
        subject="Your application to befriend",
        body="Thank you for applying.\nCould you come in for a chat on Tuesday at 2pm?",
    )
    server = LiveServer(app)
    server.start()
    context = _open(browser, server, login(personas.volunteer), width)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        assert page.goto(server.url + "/inbox").status == 200
        _check(page, width, errors, "inbox")
        page.get_by_role("link", name="Your application to befriend").click()
        expect(page.locator("h1")).to_have_text("Your application to befriend")
        _check(page, width, errors, "thread")
        # An empty message is a form error, linked from the error summary.
        page.get_by_role("button", name="Send").click()
        assert "Enter your message" in page.locator(".govuk-error-summary").inner_text()
        _check(page, width, errors, "thread-error")
        page.get_by_label("Your message").fill("Tuesday at 2pm suits me. See you then!")
        page.get_by_role("button", name="Send").click()
        page.get_by_text("Your message is sent.").wait_for()
        expect(page.get_by_text("Tuesday at 2pm suits me. See you then!")).to_be_visible()
        _check(page, width, errors, "thread-replied")
        assert page.goto(server.url + "/messages/preferences").status == 200
        _check(page, width, errors, "preferences")
    finally:
        context.close()
    assert [m.body for m in messages_in(thread)][-1] == "Tuesday at 2pm suits me. See you then!"
    staff = _open(browser, server, login(personas.coordinator_a), width)
    try:
        page = staff.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        assert page.goto(server.url + f"/messages/new/{record.id}").status == 200
        _check(page, width, errors, "thread-new")
        assert page.goto(server.url + f"/messages/{thread.id}").status == 200
        _check(page, width, errors, "thread-coordinator")
    finally:
        staff.close()
        server.stop()


@pytest.mark.parametrize("width", [1280, 375])
def test_time_bank_contact_pages_are_accessible(
    app: Flask,
    personas: Personas,
    bank: Any,
    login: Callable[[User], FlaskClient],
    browser: Any,
    width: int,
) -> None:
    server = LiveServer(app)
    server.start()
    member = _open(browser, server, login(personas.volunteer), width)
    try:
        page = member.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        assert page.goto(server.url + f"/timebank/listings/{bank.listing.id}/contact").status == 200
        _check(page, width, errors, "thread-contact")
        page.get_by_label("Your message").fill("Could you help on Saturday morning?")
        page.get_by_role("button", name="Send").click()
        page.get_by_text("Your message is sent.").wait_for()
        _check(page, width, errors, "thread-timebank")
    finally:
        member.close()
    coordinator = _open(browser, server, login(personas.coordinator_a), width)
    try:
        page = coordinator.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        assert page.goto(server.url + f"/timebanks/{bank.timebank.id}/contacts").status == 200
        assert "Saturday" not in page.content()
        _check(page, width, errors, "thread-contacts")
    finally:
        coordinator.close()
        server.stop()
