"""Bulk message pages in a real browser (Debian's Chromium), checked with axe-core at every
impact at phone and desktop widths: compose, preview, send, progress (which, with JavaScript,
polls its status and shows the result once the job has run), sent messages and unsubscribe.
Screenshots go to /work/notes/shots-bulk/ when that folder exists."""

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
from tests.messaging.bulk_setup import World
from volunteer_hub.accounts.models import User
from volunteer_hub.messaging import bulk as commands
from volunteer_hub.messaging.jobs import send_bulk_messages
from volunteer_hub.volunteers.services import volunteer_for

pytestmark = pytest.mark.e2e

SHOTS = Path("/work/notes/shots-bulk")


def _look(page: Any, width: int, name: str) -> None:
    assert axe_violations(page, ALL_IMPACTS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 375])
def test_compose_preview_send_and_progress_are_accessible(
    app: Flask,
    personas: Personas,
    login: Callable[[User], FlaskClient],
    browser: Any,
    world: World,
    width: int,
) -> None:
    client = login(personas.coordinator_a)
    cookie = client.get_cookie("session")
    assert cookie is not None
    server = LiveServer(app)
    server.start()
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        context.add_cookies([{"name": "session", "value": cookie.value, "url": server.url}])
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{server.url}/shifts/{world.shift.id}")
        page.get_by_role("link", name="Message them and the waiting list").click()
        expect(page.locator("h1")).to_have_text("Message these volunteers")
        _look(page, width, "compose")
        page.get_by_role("button", name="Preview the message").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        _look(page, width, "compose-errors")
        page.get_by_label("Shift updates").check()
        page.get_by_label("Subject").fill("Saturday, {first_name}")
        page.get_by_label("Message", exact=True).fill(
            "Hello {first_name},\n\nPlease bring gloves to the {role} shift.\n\n"
            "Your next shift: {next_shift|not booked yet}."
        )
        page.get_by_role("button", name="Preview the message").click()
        expect(page.locator("h1")).to_have_text("Check your message")
        expect(page.locator("#recipient-count")).to_have_text("3 people")
        expect(page.get_by_text("Hello Asha,")).to_be_visible()
        _look(page, width, "preview")
        page.get_by_role("button", name="Send to 3 people").click()
        page.wait_for_url("**/messages/bulk/*")
        expect(page.locator("h1")).to_have_text("Sending your message")
        _look(page, width, "progress")
        page.evaluate("window.__stayed = true")
        page.wait_for_timeout(2500)
        assert page.evaluate("window.__stayed === true")  # the script, not the Refresh header
        assert send_bulk_messages()["finished"] == 1
        page.wait_for_selector(".govuk-panel__title", timeout=10_000)
        expect(page.locator(".govuk-panel__title")).to_have_text("Message sent")
        _look(page, width, "sent")
        page.goto(f"{server.url}/messages/bulk/sent")
        expect(page.locator("h1")).to_have_text("Sent messages")
        _look(page, width, "sent-list")
        token = commands.unsubscribe_token(volunteer_for(world.placed[0]).id, "shift_updates")
        anonymous = browser.new_context(viewport={"width": width, "height": 900})
        try:
            public = anonymous.new_page()
            public.goto(f"{server.url}/messages/unsubscribe/{token}")
            _look(public, width, "unsubscribe")
            public.get_by_role("button", name="Unsubscribe").click()
            expect(public.locator(".govuk-panel__title")).to_have_text("You are unsubscribed")
            _look(public, width, "unsubscribed")
        finally:
            anonymous.close()
        volunteer = login(world.placed[0]).get_cookie("session")
        assert volunteer is not None
        reader = browser.new_context(viewport={"width": width, "height": 900})
        try:
            reader.add_cookies([{"name": "session", "value": volunteer.value, "url": server.url}])
            mine = reader.new_page()
            mine.goto(f"{server.url}/messages/bulk/received")
            expect(mine.get_by_text("Saturday, Asha")).to_be_visible()
            _look(mine, width, "received")
        finally:
            reader.close()
        assert not errors, errors
    finally:
        context.close()
        server.stop()
