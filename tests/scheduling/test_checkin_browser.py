"""In a real browser (Debian's Chromium) with axe at phone and desktop widths: the coordinator's
kiosk shows the shift's QR code; the volunteer opens the code's address on their phone, checks
in and then out. Screenshots go to /work/notes/shots-checkin/ when that folder can be made."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import Personas
from tests.e2e.conftest import ALL_IMPACTS, LiveServer, axe_violations
from volunteer_hub.accounts.models import User
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.scheduling import checkin
from volunteer_hub.scheduling.models import SignUp
from volunteer_hub.volunteers.services import volunteer_for

pytestmark = pytest.mark.e2e

SHOTS = Path("/work/notes/shots-checkin")


def _look(page: Any, width: int, name: str) -> None:
    assert axe_violations(page, ALL_IMPACTS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def _signed_in(browser: Any, client: FlaskClient, server: LiveServer, width: int) -> Any:
    cookie = client.get_cookie("session")
    assert cookie is not None
    context = browser.new_context(
        viewport={"width": width, "height": 800 if width < 500 else 900}, is_mobile=width < 500
    )
    context.add_cookies([{"name": "session", "value": cookie.value, "url": server.url}])
    return context


@pytest.mark.parametrize("width", [1280, 375])
def test_volunteer_checks_in_on_a_phone_from_the_kiosk_code(
    app: Flask,
    personas: Personas,
    login: Callable[[User], FlaskClient],
    make_shift: Callable[..., Any],
    browser: Any,
    width: int,
) -> None:
    shift = make_shift(start=-1, length=3, location="Community hall")
    db.session.add(
        SignUp(
            shift_id=shift.id, volunteer_id=volunteer_for(personas.volunteer).id, status="confirmed"
        )
    )
    db.session.commit()
    server = LiveServer(app)
    app.config["BASE_URL"] = server.url
    server.start()
    kiosk = _signed_in(browser, login(personas.coordinator_a), server, width)
    phone = _signed_in(browser, login(personas.volunteer), server, width)
    try:
        page = kiosk.new_page()
        assert page.goto(f"{server.url}/shifts/{shift.id}/kiosk").status == 200
        image = page.locator("img[alt^='QR code']")
        page.wait_for_function("document.querySelector('img').naturalWidth > 0")
        expect(image).to_be_visible()
        _look(page, width, "kiosk")

        mobile = phone.new_page()
        errors: list[str] = []
        mobile.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        code = checkin.code_for(shift.id, utcnow())
        assert mobile.goto(f"{server.url}/check-in/{shift.id}/{code}").status == 200
        assert "/check-in?p=" in mobile.url
        expect(mobile.locator("#check-in-status")).to_have_text("You have a place on this shift.")
        _look(mobile, width, "check-in")
        mobile.get_by_role("button", name="Check in").click()
        mobile.wait_for_selector("text=You are checked in.")
        expect(mobile.get_by_role("button", name="Check out")).to_be_visible()
        _look(mobile, width, "checked-in")
        mobile.get_by_role("button", name="Check out").click()
        mobile.wait_for_selector("text=You are checked out.")
        _look(mobile, width, "checked-out")
        assert errors == []
        page.goto(f"{server.url}/shifts/{shift.id}")
        assert "checked in" in page.locator("label[for^='attended-']").inner_text()
        _look(page, width, "roster")

        db.session.expire_all()
        (record,) = db.session.scalars(select(HourRecord)).all()
        assert record.status == "submitted"

        expired = mobile.goto(f"{server.url}/check-in/{shift.id}/{'A' * 22}")
        assert expired is not None and expired.status == 400
        expect(mobile.locator("h1")).to_have_text("Scan the code again")
        _look(mobile, width, "expired")
    finally:
        kiosk.close()
        phone.close()
        server.stop()
