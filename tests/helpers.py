"""Helpers shared by tests."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    if not match:
        raise AssertionError("no CSRF token on the page")
    return match.group(1) or match.group(2)


def post_form(
    client: FlaskClient,
    url: str,
    data: dict[str, Any],
    *,
    form_page: str | None = None,
    follow_redirects: bool = False,
) -> TestResponse:
    """GET the page holding the form (``form_page`` or ``url``), then POST with its CSRF token."""
    page = client.get(form_page or url)
    assert page.status_code == 200, f"form page {form_page or url} answered {page.status_code}"
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=follow_redirects)
