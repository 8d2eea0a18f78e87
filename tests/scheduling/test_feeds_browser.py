"""The month rota, the calendar link page and the move page in a real browser (Debian's
Chromium), checked with axe-core at every impact, at desktop and phone widths, with nothing
wider than the screen. Screenshots go to /work/notes/shots-feeds/ when that folder exists."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Personas
from tests.e2e.conftest import ALL_IMPACTS, LiveServer, axe_violations
from tests.helpers import post_form
from volunteer_hub.accounts.models import User
from volunteer_hub.extensions import db
from volunteer_hub.scheduling.models import Shift, SignUp
from volunteer_hub.scheduling.times import local
from volunteer_hub.volunteers.services import volunteer_for

pytestmark = pytest.mark.e2e

SHOTS = Path("/work/notes/shots-feeds")


def _look(page: Any, width: int, name: str) -> None:
    assert axe_violations(page, ALL_IMPACTS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def _open(app: Flask, client: FlaskClient, browser: Any, width: int) -> tuple[Any, Any, Any]:
    cookie = client.get_cookie("session")
    assert cookie is not None
    server = LiveServer(app)
    server.start()
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "session", "value": cookie.value, "url": server.url}])
    return server, context, context.new_page()


@pytest.mark.parametrize("width", [1280, 375])
def test_month_rota_and_move_page_are_accessible_and_fit_a_phone(
    app: Flask,
    personas: Personas,
    login: Callable[[User], FlaskClient],
    browser: Any,
    make_shift: Callable[..., Shift],
    width: int,
) -> None:
    gap = make_shift(72, capacity=3, minimum=2, location="Community hall, back entrance")
    covered = make_shift(96, capacity=1, minimum=1)
    make_shift(120, capacity=2, cancelled=True, version=2)
    db.session.add(
        SignUp(
            shift_id=covered.id,
            volunteer_id=volunteer_for(personas.volunteer).id,
            status="confirmed",
        )
    )
    db.session.commit()
    month = f"{local(gap.starts_at):%Y-%m}"
    server, context, page = _open(app, login(personas.coordinator_a), browser, width)
    try:
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        url = f"{server.url}/rota/{personas.org_a.id}/month?month={month}"
        assert page.goto(url).status == 200
        assert page.locator("h1").inner_text().startswith("Rota: ")
        assert page.get_by_text("Needs 2 more").count() >= 1
        _look(page, width, "rota-month")
        assert page.goto(f"{server.url}/shifts/{gap.id}/move").status == 200
        _look(page, width, "shift-move")
        assert not errors, errors
    finally:
        context.close()
        server.stop()


@pytest.mark.parametrize("width", [1280, 375])
def test_calendar_link_page_is_accessible_and_fits_a_phone(
    app: Flask,
    personas: Personas,
    login: Callable[[User], FlaskClient],
    browser: Any,
    width: int,
) -> None:
    client = login(personas.volunteer)
    server, context, page = _open(app, client, browser, width)
    try:
        assert page.goto(f"{server.url}/account/calendar").status == 200
        _look(page, width, "feed-none")
        post_form(client, "/account/calendar", {}, form_page="/account/calendar")
        page.goto(f"{server.url}/account/calendar")
        link = page.locator("#feed-url").input_value()
        assert "/calendar/" in link and link.endswith(".ics")
        _look(page, width, "feed")
    finally:
        context.close()
        server.stop()
