"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

Never downloads a browser. With ``REQUIRE_BROWSER=1`` (set by ``.ci/run``) a missing Chromium
fails the run instead of skipping it.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import base_config, discard_database, new_database_url
from volunteer_hub import create_app
from volunteer_hub.config import ROOT
from volunteer_hub.extensions import db

CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = pytest.mark.e2e


def _require_or_skip(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required but cannot run: {reason}")
    pytest.skip(reason)


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serving(tmp_path_factory.mktemp("e2e"), "vh_e2e") as server:
        yield server


@contextmanager
def serving(
    folder: Path, prefix: str, seed: Callable[[], object] | None = None
) -> Iterator[LiveServer]:
    """A live server on a database of its own (seeded by ``seed`` in the app context), thrown
    away afterwards."""
    url = new_database_url(folder, prefix=prefix)
    app = create_app({**base_config(url), "TESTING": False, "PROPAGATE_EXCEPTIONS": False})
    with app.app_context():
        db.create_all()
        if seed is not None:
            seed()
    server = LiveServer(app)
    app.config["BASE_URL"] = server.url
    server.start()
    try:
        yield server
    finally:
        server.stop()
        with app.app_context():
            db.engine.dispose()
        discard_database(url)


def launch_browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright, for the session-wide ``browser`` fixture in
    ``tests/conftest.py``: one Playwright per test session (a second one in the same thread
    fails), shared by the browser tests in every folder."""
    if not Path(CHROMIUM).exists():
        _require_or_skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    if not AXE.exists():
        _require_or_skip(f"{AXE} is missing (npm ci)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    yield page
    context.close()


#: Every impact axe reports; the page walk fails on any of them.
ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


#: WCAG 2.2 AA rules; the page walk adds axe's best practices (landmarks, unique regions).
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")


def axe_violations(
    page: Any,
    impacts: tuple[str, ...] = ALL_IMPACTS,
    tags: tuple[str, ...] = WCAG_TAGS,
    skip: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """axe-core's violations on the page of the given impacts and rule tags (less the rules in
    ``skip``), in short form."""
    # Evaluated through the DevTools protocol, which the page's CSP (rightly) does not allow
    # for inline <script> tags; the page's own scripts stay under the CSP.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    results = page.evaluate(
        """async ([tags, skip]) => await axe.run(document, {
            runOnly: {type: 'tag', values: tags},
            rules: Object.fromEntries(skip.map((id) => [id, {enabled: false}])),
            resultTypes: ['violations'],
        })""",
        [list(tags), list(skip)],
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]],
        }
        for v in results["violations"]
        if v["impact"] in impacts
    ]


def check_accessibility(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> None:
    """Inject axe-core and fail on any violation of the given impacts (by default serious or
    critical; the page walk uses every impact)."""
    found = axe_violations(page, impacts)
    assert not found, json.dumps(found, indent=2)
