"""In a real browser (Debian's Chromium), checked with axe-core at every impact at desktop and
phone widths: an applicant at the interview stage chooses a time and sees it on their
application; the coordinator sees who booked which slot. Screenshots go to
``/work/notes/shots-interviews/`` when that folder exists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import expect

from tests.conftest import Personas
from tests.e2e.conftest import ALL_IMPACTS, LiveServer, axe_violations
from volunteer_hub.accounts.models import User
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Role
from volunteer_hub.recruitment.models import Application
from volunteer_hub.scheduling.models import InterviewSlot
from volunteer_hub.volunteers.services import volunteer_for

pytestmark = pytest.mark.e2e

SHOTS = Path("/work/notes/shots-interviews")


def _look(page: Any, width: int, name: str) -> None:
    assert axe_violations(page, ALL_IMPACTS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def _setup(personas: Personas) -> tuple[Role, Application, list[InterviewSlot]]:
    role = Role(organisation_id=personas.org_a.id, title="Garden volunteer")
    db.session.add(role)
    db.session.flush()
    application = Application(
        volunteer_id=volunteer_for(personas.volunteer).id,
        role_id=role.id,
        organisation_id=role.organisation_id,
        stage="interview",
    )
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=4)
    slots = [
        InterviewSlot(
            role_id=role.id,
            starts_at=start + timedelta(hours=n),
            minutes=45,
            place="Meeting room 2, Community hall" if n < 2 else None,
            video_url=None if n < 2 else "https://meet.example.org/garden-interviews-2027",
        )
        for n in range(3)
    ]
    db.session.add_all([application, *slots])
    db.session.commit()
    return role, application, slots


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


@pytest.mark.parametrize("width", [1280, 375])
def test_an_applicant_books_an_interview_slot(
    app: Flask,
    personas: Personas,
    login: Callable[[User], FlaskClient],
    browser: Any,
    width: int,
) -> None:
    role, application, slots = _setup(personas)
    applicant = _cookie(login(personas.volunteer))
    coordinator = _cookie(login(personas.coordinator_a))
    server = LiveServer(app)
    server.start()
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        context.add_cookies([{"name": "session", "value": applicant, "url": server.url}])
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        assert page.goto(f"{server.url}/applications/{application.id}").status == 200
        _look(page, width, "application-before")
        page.get_by_role("link", name="Choose an interview time").click()
        page.wait_for_url(f"**/applications/{application.id}/interview")
        expect(page.locator("h1")).to_have_text("Choose an interview time")
        _look(page, width, "choose")
        # Sending without a choice is an error on the page, linked from the summary.
        page.get_by_role("button", name="Book this time").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        _look(page, width, "choose-error")
        errors.clear()  # the form error's page is a 400, as it should be
        page.locator(f'input[name="slot"][value="{slots[1].id}"]').check()
        page.get_by_role("button", name="Book this time").click()
        page.wait_for_url(f"**/applications/{application.id}")
        main = page.locator("main").inner_text()
        assert "Your interview is booked" in main
        assert "Meeting room 2, Community hall" in main
        _look(page, width, "application-booked")
        context.clear_cookies()
        context.add_cookies([{"name": "session", "value": coordinator, "url": server.url}])
        page.goto(f"{server.url}/roles/{role.id}/interviews")
        assert personas.volunteer.name in page.locator("main").inner_text()
        _look(page, width, "coordinator-slots")
        assert not errors, errors
    finally:
        context.close()
        server.stop()
