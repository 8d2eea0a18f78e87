"""The value report in a real browser: picker, charts with tables, equality profile, downloads,
on a desktop and a phone, checked with axe."""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.e2e.conftest import LiveServer, check_accessibility
from tests.factories import PASSWORD
from volunteer_hub.accounts.models import User, UserRole
from volunteer_hub.accounts.passwords import hash_password
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.rates.services import ensure_default_rates
from volunteer_hub.volunteers.equality import EqualityAnswers
from volunteer_hub.volunteers.models import Volunteer

pytestmark = pytest.mark.e2e

EMAIL = "e2e-centre@example.test"


@pytest.fixture(scope="module")
def report_data(live_server: LiveServer) -> None:
    """14 volunteers with 5 hours each at one organisation on 2025-05-0x (70 hours)."""
    with live_server.app.app_context():
        if db.session.scalar(select(User).where(User.email == EMAIL)):
            return
        ensure_default_rates()
        user = User(
            email=EMAIL,
            name="Centre Tester",
            password_hash=hash_password(PASSWORD),
            email_verified_at=utcnow(),
        )
        db.session.add(user)
        db.session.flush()
        db.session.add(UserRole(user_id=user.id, role="centre_coordinator"))
        organisation = Organisation(name="E2E Garden Project", slug="e2e-garden", kind="vco")
        db.session.add(organisation)
        db.session.flush()
        for n in range(14):
            volunteer = Volunteer(name=f"Invented Person {n}", email=f"e2e-vol{n}@example.test")
            db.session.add(volunteer)
            db.session.flush()
            db.session.add(
                HourRecord(
                    volunteer_id=volunteer.id,
                    organisation_id=organisation.id,
                    date=date(2025, 5, 1 + n),
                    seconds=5 * 3600,
                    status="approved",
                    source="imported",
                    approved_at=utcnow(),
                )
            )
            db.session.add(
                EqualityAnswers(
                    volunteer_id=volunteer.id,
                    disability="yes" if n < 3 else "no",
                    age_band="25_34" if n < 11 else "prefer_not_to_say",
                )
            )
        db.session.commit()


WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


def _watch(page: Any) -> list[str]:
    """Console errors and failed requests, collected as the page is used (CSP violations are
    also reported on the console)."""
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    # The tab's icon is fetched by the browser itself, not the page, and Chromium may cancel that
    # fetch when the page settles (seen in CI as a flaky "request failed" on favicon.svg); the
    # page's own images are checked by their naturalWidth below.
    page.on(
        "requestfailed",
        lambda r: (
            problems.append(f"request failed: {r.url} ({r.failure})")
            if not r.url.endswith("/favicon.svg")
            else None
        ),
    )
    page.add_init_script(WATCH_CSP)
    return problems


def _sign_in(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/sign-in")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_value_report_page(
    page: Any, live_server: LiveServer, report_data: None, tmp_path: Path
) -> None:
    _sign_in(page, live_server)
    page.get_by_role("link", name="More", exact=True).click()
    page.get_by_role("link", name="Reports").click()
    check_accessibility(page)
    page.get_by_label("A quarter of a financial year").check()
    page.get_by_label("Financial year", exact=True).select_option("2025")
    page.get_by_label("Quarter", exact=True).select_option("1")
    page.get_by_role("button", name="Show report").click()
    page.wait_for_load_state()
    heading = page.locator("h2#report").inner_text()
    assert "Quarter 1 of 2025 to 2026" in heading
    body = page.locator("main").inner_text()
    # 70 h × £17.96 = £1,257.20; × £12.21 = £854.70.
    assert "1,257.20" in body and "854.70" in body and "17.96" in body
    assert page.locator("figure.vh-chart img[alt^='Bar chart']").count() >= 1
    assert "[c]" in body  # 3 disabled volunteers are hidden by disclosure control
    check_accessibility(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Spreadsheet, one sheet per table").click()
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert "Method and sources" in workbook.sheetnames

    # A PDF is made by the background job (run here, in the live server's app), then offered.
    page.get_by_role("link", name="Quarterly monitoring").click()
    page.wait_for_url("**/reports/files/*")
    assert page.locator("h1").inner_text() == "Making your report"
    from volunteer_hub.reports.jobs import build_report_files

    with live_server.app.app_context():
        assert build_report_files() == {"built": 1, "refused": 0}
    page.wait_for_selector(".govuk-panel__title", timeout=10_000)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download value-report").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    page.go_back()
    page.go_back()

    # A mistake in custom dates: the error summary, focus and no report.
    page.get_by_label("Dates I choose").check()
    page.get_by_label("From").fill("2025-06-01")
    page.get_by_label("To (included)").fill("2025-05-01")
    page.get_by_role("button", name="Show report").click()
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert page.locator("h2#report").count() == 0
    check_accessibility(page)


def test_value_report_on_a_phone(
    phone_page: Any, live_server: LiveServer, report_data: None
) -> None:
    _sign_in(phone_page, live_server)
    phone_page.goto(live_server.url + "/reports/value?period=year&year=2025")
    assert "1,257.20" in phone_page.locator("main").inner_text()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, f"page scrolls sideways on a phone: {width}px"
    check_accessibility(phone_page)


@pytest.mark.parametrize("width", [1280, 375])
def test_value_report_charts_render_under_the_csp(
    browser: Any, live_server: LiveServer, report_data: None, width: int
) -> None:
    """At desktop and phone widths: no console error or CSP violation on /reports/value, and
    every chart image loads (a blocked or broken image has naturalWidth 0)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 400)
    try:
        page = context.new_page()
        problems = _watch(page)
        _sign_in(page, live_server)
        # The page after signing in finishes loading before the report is opened, so none of
        # its requests is cut off by the next navigation; only the report page is judged.
        page.wait_for_url(lambda url: "/sign-in" not in url)
        page.wait_for_load_state("load")
        problems.clear()
        response = page.goto(live_server.url + "/reports/value?period=year&year=2025")
        assert response is not None and response.status == 200
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__cspViolations")
        assert not violations, violations
        assert not problems, problems
        images = page.locator("figure.vh-chart img")
        assert images.count() == 2  # by month and by organisation (no investment entered)
        for n in range(images.count()):
            image = images.nth(n)
            assert image.get_attribute("alt").startswith("Bar chart of approved hours")
            assert image.evaluate("i => i.complete && i.naturalWidth > 0"), image.get_attribute(
                "src"
            )
            box = image.bounding_box()
            assert box is not None and box["x"] + box["width"] <= width, "chart wider than the page"
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width + 1, f"page scrolls sideways: {scroll}px"
        check_accessibility(page)
        if os.environ.get("SCREENSHOT_DIR"):  # to look at the charts by eye
            shot = Path(os.environ["SCREENSHOT_DIR"]) / f"value-report-{width}.png"
            page.screenshot(path=str(shot), full_page=True)
    finally:
        context.close()
