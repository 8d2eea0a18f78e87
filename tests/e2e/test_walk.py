"""The page walk: every GET route, as every demo persona, at 1280 px and 375 px, in Chromium.

The demo data (``flask demo seed``) is loaded into a live server of its own, so the other browser
tests' data stays apart. Each persona signs in once (a browser context per width, sharing the
sign-in); every route's candidate URLs (see :mod:`tests.e2e.walk`) are first requested without a
browser: a route the persona cannot reach (403, 404, a redirect to sign in) is recorded, a file
(CSV, XLSX, PDF, PNG, JSON) must not fail with a 5xx, and each page is opened in the browser at
both widths. The walk runs once per session; each test below judges one kind of problem and
fails with the full list of what it found.

Screenshots of every page (full length) are saved to ``artifacts/screenshots/<db>/<persona>/
<width>/<route>.png`` when ``SCREENSHOTS=1`` (``.ci/run`` does not: they add about 45% to the walk).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest

from tests.e2e.conftest import LiveServer, axe_violations, serving
from tests.e2e.machine_text import find_machine_text
from tests.e2e.walk import (
    DESKTOP,
    LOOK,
    PHONE,
    WATCH_CSP,
    Findings,
    Persona,
    Route,
    is_html,
    personas,
    seed_demo,
    walk_routes,
)
from volunteer_hub.accounts.demo import DEMO_ADMIN_TOTP_SECRET, DEMO_PASSWORD
from volunteer_hub.config import ROOT

pytestmark = pytest.mark.e2e

#: Pages (or files) opened per route and persona: the first reachable representative (the
#: fillers give one per organisation and status, tried in turn), enough to see each page
#: without opening every row; raising it to 2 adds about 20% to the walk's time.
PAGES_PER_ROUTE = 1

#: axe's WCAG 2.2 AA rules and its best practices (landmarks, unique region names).
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")


def _screenshots_dir(database_url: str) -> Path | None:
    if os.environ.get("SCREENSHOTS") == "1":
        kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
        return ROOT / "artifacts" / "screenshots" / kind
    return None


def _chosen_personas() -> list[Persona]:
    """Every persona, or only those named in ``WALK_PERSONAS`` (comma-separated, e.g.
    ``signed-out,volunteer``) for a quicker look while working on a page."""
    chosen = {name for name in os.environ.get("WALK_PERSONAS", "").split(",") if name}
    return [p for p in personas() if not chosen or p.name in chosen]


def _file_name(url: str) -> str:
    """``/applications/3/place`` → ``applications-3-place``; a signed link's long token is
    written "token", so names stay the same from one run to the next."""
    parts = ["token" if len(part) > 40 else part for part in url.strip("/").split("/")]
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join(parts)).strip("-")
    return (name or "home")[:150]


class _Client:
    """Requests as the persona without a browser: the live server's app in this process, with
    the browser context's cookies (many times faster than a request through the browser)."""

    def __init__(self, server: LiveServer, context: Any) -> None:
        self.client = server.app.test_client(use_cookies=False)
        self.base = server.url
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
        self.headers = {"Cookie": cookies} if cookies else {}

    def get(self, url: str) -> Any:
        return self.client.get(url, base_url=self.base, headers=self.headers)

    def head(self, url: str) -> Any:
        return self.client.head(url, base_url=self.base, headers=self.headers)


class Walker:
    def __init__(self, browser: Any, server: LiveServer, routes: list[Route], shots: Path | None):
        self.browser = browser
        self.server = server
        self.routes = routes
        self.shots = shots
        self.found = Findings()
        #: (route, width) pairs axe has judged in full (see :meth:`_look`).
        self.axed: set[tuple[str, int]] = set()

    # Signing in -------------------------------------------------------------------------------

    def _contexts(self, persona: Persona) -> tuple[Any, Any]:
        desktop = self.browser.new_context(viewport={"width": DESKTOP, "height": 900})
        desktop.add_init_script(WATCH_CSP)
        if persona.email:
            page = desktop.new_page()
            page.goto(self.server.url + "/sign-in")
            page.get_by_label("Email address").fill(persona.email)
            page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
            if "/sign-in/two-factor" in page.url:
                page.get_by_label("Code").fill(pyotp.TOTP(DEMO_ADMIN_TOTP_SECRET).now())
                page.get_by_role("button", name="Continue").click()
                page.wait_for_load_state()
            assert "/sign-in" not in page.url, f"{persona.name} could not sign in"
            page.close()
        phone = self.browser.new_context(
            viewport={"width": PHONE, "height": 740},
            is_mobile=True,
            has_touch=True,
            storage_state=desktop.storage_state(),
        )
        phone.add_init_script(WATCH_CSP)
        return desktop, phone

    # Walking ----------------------------------------------------------------------------------

    def walk(self, persona: Persona) -> None:
        started = time.monotonic()
        desktop, phone = self._contexts(persona)
        client = _Client(self.server, desktop)
        known: dict[str, int] = {}
        links: set[str] = set()
        try:
            pages = {DESKTOP: desktop.new_page(), PHONE: phone.new_page()}
            for width, page in pages.items():
                self._listen(persona, width, page)
            for route in self.routes:
                for url in self._reachable(persona, client, route, known):
                    for width, page in pages.items():
                        links |= self._look(persona, route, width, page, url)
            self._check_links(persona, client, links, known)
        finally:
            desktop.close()
            phone.close()
        self.found.seconds[persona.name] = time.monotonic() - started

    def _reachable(
        self, persona: Persona, client: _Client, route: Route, known: dict[str, int]
    ) -> list[str]:
        """The route's URLs this persona may open as pages; files (CSV, PDF, PNG…) are fetched
        and checked for 5xx; at most :data:`PAGES_PER_ROUTE` of either. The rest are recorded
        as out of reach."""
        pages: list[str] = []
        for group in route.groups:
            pages += self._reachable_in(persona, client, group, known)
        return pages

    def _reachable_in(
        self, persona: Persona, client: _Client, urls: list[str], known: dict[str, int]
    ) -> list[str]:
        pages: list[str] = []
        opened = 0
        for url in urls:
            response = client.get(url)
            status = known[url] = response.status_code
            where = f"{persona.name} {url}"
            if status >= 500:
                self.found.server_errors.append(f"{where}: {status}")
            elif status == 200 and is_html(response.content_type or ""):
                pages.append(url)
                opened += 1
            elif status == 200:
                self.found.downloads.append(f"{where}: {response.content_type}")
                opened += 1
            else:
                target = response.headers.get("Location", "")
                self.found.unreachable.append(f"{where}: {status} {target}".rstrip())
                if "/sign-in" in target:
                    break  # signing in is needed for every row alike
            if opened >= PAGES_PER_ROUTE:
                break
        return pages

    def _listen(self, persona: Persona, width: int, page: Any) -> None:
        def where() -> str:
            return f"{persona.name} {width}px {page.url.removeprefix(self.server.url)}"

        page.on(
            "console",
            lambda m: (
                self.found.console.append(f"{where()}: {m.text}") if m.type == "error" else None
            ),
        )
        page.on("pageerror", lambda e: self.found.console.append(f"{where()}: {e}"))

        def on_response(response: Any) -> None:
            if response.request.is_navigation_request():
                return
            if response.status >= 400:
                self.found.assets.append(f"{where()}: {response.status} {response.url}")

        page.on("response", on_response)
        page.on(
            "requestfailed",
            # The tab's icon is the browser's own fetch, and a progress page's status poll (a
            # script's fetch) is cut off when the walk opens the next page; Chromium reports
            # both as aborted. Every asset the page itself asks for is still judged.
            lambda r: (
                self.found.assets.append(f"{where()}: {r.failure} {r.url}")
                if not r.url.endswith("/favicon.svg")
                and not (r.resource_type in ("fetch", "xhr") and "ERR_ABORTED" in str(r.failure))
                else None
            ),
        )

    def _look(self, persona: Persona, route: Route, width: int, page: Any, url: str) -> set[str]:
        where = f"{persona.name} {width}px {url}"
        response = page.goto(self.server.url + url, wait_until="load")
        if response is None or response.status >= 500:
            self.found.server_errors.append(f"{where}: {response and response.status}")
            return set()
        self.found.visited.append(where)
        seen = page.evaluate(LOOK)
        for violation in seen["csp"]:
            self.found.console.append(f"{where}: CSP {violation}")
        if width == PHONE and seen["scrollWidth"] > PHONE:
            self.found.sideways.append(f"{where}: {seen['scrollWidth']}px wide")
        for table in seen["cut"]:
            self.found.cut_tables.append(f"{where}: {table}")
        if width == DESKTOP and seen["navRows"] > 1:
            self.found.navigation.append(f"{where}: {seen['navRows']} rows")
        if width == DESKTOP:
            for finding in find_machine_text(seen["text"]):
                self.found.machine_text.setdefault(finding, []).append(f"{persona.name} {url}")
        # axe on every page at 1280 px; at 375 px once per route (the first persona to reach
        # it): the phone layout differs from the desktop's only by CSS, which axe judges in the
        # same way on every page of a template (contrast, target size, reflow of one layout);
        # the markup a persona sees is already judged at 1280 px. Colour contrast, axe's
        # slowest rule by far, depends on the stylesheet and the template, not on who is
        # signed in: it runs once per route and width. This more than halves axe's time, the
        # walk's largest cost.
        key = (route.rule, width)
        if width == DESKTOP or key not in self.axed:
            skip = ("color-contrast",) if key in self.axed else ()
            self.axed.add(key)
            for violation in axe_violations(page, tags=AXE_TAGS, skip=skip):
                self.found.axe.append(f"{where}: {json.dumps(violation)}")
        if self.shots is not None:
            path = self.shots / persona.name / str(width) / f"{_file_name(url)}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path), full_page=True)
        return set(seen["links"])

    def _check_links(
        self, persona: Persona, client: _Client, links: set[str], known: dict[str, int]
    ) -> None:
        """Each same-origin link on the persona's pages, requested once (HEAD): none may be
        missing (404) or fail (5xx)."""
        for link in sorted(links):
            status = known.get(link)
            if status is None:
                status = known[link] = client.head(link).status_code
            if status == 404 or status >= 500:
                self.found.links.append(f"{persona.name} {link}: {status}")


@pytest.fixture(scope="module")
def walk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server of its own with the demo data."""
    with serving(tmp_path_factory.mktemp("walk"), "vh_walk", seed_demo) as server:
        yield server


@pytest.fixture(scope="module")
def walked(browser: Any, walk_server: LiveServer) -> Findings:
    app = walk_server.app
    with app.app_context():
        routes, unfilled = walk_routes(app)
    walker = Walker(
        browser, walk_server, routes, _screenshots_dir(app.config["SQLALCHEMY_DATABASE_URI"])
    )
    walker.found.unfilled = unfilled
    for persona in _chosen_personas():
        walker.walk(persona)
    found = walker.found
    if os.environ.get("WALK_DUMP"):  # everything found, as JSON, for a closer look
        Path(os.environ["WALK_DUMP"]).write_text(json.dumps(found.__dict__, indent=1), "utf-8")
    print(
        f"\nPage walk: {len(found.visited)} page views, {len(found.downloads)} files, "
        f"{len(found.unreachable)} out of reach; seconds per persona: "
        + ", ".join(f"{k} {v:.0f}" for k, v in found.seconds.items())
    )
    return found


def _fail_if_any(found: list[str]) -> None:
    """Fail with the whole list (not just the first problem), one per line."""
    if found:
        pytest.fail(f"{len(found)} found:\n" + "\n".join(found), pytrace=False)


def test_every_get_route_can_be_filled_from_the_demo_data(walked: Findings) -> None:
    """A new GET route fails here until tests/e2e/walk.py knows how to fill its arguments."""
    _fail_if_any(walked.unfilled)


def test_every_persona_reaches_pages(walked: Findings) -> None:
    for persona in _chosen_personas():
        assert any(v.startswith(persona.name + " ") for v in walked.visited), persona.name


def test_no_page_or_file_fails_with_a_server_error(walked: Findings) -> None:
    _fail_if_any(walked.server_errors)


def test_no_console_error_or_csp_violation(walked: Findings) -> None:
    _fail_if_any(walked.console)


def test_no_missing_asset(walked: Findings) -> None:
    _fail_if_any(walked.assets)


def test_no_broken_link(walked: Findings) -> None:
    _fail_if_any(walked.links)


def test_no_sideways_scrolling_on_a_phone(walked: Findings) -> None:
    _fail_if_any(walked.sideways)


def test_no_table_cut_off_without_a_scroll_hint(walked: Findings) -> None:
    _fail_if_any(walked.cut_tables)


def test_no_accessibility_violation_of_any_impact(walked: Findings) -> None:
    _fail_if_any(walked.axe)


def test_navigation_is_one_row_on_a_desktop(walked: Findings) -> None:
    _fail_if_any(walked.navigation)


def test_no_machine_written_dates_numbers_or_codes(walked: Findings) -> None:
    findings = [f"{f}\n    on {', '.join(pages[:3])}" for f, pages in walked.machine_text.items()]
    if os.environ.get("WALK_MACHINE_TEXT"):  # a file to write the list to, for fixing pages
        Path(os.environ["WALK_MACHINE_TEXT"]).write_text("\n".join(findings) + "\n", "utf-8")
    _fail_if_any(findings)
