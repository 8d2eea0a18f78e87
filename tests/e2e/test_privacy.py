"""In the browser, with axe, at desktop and phone widths: a volunteer downloads their data and
withdraws a consent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import LiveServer, check_accessibility
from tests.e2e.test_recruitment import _sign_in
from tests.factories import PASSWORD
from volunteer_hub.accounts.models import ConsentRecord, User, UserRole
from volunteer_hub.accounts.passwords import hash_password
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_download_my_data_and_withdraw_a_consent(
    browser: Any, live_server: LiveServer, width: int
) -> None:
    email = f"private{width}@example.test"
    with live_server.app.app_context():
        user = User(
            email=email,
            name=f"Private Person {width}",
            password_hash=hash_password(PASSWORD),
            email_verified_at=utcnow(),
        )
        db.session.add(user)
        db.session.flush()
        db.session.add(UserRole(user_id=user.id, role="volunteer"))
        db.session.add(
            ConsentRecord(
                user_id=user.id,
                purpose="privacy_notice",
                version=live_server.app.config["PRIVACY_NOTICE_VERSION"],
                method="registration_form",
            )
        )
        db.session.commit()
        user_id = user.id
    context = browser.new_context(
        viewport={"width": width, "height": 900}, is_mobile=width < 500, accept_downloads=True
    )
    page = context.new_page()
    _sign_in(page, live_server, email, PASSWORD)
    page.goto(f"{live_server.url}/account/privacy")
    check_accessibility(page)
    page.get_by_role("button", name="Agree to photos").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Photos: agreed")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download (JSON, for computers)").click()
    download = download_info.value
    assert download.suggested_filename == "my-volunteer-hub-data.json"
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["profile"]["account"]["email"] == email
    assert {c["purpose"] for c in data["consents"]} == {"privacy_notice", "photos"}
    page.get_by_role("button", name="Withdraw photos").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Photos: withdrawn")
    check_accessibility(page)
    page.get_by_role("link", name="Read it on screen").click()
    expect(page.locator("h1")).to_contain_text("Your data")
    check_accessibility(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    context.close()
    with live_server.app.app_context():
        photos = db.session.scalar(
            select(ConsentRecord).where(
                ConsentRecord.user_id == user_id, ConsentRecord.purpose == "photos"
            )
        )
        assert photos is not None and photos.withdrawn_at is not None
