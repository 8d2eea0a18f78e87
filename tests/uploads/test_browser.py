"""The upload and progress pages in a real browser (Debian's Chromium), checked with axe-core
at every impact at desktop and phone widths; with JavaScript the progress page polls the
status and shows the result by itself once the job has run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Personas
from tests.e2e.conftest import ALL_IMPACTS, LiveServer, axe_violations
from tests.uploads.test_uploads import GOOD_HOURS, hours_csv, upload
from volunteer_hub.accounts.models import User
from volunteer_hub.uploads.jobs import import_one

pytestmark = pytest.mark.e2e

BAD_HOURS = hours_csv(
    "b1,volunteer@example.test,,Organisation A,,,not a date,2,no",
    "b2,volunteer@example.test,,Organisation A,,,2025-05-01,25,no",
)


def _look(page: Any, width: int) -> None:
    assert axe_violations(page, ALL_IMPACTS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 375])
def test_upload_and_progress_pages_are_accessible_and_update_themselves(
    app: Flask,
    personas: Personas,
    login: Callable[[User], FlaskClient],
    browser: Any,
    width: int,
    tmp_path: Path,
) -> None:
    client = login(personas.coordinator_a)
    cookie = client.get_cookie("session")
    assert cookie is not None
    file = tmp_path / "march-hours.csv"
    file.write_bytes(GOOD_HOURS)
    server = LiveServer(app)
    server.start()
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        context.add_cookies([{"name": "session", "value": cookie.value, "url": server.url}])
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        assert page.goto(server.url + "/imports/hours/new").status == 200
        assert page.locator("h1").inner_text() == "Import hours"
        _look(page, width)
        page.set_input_files("input[type=file]", str(file))
        page.get_by_role("button", name="Upload and import").click()
        page.wait_for_url("**/imports/*")
        assert page.locator("h1").inner_text() == "Importing march-hours.csv"
        _look(page, width)
        upload_id = int(page.url.rsplit("/", 1)[1])
        # With JavaScript the Refresh header is stopped: the script updates the page instead.
        page.evaluate("window.__stayed = true")
        page.wait_for_timeout(3000)
        assert page.evaluate("window.__stayed === true")
        assert import_one(upload_id) == "imported"
        # The script polls the JSON status and loads the result: no refresh by hand.
        page.wait_for_selector(".govuk-panel__title", timeout=10_000)
        assert page.locator(".govuk-panel__title").inner_text() == "Imported"
        _look(page, width)
        # A refused file: every line, as the command lists them.
        bad = upload(client, "hours", personas.org_a.id, BAD_HOURS)
        refused = int(bad.headers["Location"].rsplit("/", 1)[1])
        assert import_one(refused) == "refused"
        page.goto(f"{server.url}/imports/{refused}")
        assert page.locator("h1").inner_text() == "Nothing was imported"
        assert page.locator("#import-errors li").count() == 2
        _look(page, width)
        assert not errors, errors
    finally:
        context.close()
        server.stop()


def test_without_javascript_the_progress_page_refreshes_itself(
    app: Flask,
    personas: Personas,
    login: Callable[[User], FlaskClient],
    browser: Any,
) -> None:
    client = login(personas.coordinator_a)
    response = upload(client, "hours", personas.org_a.id, GOOD_HOURS)
    upload_id = int(response.headers["Location"].rsplit("/", 1)[1])
    cookie = client.get_cookie("session")
    assert cookie is not None
    server = LiveServer(app)
    server.start()
    context = browser.new_context(java_script_enabled=False)
    try:
        context.add_cookies([{"name": "session", "value": cookie.value, "url": server.url}])
        page = context.new_page()
        page.goto(f"{server.url}/imports/{upload_id}")
        assert page.locator("h1").inner_text().startswith("Importing")
        assert import_one(upload_id) == "imported"
        page.wait_for_selector(".govuk-panel__title", timeout=10_000)  # the Refresh header
    finally:
        context.close()
        server.stop()
