"""The jobs page in a real browser (Debian's Chromium), checked with axe-core at every impact,
at desktop and phone widths, with a failure listed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.accounts.conftest import Personas
from tests.e2e.conftest import ALL_IMPACTS, LiveServer, axe_violations
from volunteer_hub.accounts.models import User
from volunteer_hub.jobs.queue import JOBS, Job, run_recorded

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 375])
def test_the_jobs_page_is_accessible_and_fits_a_phone(
    app: Flask,
    personas: Personas,
    login: Callable[[User], FlaskClient],
    browser: Any,
    width: int,
) -> None:
    client = login(personas.admin)
    run_recorded(JOBS["reminders"])

    def broken() -> dict[str, int]:
        raise RuntimeError("connection refused by smtp.example.org:25 " + "x" * 120)

    with pytest.raises(RuntimeError):
        run_recorded(Job(name="retention", function=broken))
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
        response = page.goto(server.url + "/admin/jobs")
        assert response.status == 200
        assert page.locator("h1").inner_text() == "Background jobs"
        assert axe_violations(page, ALL_IMPACTS) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert not errors, errors
    finally:
        context.close()
        server.stop()
