"""In the browser, with axe, at desktop and phone widths: a supervisor records a meeting with
two actions; the volunteer sees it (never the confidential notes) and marks their action done;
a volunteer books a training session."""

from __future__ import annotations

from datetime import date, time, timedelta
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
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.supervision.models import SupervisionAction
from volunteer_hub.training.models import Booking, Course, TrainingSession

pytestmark = pytest.mark.e2e
SECRET = "Confidential: discussed a family matter"


def _context(browser: Any, width: int) -> Any:
    return browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 500)


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_supervision_meeting_with_two_actions_then_the_volunteer_marks_one_done(
    browser: Any, live_server: LiveServer, published_role: str, width: int
) -> None:
    email = f"supervised{width}@example.test"
    placement_id = _volunteer_with_placement(live_server, published_role, email)
    supervisor_context = _context(browser, width)
    supervisor = supervisor_context.new_page()
    _sign_in(supervisor, live_server, COORDINATOR, PASSWORD)
    supervisor.goto(f"{live_server.url}/placements/{placement_id}/supervision/new")
    check_accessibility(supervisor)
    met = date.today() - timedelta(days=1)
    parts = supervisor.locator("#met_on input")
    for n, value in enumerate((met.day, met.month, met.year)):
        parts.nth(n).fill(str(value))
    supervisor.get_by_label("One-to-one").check()
    supervisor.locator('input[name="wellbeing"][value="4"]').check()
    supervisor.get_by_label("What went well").fill("Great with the new members")
    supervisor.locator("#action-1").fill("Read the lone working policy")
    supervisor.locator("#due-1").fill((date.today() + timedelta(days=14)).isoformat())
    supervisor.locator("#action-2").fill("Arrange a buddy shift")
    supervisor.locator("#owner-2").select_option("supervisor")
    supervisor.get_by_label("Confidential notes").fill(SECRET)
    supervisor.get_by_role("button", name="Save the record").click()
    expect(supervisor.locator(".govuk-notification-banner")).to_contain_text("Supervision recorded")
    main = supervisor.locator("main")
    expect(main).to_contain_text("Read the lone working policy")
    expect(main).to_contain_text("Arrange a buddy shift")
    expect(main).to_contain_text(SECRET)
    check_accessibility(supervisor)
    record_url = supervisor.url
    supervisor_context.close()

    context = _context(browser, width)
    volunteer = context.new_page()
    _sign_in(volunteer, live_server, email, PASSWORD)
    volunteer.goto(record_url)
    expect(volunteer.locator("main")).to_contain_text("Read the lone working policy")
    assert SECRET not in volunteer.content()
    check_accessibility(volunteer)
    # Only their own action has a button.
    buttons = volunteer.get_by_role("button", name="Mark done")
    assert buttons.count() == 1
    buttons.first.click()
    expect(volunteer.locator(".govuk-notification-banner")).to_contain_text("Marked done")
    check_accessibility(volunteer)
    assert volunteer.evaluate("document.documentElement.scrollWidth") <= width + 1
    context.close()
    with live_server.app.app_context():
        done = {
            a.description: a.done_at is not None
            for a in db.session.scalars(
                select(SupervisionAction).where(
                    SupervisionAction.description.in_(
                        ["Read the lone working policy", "Arrange a buddy shift"]
                    )
                )
            )
        }
    assert done == {"Read the lone working policy": True, "Arrange a buddy shift": False}


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_a_volunteer_books_a_training_session(
    browser: Any, live_server: LiveServer, published_role: str, width: int
) -> None:
    email = f"trainee{width}@example.test"
    _volunteer_with_placement(live_server, published_role, email)
    title = f"Lone working {width}"
    with live_server.app.app_context():
        provider = db.session.scalar(select(Organisation).where(Organisation.slug == "e2e-river"))
        course = Course(title=title, provider_id=provider.id, duration_minutes=120, valid_months=24)
        db.session.add(course)
        db.session.flush()
        session = TrainingSession(
            course_id=course.id,
            held_on=date.today() + timedelta(days=12),
            starts_at=time(18, 30),
            place="Riverside hall",
            capacity=8,
        )
        db.session.add(session)
        db.session.commit()
        session_id = session.id
    context = _context(browser, width)
    page = context.new_page()
    _sign_in(page, live_server, email, PASSWORD)
    page.goto(f"{live_server.url}/training")
    check_accessibility(page)
    page.locator(f'a[href="/training/sessions/{session_id}"]').click()
    expect(page.locator("h1")).to_contain_text(title)
    check_accessibility(page)
    page.get_by_role("button", name="Book a place").click()
    expect(page.locator("#booking-status")).to_contain_text("You are booked on this session")
    check_accessibility(page)
    page.goto(f"{live_server.url}/my-training")
    expect(page.locator("main")).to_contain_text(title)
    check_accessibility(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    context.close()
    with live_server.app.app_context():
        statuses = db.session.scalars(
            select(Booking.status).where(Booking.session_id == session_id)
        ).all()
    assert statuses == ["booked"]
