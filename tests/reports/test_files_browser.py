"""The PDF progress page in a real browser (Debian's Chromium), checked with axe-core at every
impact at desktop and phone widths: with JavaScript it polls the status and shows the download
(or the refusal) by itself once the job has run. Without JavaScript it refreshes itself (the
``Refresh`` header, checked in test_files.py; the same mechanism as the imports' page, whose
browser test runs without JavaScript)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Personas
from tests.e2e.conftest import ALL_IMPACTS, LiveServer, axe_violations
from volunteer_hub.accounts.models import User
from volunteer_hub.extensions import db
from volunteer_hub.reports.jobs import build_report_files

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("default_rates")]

SHOTS = Path("/work/notes/shots-pdfjobs")
Q1 = "period=quarter&year=2025&quarter=1"


def _look(page: Any, width: int, name: str) -> None:
    assert axe_violations(page, ALL_IMPACTS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def _browse(app: Flask, client: FlaskClient, browser: Any, **options: Any) -> tuple[Any, Any]:
    cookie = client.get_cookie("session")
    assert cookie is not None
    server = LiveServer(app)
    server.start()
    context = browser.new_context(**options)
    context.add_cookies([{"name": "session", "value": cookie.value, "url": server.url}])
    return server, context


@pytest.mark.parametrize("width", [1280, 375])
def test_the_progress_page_is_accessible_and_offers_the_download(
    app: Flask,
    hours: None,
    personas: Personas,
    login: Callable[[User], FlaskClient],
    browser: Any,
    width: int,
) -> None:
    server, context = _browse(
        app, login(personas.centre), browser, viewport={"width": width, "height": 900}
    )
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{server.url}/reports/value?{Q1}")
        page.get_by_role("link", name="Designed report (PDF)").click()
        page.wait_for_url("**/reports/files/*")
        assert page.locator("h1").inner_text() == "Making your report"
        _look(page, width, "report-file-waiting")
        # With JavaScript the Refresh header is stopped: the script updates the page instead.
        page.evaluate("window.__stayed = true")
        page.wait_for_timeout(3000)
        assert page.evaluate("window.__stayed === true")
        assert build_report_files() == {"built": 1, "refused": 0}
        page.wait_for_selector(".govuk-panel__title", timeout=10_000)
        assert page.locator(".govuk-panel__title").inner_text() == "Your report is ready"
        _look(page, width, "report-file-ready")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download value-report-all").click()
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
        assert not errors, errors
    finally:
        context.close()
        server.stop()


def test_a_refused_report_says_why(
    app: Flask,
    hours: None,
    personas: Personas,
    login: Callable[[User], FlaskClient],
    browser: Any,
) -> None:
    client = login(personas.partner)
    url = f"/reports/value/download/pdf?{Q1}&organisation={personas.org_b.id}"
    db.session.rollback()  # no transaction left open here while the server writes (SQLite)
    server, context = _browse(app, client, browser, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        response = page.goto(server.url + url)
        assert response is not None and response.headers.get("refresh") == "2"
        assert page.locator("h1").inner_text() == "Making your report"
        assert build_report_files() == {"built": 0, "refused": 1}
        page.wait_for_selector("text=This report cannot be released", timeout=10_000)
        assert "fewer than 10 active volunteers" in page.locator("main").inner_text()
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            _look(page, width, "report-file-refused")
    finally:
        context.close()
        server.stop()
