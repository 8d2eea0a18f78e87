"""In the browser, with axe, at desktop and phone widths: a placed volunteer finds a shift on
the role page, signs up and sees it in "My shifts"; the coordinator sees the rota with the gap
and marks attendance on a past shift's roster."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import LiveServer, check_accessibility
from tests.e2e.test_hours import _volunteer_with_placement
from tests.e2e.test_recruitment import COORDINATOR, _sign_in
from tests.e2e.test_recruitment import published_role as published_role
from tests.factories import PASSWORD
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.organisations.models import Role
from volunteer_hub.placements.models import Placement
from volunteer_hub.scheduling.models import Shift, SignUp

pytestmark = pytest.mark.e2e


def _context(browser: Any, width: int) -> Any:
    return browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 500)


def _shifts(slug: str, placement_id: int, width: int) -> tuple[int, int, int]:
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    role = db.session.scalar(select(Role).where(Role.slug == slug))
    upcoming = Shift(
        role_id=role.id,
        starts_at=now + timedelta(days=3, hours=width // 100),
        ends_at=now + timedelta(days=3, hours=width // 100 + 2),
        location=f"Boathouse {width}",
        capacity=3,
        minimum=2,
        who="placed",
    )
    past = Shift(
        role_id=role.id,
        starts_at=now - timedelta(days=2, hours=width // 100),
        ends_at=now - timedelta(days=2, hours=width // 100 - 2),
        capacity=2,
        who="placed",
    )
    db.session.add_all([upcoming, past])
    db.session.flush()
    volunteer_id = db.session.get(Placement, placement_id).volunteer_id
    signup = SignUp(shift_id=past.id, volunteer_id=volunteer_id, status="confirmed")
    db.session.add(signup)
    db.session.commit()
    return upcoming.id, past.id, role.organisation_id


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_volunteer_signs_up_and_coordinator_marks_attendance(
    browser: Any, live_server: LiveServer, published_role: str, width: int
) -> None:
    email = f"rota{width}@example.test"
    placement_id = _volunteer_with_placement(live_server, published_role, email)
    with live_server.app.app_context():
        upcoming_id, past_id, organisation_id = _shifts(published_role, placement_id, width)
    context = _context(browser, width)
    page = context.new_page()
    _sign_in(page, live_server, email, PASSWORD)
    page.goto(f"{live_server.url}/opportunities/{published_role}")
    expect(page.locator("main")).to_contain_text("Upcoming shifts")
    check_accessibility(page)
    page.locator(f'a[href="/shifts/{upcoming_id}"]').click()
    check_accessibility(page)
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#signup-status")).to_contain_text("You have a place on this shift")
    check_accessibility(page)
    page.goto(f"{live_server.url}/my-shifts")
    expect(page.locator("main")).to_contain_text(f"Boathouse {width}")
    check_accessibility(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    context.close()

    context = _context(browser, width)
    coordinator = context.new_page()
    _sign_in(coordinator, live_server, COORDINATOR, PASSWORD)
    coordinator.goto(f"{live_server.url}/rota/{organisation_id}")
    check_accessibility(coordinator)
    coordinator.goto(f"{live_server.url}/shifts/{past_id}")
    check_accessibility(coordinator)
    coordinator.locator('input[name="attended"]').first.check()
    coordinator.get_by_role("button", name="Save attendance").click()
    expect(coordinator.locator(".govuk-notification-banner")).to_contain_text("Attendance saved")
    check_accessibility(coordinator)
    assert coordinator.evaluate("document.documentElement.scrollWidth") <= width + 1
    context.close()
    with live_server.app.app_context():
        record_id = db.session.scalar(
            select(SignUp.hour_record_id).where(SignUp.shift_id == past_id)
        )
        assert db.session.get(HourRecord, record_id).status == "approved"
