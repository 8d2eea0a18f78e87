"""Matching's pages in a real browser, checked with axe-core at every impact at phone and
desktop widths (no sideways scrolling): a coordinator's search results, a role's matches, and
a volunteer's "Recommended for you" and choices. Screenshots go to SHOTS when it exists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ALL_IMPACTS, LiveServer, axe_violations
from tests.e2e.machine_text import find_machine_text

pytestmark = pytest.mark.e2e

SHOTS = Path("/work/notes/shots-matching")


def _look(page: Any, width: int, name: str) -> None:
    assert axe_violations(page, ALL_IMPACTS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert find_machine_text(page.locator("main").inner_text()) == []
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def _open(browser: Any, server: LiveServer, client: Any, width: int) -> Any:
    cookie = client.get_cookie("session")
    assert cookie is not None
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "session", "value": cookie.value, "url": server.url}])
    return context


@pytest.mark.parametrize("width", [1280, 375])
def test_matching_pages_are_accessible(app, world, personas, login, browser, width) -> None:
    server = LiveServer(app)
    server.start()
    contexts = []
    try:
        centre = _open(browser, server, login(personas.centre), width)
        contexts.append(centre)
        page = centre.new_page()
        assert page.goto(server.url + "/matching/volunteers?skill=driving").status == 200
        expect(page.locator("h1")).to_have_text("Find volunteers")
        assert page.get_by_text("Alice Invented").count() == 1
        _look(page, width, "search-results")
        assert page.goto(server.url + "/matching/volunteers?postcode=QQ99&miles=-3").status == 400
        _look(page, width, "search-errors")
        page.goto(f"{server.url}/matching/volunteers/{world.alice.id}")
        _look(page, width, "volunteer")
        page.goto(f"{server.url}/matching/roles/{world.garden.id}")
        assert page.get_by_role("link", name="Carol Invented").count() == 1
        _look(page, width, "role-matches")
        carol = _open(browser, server, login(world.carol_user), width)
        contexts.append(carol)
        page = carol.new_page()
        assert page.goto(server.url + "/matching/recommended").status == 200
        assert page.get_by_text("Community garden helper").count() == 1
        _look(page, width, "recommended")
        page.goto(server.url + "/matching/preferences")
        _look(page, width, "preferences")
    finally:
        for context in contexts:
            context.close()
        server.stop()
