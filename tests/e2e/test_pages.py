"""The public pages in a real browser, checked with axe-core."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import LiveServer, check_accessibility

pytestmark = pytest.mark.e2e


def test_home_page_is_styled_and_accessible(page: Any, live_server: LiveServer) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text().startswith("Volunteer with")
    # The stylesheet loaded: GOV.UK typography applies the service's own font stack.
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "system-ui" in font and "GDS Transport" not in font
    # GOV.UK Frontend's JavaScript ran (module initialised) without CSP violations.
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    check_accessibility(page)
    assert not errors, errors


def test_skip_link_moves_focus_to_main_content(page: Any, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"


def test_home_page_works_on_a_phone(phone_page: Any, live_server: LiveServer) -> None:
    phone_page.goto(live_server.url + "/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the page scrolls sideways on a phone"
    check_accessibility(phone_page)


def test_error_page_is_accessible(page: Any, live_server: LiveServer) -> None:
    response = page.goto(live_server.url + "/no-such-page")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    check_accessibility(page)


@pytest.mark.parametrize("path", ["/accessibility", "/privacy"])
def test_footer_pages_are_accessible(page: Any, live_server: LiveServer, path: str) -> None:
    page.goto(live_server.url + path)
    check_accessibility(page)


def test_health_endpoint_in_browser(page: Any, live_server: LiveServer) -> None:
    response = page.goto(live_server.url + "/healthz")
    assert response.status == 200
    assert json.loads(page.inner_text("body")) == {"status": "ok", "database": "ok"}


def test_accessibility_check_fails_on_a_real_violation(page: Any) -> None:
    # Guard against a check that cannot fail: a form control with no label is a serious violation.
    page.set_content("<html lang='en'><title>t</title><main><input type='text'></main></html>")
    with pytest.raises(AssertionError, match="label"):
        check_accessibility(page)
