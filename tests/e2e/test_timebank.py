"""In the browser, with axe, at desktop and phone widths: a member posts an offer, another asks
for it, they agree, record and confirm an exchange, and both statements show it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import LiveServer, check_accessibility
from tests.e2e.test_recruitment import _sign_in
from tests.factories import PASSWORD
from volunteer_hub.accounts.models import User, UserRole
from volunteer_hub.accounts.passwords import hash_password
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.timebank.models import Account, TimeBank
from volunteer_hub.timebank.services import DEFAULT_TERMS, pot_of

pytestmark = pytest.mark.e2e


def _members(server: LiveServer, width: int) -> tuple[int, str, str]:
    with server.app.app_context():
        timebank = TimeBank(name=f"E2E Time Bank {width}", terms=DEFAULT_TERMS)
        db.session.add(timebank)
        db.session.flush()
        pot_of(timebank)
        emails = []
        for who in ("offerer", "asker"):
            email = f"{who}{width}@example.test"
            user = User(
                email=email,
                name=f"{who.capitalize()} {width}",
                password_hash=hash_password(PASSWORD),
                email_verified_at=utcnow(),
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(UserRole(user_id=user.id, role="volunteer"))
            db.session.add(
                Account(
                    timebank_id=timebank.id,
                    kind="person",
                    user_id=user.id,
                    name=user.name,
                    email=email,
                    area="NB1",
                    status="approved",
                    approved_at=utcnow(),
                )
            )
            emails.append(email)
        db.session.commit()
        return timebank.id, emails[0], emails[1]


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_offer_request_exchange_and_both_statements(
    browser: Any, live_server: LiveServer, width: int
) -> None:
    timebank_id, offerer_email, asker_email = _members(live_server, width)
    url = live_server.url
    offerer_context = browser.new_context(
        viewport={"width": width, "height": 900}, is_mobile=width < 500
    )
    offerer = offerer_context.new_page()
    _sign_in(offerer, live_server, offerer_email, PASSWORD)
    offerer.goto(f"{url}/timebanks/{timebank_id}/listings/new")
    check_accessibility(offerer)
    offerer.get_by_label("I can offer help").check()
    offerer.get_by_label("Category").select_option("shopping")
    offerer.get_by_label("Title").fill(f"Shopping on Tuesdays {width}")
    offerer.get_by_label("Postcode district").fill("NB1")
    offerer.get_by_role("button", name="Post it").click()
    expect(offerer.locator("h1")).to_contain_text(f"Shopping on Tuesdays {width}")
    listing_url = offerer.url
    check_accessibility(offerer)

    asker_context = browser.new_context(
        viewport={"width": width, "height": 900}, is_mobile=width < 500
    )
    asker = asker_context.new_page()
    _sign_in(asker, live_server, asker_email, PASSWORD)
    asker.goto(f"{url}/timebanks/{timebank_id}/listings?q=Shopping")
    check_accessibility(asker)
    asker.get_by_role("link", name=f"Shopping on Tuesdays {width}").click()
    asker.get_by_label("Ask for this help").fill("Could you help me this week?")
    asker.get_by_role("button", name="Respond").click()
    expect(asker.locator(".govuk-notification-banner")).to_contain_text("Sent")
    assert offerer_email not in asker.content()

    offerer.goto(listing_url)
    offerer.get_by_role("button", name="Agree and share contact details").click()
    expect(offerer.locator("main")).to_contain_text(asker_email)
    check_accessibility(offerer)

    asker.goto(f"{url}/timebanks/{timebank_id}/exchanges/new")
    check_accessibility(asker)
    asker.get_by_label("I received help").check()
    asker.get_by_label("The other member").select_option(label=f"Offerer {width} (NB1)")
    day = date.today() - timedelta(days=1)
    parts = asker.locator("#done_on input")
    for n, value in enumerate((day.day, day.month, day.year)):
        parts.nth(n).fill(str(value))
    asker.get_by_label("Hours").fill("1.5")
    asker.get_by_label("What was done").fill("Weekly shopping")
    asker.get_by_role("button", name="Record the exchange").click()
    expect(asker.locator(".govuk-notification-banner")).to_contain_text("asked to confirm")
    check_accessibility(asker)

    offerer.goto(f"{url}/timebanks/{timebank_id}")
    offerer.get_by_role("button", name="Confirm").click()
    expect(offerer.locator(".govuk-notification-banner")).to_contain_text("Confirmed")
    expect(offerer.locator(".vh-balance")).to_contain_text("1.5 hours")
    check_accessibility(offerer)

    for page, sign in ((offerer, "+1.5 hours"), (asker, "-1.5 hours")):
        page.goto(f"{url}/timebanks/{timebank_id}")
        page.get_by_role("link", name="Your full statement").click()
        expect(page.locator("table")).to_contain_text("Weekly shopping")
        expect(page.locator("table")).to_contain_text(sign)
        check_accessibility(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    with live_server.app.app_context():
        balances = sorted(
            db.session.scalars(
                select(Account.balance_minutes).where(
                    Account.timebank_id == timebank_id, Account.kind == "person"
                )
            )
        )
    assert balances == [-90, 90]
    offerer_context.close()
    asker_context.close()
