"""The first journey in a real browser, with axe: search → role page → register → apply; then the
coordinator takes the application to a placement. Desktop and phone widths."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import LiveServer, check_accessibility
from tests.e2e.test_accounts import _latest_link
from tests.factories import PASSWORD
from volunteer_hub.accounts.models import Membership, User, UserRole
from volunteer_hub.accounts.passwords import hash_password
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Category, Organisation
from volunteer_hub.organisations.roles import (
    approve_role,
    ensure_default_categories,
    save_role,
    submit_role,
)

pytestmark = pytest.mark.e2e

COORDINATOR = "e2e-coordinator@example.test"


@pytest.fixture(scope="module")
def published_role(live_server: LiveServer) -> str:
    """A charity in good standing with a coordinator and one published role; returns its slug."""
    with live_server.app.app_context():
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.slug == "e2e-river")
        )
        if organisation is None:
            ensure_default_categories()
            today = date.today()
            organisation = Organisation(
                name="E2E River Friends",
                slug="e2e-river",
                kind="vco",
                safeguarding_lead="Invented Lead",
                safeguarding_review_date=today + timedelta(days=100),
                insurance_expiry=today + timedelta(days=100),
            )
            centre = User(
                email="e2e-centre-2@example.test",
                name="Centre Person",
                password_hash=hash_password(PASSWORD),
                email_verified_at=utcnow(),
            )
            coordinator = User(
                email=COORDINATOR,
                name="Coordinator Person",
                password_hash=hash_password(PASSWORD),
                email_verified_at=utcnow(),
            )
            db.session.add_all([organisation, centre, coordinator])
            db.session.flush()
            db.session.add(UserRole(user_id=centre.id, role="centre_coordinator"))
            db.session.add(
                Membership(
                    user_id=coordinator.id, organisation_id=organisation.id, role="coordinator"
                )
            )
            db.session.flush()
            db.session.refresh(centre)
            category = db.session.scalar(select(Category.id).where(Category.key == "environment"))
            role = save_role(
                actor=centre,
                organisation=organisation,
                values={
                    "title": "River clean-up volunteer",
                    "purpose": "Keep the riverbank clean for wildlife and walkers.",
                    "activities": "Pick litter along the towpath with a friendly team.",
                    "commitment": "regular",
                    "hours_per_week": 2,
                    "days_and_times": "Sunday mornings",
                    "location_type": "on_site",
                    "postcode": "NB4 1RV",
                    "support_given": "A team leader at every session.",
                    "supervised_by": "Volunteer Coordinator",
                    "supervision_every_weeks": 8,
                    "expenses_policy": "Bus fares repaid with receipts.",
                    "dbs_level": "none",
                },
                category_ids=[category],
            )
            submit_role(actor=centre, role=role)
            approve_role(actor=centre, role=role, today=today)
            db.session.commit()
            return str(role.slug)
        from volunteer_hub.organisations.models import Role

        return str(
            db.session.scalar(select(Role.slug).where(Role.organisation_id == organisation.id))
        )


def _sign_in(page: Any, server: LiveServer, email: str, password: str) -> None:
    page.goto(server.url + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_find_register_apply_and_get_placed(
    browser: Any, live_server: LiveServer, published_role: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 500)
    page = context.new_page()
    page.goto(live_server.url + "/opportunities")
    check_accessibility(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    page.get_by_label("Keywords").fill("riverbank")
    page.get_by_label("Category").select_option("environment")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="River clean-up volunteer").click()
    assert "Bus fares repaid with receipts." in page.locator("main").inner_text()
    check_accessibility(page)

    # Register and confirm the email address, then come back and apply.
    email = f"e2e-{uuid.uuid4().hex[:8]}@example.org"
    password = "a walk along the canal"
    page.goto(live_server.url + "/register")
    applicant = f"Invented Applicant {width}"
    page.get_by_label("Full name").fill(applicant)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").fill(password)
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Create account").click()
    page.goto(_latest_link(live_server, email, "verify_email"))
    page.get_by_role("button", name="Confirm my email address").click()
    _sign_in(page, live_server, email, password)
    page.goto(f"{live_server.url}/opportunities/{published_role}")
    page.get_by_role("link", name="Apply for this role").click()
    check_accessibility(page)
    page.get_by_label("18 or over").check()
    page.get_by_label("Why are you interested? (optional)").fill("I walk there every week.")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Application sent")
    check_accessibility(page)

    # The coordinator, in another browser session, offers the role and places the applicant.
    other = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 500)
    coordinator = other.new_page()
    _sign_in(coordinator, live_server, COORDINATOR, PASSWORD)
    coordinator.goto(live_server.url + "/organisations/e2e-river/applicants")
    check_accessibility(coordinator)
    coordinator.get_by_role("link", name=applicant).click()
    for label, stage in (
        ("Screening (references, checks)", "screening"),
        ("Interview or informal chat", "interview"),
        ("Offer the role", "offered"),
    ):
        coordinator.get_by_label(label).check()
        coordinator.get_by_role("button", name="Move").click()
        expect(coordinator.locator(".govuk-notification-banner")).to_contain_text(
            f"Moved to {stage}"
        )
    check_accessibility(coordinator)
    coordinator.get_by_role("link", name="Place the volunteer").click()
    start = date.today() + timedelta(days=7)
    coordinator.get_by_label("Day").fill(str(start.day))
    coordinator.get_by_label("Month").fill(str(start.month))
    coordinator.get_by_label("Year").fill(str(start.year))
    coordinator.get_by_label("Named supervisor").select_option(label="Coordinator Person")
    coordinator.get_by_role("button", name="Place volunteer").click()
    expect(coordinator.locator(".govuk-notification-banner")).to_contain_text("is placed")
    check_accessibility(coordinator)
    other.close()

    # The volunteer sees the placement and agrees to the task description.
    page.goto(live_server.url + "/my-volunteering")
    page.get_by_role("link", name="River clean-up volunteer", exact=True).first.click()
    page.get_by_role("button", name="I agree to this task description").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("your agreement is recorded")
    check_accessibility(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    context.close()


def test_search_and_role_page_on_a_phone(
    phone_page: Any, live_server: LiveServer, published_role: str
) -> None:
    for path in ("/opportunities", f"/opportunities/{published_role}"):
        phone_page.goto(live_server.url + path)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 376, f"{path} scrolls sideways on a phone: {width}px"
        check_accessibility(phone_page)
