"""In the browser, with axe: a volunteer logs a week of hours; the supervisor approves them in
bulk; they count in the organisation's value report. Desktop and phone widths."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import LiveServer, check_accessibility
from tests.e2e.test_recruitment import COORDINATOR, _sign_in
from tests.e2e.test_recruitment import published_role as published_role
from tests.factories import PASSWORD
from volunteer_hub.accounts.models import User, UserRole
from volunteer_hub.accounts.passwords import hash_password
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Role
from volunteer_hub.organisations.roles import latest_version
from volunteer_hub.placements.models import Placement
from volunteer_hub.rates.services import ensure_default_rates
from volunteer_hub.volunteers.services import volunteer_for

pytestmark = pytest.mark.e2e


def _volunteer_with_placement(server: LiveServer, slug: str, email: str) -> int:
    with server.app.app_context():
        ensure_default_rates()
        user = User(
            email=email,
            name=f"Weekly {email[:6]}",
            password_hash=hash_password(PASSWORD),
            email_verified_at=utcnow(),
        )
        db.session.add(user)
        db.session.flush()
        db.session.add(UserRole(user_id=user.id, role="volunteer"))
        role = db.session.scalar(select(Role).where(Role.slug == slug))
        supervisor = db.session.scalar(select(User).where(User.email == COORDINATOR))
        placement = Placement(
            volunteer_id=volunteer_for(user).id,
            role_id=role.id,
            organisation_id=role.organisation_id,
            role_version_id=latest_version(role).id,
            supervisor_id=supervisor.id,
            start_date=date.today() - timedelta(days=60),
        )
        db.session.add(placement)
        db.session.commit()
        return placement.id


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_log_a_week_and_approve_in_bulk(
    browser: Any, live_server: LiveServer, published_role: str, width: int
) -> None:
    email = f"week{width}@example.test"
    placement_id = _volunteer_with_placement(live_server, published_role, email)
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 500)
    page = context.new_page()
    _sign_in(page, live_server, email, PASSWORD)
    monday = date.today() - timedelta(days=date.today().weekday() + 7)
    page.goto(f"{live_server.url}/placements/{placement_id}/hours/week?start={monday.isoformat()}")
    check_accessibility(page)
    for offset, hours in ((0, "2"), (2, "3"), (4, "1")):
        day = monday + timedelta(days=offset)
        page.get_by_label(f"Hours on {day:%A %-d %B}").select_option(hours)
    page.get_by_role("button", name="Log this week").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Logged 3 day(s)")
    check_accessibility(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1

    supervisor = browser.new_context(
        viewport={"width": width, "height": 900}, is_mobile=width < 500
    ).new_page()
    _sign_in(supervisor, live_server, COORDINATOR, PASSWORD)
    supervisor.goto(f"{live_server.url}/hours/approvals?volunteer=Weekly+{email[:6]}")
    check_accessibility(supervisor)
    boxes = supervisor.locator('input[name="record"]')
    assert boxes.count() == 3
    # "Select all" (JavaScript, a GOV.UK Frontend component) ticks every box on the page; one
    # box unticked leaves it part-ticked.
    select_all = supervisor.get_by_label("Select all 3 shown")
    select_all.check()
    for n in range(3):
        expect(boxes.nth(n)).to_be_checked()
    boxes.nth(1).uncheck()
    assert select_all.evaluate("box => box.indeterminate") and not select_all.is_checked()
    select_all.check()
    expect(boxes.nth(1)).to_be_checked()
    supervisor.get_by_role("button", name="Approve chosen").click()
    expect(supervisor.locator(".govuk-notification-banner")).to_contain_text("3 records approved")
    check_accessibility(supervisor)
    # The approved hours count in the organisation's value report at once.
    with live_server.app.app_context():
        from volunteer_hub.hours.models import HourRecord

        statuses = db.session.scalars(
            select(HourRecord.status).where(HourRecord.placement_id == placement_id)
        ).all()
    assert statuses == ["approved"] * 3
    sunday = monday + timedelta(days=6)
    supervisor.goto(f"{live_server.url}/reports/value?period=custom&start={monday}&end={sunday}")
    assert "Approved hours" in supervisor.locator("main").inner_text()
    context.close()
