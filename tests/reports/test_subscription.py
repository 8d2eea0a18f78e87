"""Partners subscribe to the quarterly report: when a quarter closes it is emailed through the
outbox as a signed, expiring link to the PDF, once per quarter.

Data: ``hours`` (tests/reports/conftest.py): 150 hours in Q1 of 2025/26."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from tests.helpers import post_form
from volunteer_hub.accounts.models import OutboxMessage
from volunteer_hub.extensions import db
from volunteer_hub.reports.models import QuarterlyDelivery, QuarterlySubscription
from volunteer_hub.reports.subscriptions import Quarter, last_closed_quarter, make_link_token

pytestmark = pytest.mark.usefixtures("default_rates")


def _emails() -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "quarterly_report"))
    )


def _send(runner, today: str) -> str:
    result = runner.invoke(args=["report", "send-quarterly", "--today", today])
    assert result.exit_code == 0, result.output
    return result.output


def test_last_closed_quarter() -> None:
    from datetime import date

    assert last_closed_quarter(date(2025, 7, 1)) == Quarter(2025, 1)
    assert last_closed_quarter(date(2025, 6, 30)) == Quarter(2024, 4)
    assert last_closed_quarter(date(2026, 1, 5)) == Quarter(2025, 3)
    assert last_closed_quarter(date(2026, 4, 1)) == Quarter(2025, 4)


def test_partner_subscribes_and_gets_each_quarter_once(hours, personas, login, runner, client):
    partner = login(personas.partner)
    for _ in range(2):  # a double click subscribes once
        response = post_form(partner, "/reports/subscription", {"action": "subscribe"})
        assert response.status_code == 302
    assert db.session.scalar(select(func.count(QuarterlySubscription.id))) == 1
    page = partner.get("/reports/subscription").get_data(as_text=True)
    assert "You are getting the quarterly report by email" in page

    # Run twice: one email (the exactly-once key), then nothing more for the same quarter.
    assert "Quarter 1 of 2025 to 2026: queued 1 email." in _send(runner, "2025-07-02")
    assert "queued 0 emails" in _send(runner, "2025-07-03")
    db.session.expire_all()
    emails = _emails()
    assert len(emails) == 1 and emails[0].to_address == personas.partner.email
    assert db.session.scalar(select(func.count(QuarterlyDelivery.id))) == 1
    body = emails[0].body_text
    assert "April 2025 to June 2025" in body and "The link works until 1 August 2025" in body
    link = re.search(r"https?://\S+/reports/quarterly/\S+", body)
    assert link is not None

    # The link works without signing in: the published quarterly PDF.
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")

    # Until it expires; then it says so.
    with freeze_time(datetime.now() + timedelta(days=31)):
        expired = client.get("/" + path)
    assert expired.status_code == 410
    assert "This link has expired" in expired.get_data(as_text=True)

    # An altered link is not found.
    assert client.get("/" + path[:-3] + "abc").status_code == 404

    # The next quarter is sent when it closes.
    assert "queued 1 email" in _send(runner, "2025-10-01")

    # After unsubscribing, nothing is sent and old links stop working.
    post_form(partner, "/reports/subscription", {"action": "unsubscribe"})
    assert db.session.scalar(select(func.count(QuarterlySubscription.id))) == 0
    assert "queued 0 emails" in _send(runner, "2026-01-02")
    assert client.get("/" + path).status_code == 410


def test_only_partners_subscribe_and_links_need_a_partner(hours, personas, login, client):
    assert login(personas.coordinator_a).get("/reports/subscription").status_code == 403
    token = make_link_token(personas.coordinator_a.id, Quarter(2025, 1))
    assert client.get(f"/reports/quarterly/{token}").status_code == 404


def test_erasing_a_subscribed_partner_ends_the_subscription(hours, personas, login, runner):
    from datetime import date

    from volunteer_hub.privacy.erasure import erase

    post_form(login(personas.partner), "/reports/subscription", {"action": "subscribe"})
    _send(runner, "2025-07-02")
    assert db.session.scalar(select(func.count(QuarterlyDelivery.id))) == 1
    partner = db.session.merge(personas.partner)
    erase(actor=None, user=partner, today=date(2025, 7, 3))
    db.session.commit()
    assert db.session.scalar(select(func.count(QuarterlySubscription.id))) == 0
    assert db.session.scalar(select(func.count(QuarterlyDelivery.id))) == 0
    # Nobody is left to email next quarter.
    assert "queued 0 emails" in _send(runner, "2025-10-02")
