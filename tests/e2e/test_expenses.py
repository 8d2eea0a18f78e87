"""In the browser, with axe, at desktop and phone widths: a volunteer claims mileage and a bus
fare with a receipt photo; the coordinator part-approves, batches and marks paid; the volunteer
downloads their mileage statement."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import LiveServer, check_accessibility
from tests.e2e.test_hours import _volunteer_with_placement
from tests.e2e.test_recruitment import COORDINATOR, _sign_in
from tests.e2e.test_recruitment import published_role as published_role
from tests.factories import PASSWORD
from volunteer_hub.expenses.mileage import tax_year_of
from volunteer_hub.expenses.models import ExpenseClaim
from volunteer_hub.extensions import db

pytestmark = pytest.mark.e2e


def _context(browser: Any, width: int) -> Any:
    return browser.new_context(
        viewport={"width": width, "height": 900}, is_mobile=width < 500, accept_downloads=True
    )


def _photo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), "white").save(buffer, format="JPEG")
    return buffer.getvalue()


def _fill_date(page: Any, day: date) -> None:
    parts = page.locator("#day input")
    for n, value in enumerate((day.day, day.month, day.year)):
        parts.nth(n).fill(str(value))


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_claim_mileage_and_a_bus_fare_then_part_approve_batch_pay_and_download_statement(
    browser: Any, live_server: LiveServer, published_role: str, width: int, tmp_path: Path
) -> None:
    live_server.app.config["RECEIPT_FOLDER"] = str(tmp_path / "receipts")
    email = f"claimant{width}@example.test"
    _volunteer_with_placement(live_server, published_role, email)
    yesterday = date.today() - timedelta(days=1)

    context = _context(browser, width)
    page = context.new_page()
    _sign_in(page, live_server, email, PASSWORD)
    page.goto(f"{live_server.url}/expenses")
    check_accessibility(page)
    page.get_by_role("button", name="Start a claim").click()
    expect(page.locator("h1")).to_contain_text("Expenses claim")
    check_accessibility(page)
    page.get_by_label("Type of expense").select_option("car_mileage")
    _fill_date(page, yesterday)
    page.get_by_label("Description").fill("Drive to the river clean-up")
    page.get_by_label("Miles (mileage only)").fill("10")
    page.get_by_label("Start postcode (mileage only)").fill("AB1 2CD")
    page.get_by_label("End postcode (mileage only)").fill("AB3 4EF")
    page.get_by_role("button", name="Add the item").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Item added")
    page.get_by_label("Type of expense").select_option("public_transport")
    _fill_date(page, yesterday)
    page.get_by_label("Description").fill("Bus fare home")
    page.get_by_label("Amount in pounds (not for mileage)").fill("3.40")
    page.get_by_role("button", name="Add the item").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Item added")
    page.get_by_label("Receipt for Bus fare home (a photo or PDF)").set_input_files(
        files=[{"name": "bus-ticket.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    page.get_by_role("button", name="Attach the receipt for Bus fare home").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Receipt attached")
    expect(page.locator("main")).to_contain_text("Receipt: bus-ticket.jpg")
    check_accessibility(page)
    page.get_by_role("button", name="Submit the claim").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Claim submitted")
    claim_url = page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    context.close()

    coordinator_context = _context(browser, width)
    coordinator = coordinator_context.new_page()
    _sign_in(coordinator, live_server, COORDINATOR, PASSWORD)
    coordinator.goto(f"{live_server.url}/expenses/approvals")
    check_accessibility(coordinator)
    coordinator.goto(claim_url)
    check_accessibility(coordinator)
    coordinator.get_by_role("group", name="Decision on Drive to the river clean-up").get_by_label(
        "Approve in full"
    ).check()
    coordinator.get_by_role("group", name="Decision on Bus fare home").get_by_label(
        "Part approve"
    ).check()
    coordinator.locator("input[id^=amount-]").nth(1).fill("2.00")
    coordinator.locator("input[id^=reason-]").nth(1).fill("Single fare only")
    coordinator.get_by_role("button", name="Record the decision").click()
    expect(coordinator.locator(".govuk-notification-banner")).to_contain_text("Decision recorded")
    expect(coordinator.locator("main")).to_contain_text("Part approved")
    coordinator.goto(f"{live_server.url}/expenses/approvals")
    coordinator.get_by_role("button", name="Check a payment batch").click()
    expect(coordinator.locator("h1")).to_contain_text("Check the payment batch")
    expect(coordinator.locator("main")).to_contain_text("£6.50 in total")
    check_accessibility(coordinator)
    coordinator.get_by_role("button", name="Make the payment batch").click()
    expect(coordinator.locator("h1")).to_contain_text("Payment batch")
    check_accessibility(coordinator)
    with coordinator.expect_download() as download:
        coordinator.get_by_role("link", name="CSV").click()
    assert "6.50" in Path(download.value.path()).read_text(encoding="utf-8")
    parts = coordinator.locator("#paid_on input")
    for n, value in enumerate((date.today().day, date.today().month, date.today().year)):
        parts.nth(n).fill(str(value))
    coordinator.get_by_role("button", name="Mark the batch paid").click()
    expect(coordinator.locator(".govuk-notification-banner")).to_contain_text("marked paid")
    check_accessibility(coordinator)
    coordinator_context.close()

    context = _context(browser, width)
    page = context.new_page()
    _sign_in(page, live_server, email, PASSWORD)
    page.goto(f"{live_server.url}/expenses")
    expect(page.locator("main")).to_contain_text("Paid")
    check_accessibility(page)
    year = tax_year_of(yesterday)
    with page.expect_download() as download:
        page.locator(f"a[href$='/expenses/statement/{year}.pdf']").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    with page.expect_download() as download:
        page.locator(f"a[href$='/expenses/statement/{year}.csv']").click()
    statement = Path(download.value.path()).read_text(encoding="utf-8")
    assert "4.50" in statement and "AB1 2CD" in statement
    context.close()
    with live_server.app.app_context():
        claim = db.session.scalar(
            select(ExpenseClaim)
            .join(ExpenseClaim.volunteer)
            .where(ExpenseClaim.volunteer.has(email=email))
        )
        assert claim is not None and claim.status == "paid" and claim.decided_pence == 650
