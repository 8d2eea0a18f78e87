"""The investment entry screen (coordinators) and the admin rates screen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.helpers import post_form
from volunteer_hub.extensions import db
from volunteer_hub.investment.models import InvestmentEntry
from volunteer_hub.rates.models import Rate
from volunteer_hub.rates.services import rate_in_force

pytestmark = pytest.mark.usefixtures("default_rates")

GOOD = {
    "category": "training",
    "period_start": "2025-04-01",
    "period_end": "2026-03-31",
    "amount": "£1,500.00",
}


def test_coordinator_adds_investment_for_their_organisation(personas, login, cli) -> None:
    client = login(personas.coordinator_a)
    response = post_form(client, "/investment", {**GOOD, "organisation": str(personas.org_a.id)})
    assert response.status_code == 302
    entry = db.session.scalar(select(InvestmentEntry))
    assert entry.amount_pence == 150000 and entry.organisation_id == personas.org_a.id
    assert entry.source == "entered"
    page = client.get("/investment").get_data(as_text=True)
    assert "1,500.00" in page and "Induction and training" in page
    # It reaches the value report's investment for the period.
    report = cli(
        "report",
        None,
        "--start",
        "2025-04-01",
        "--end",
        "2026-03-31",
        "--organisation",
        "Organisation A",
    )
    assert report["investment"]["by_category"]["training"] == "1500.00"
    # And the reports page charts it, with a sentence for people who would rather read.
    page = client.get("/reports/value", query_string={"period": "year", "year": "2025"}).get_data(
        as_text=True
    )
    assert "the largest part was induction and training (£1,500.00)" in page
    assert 'alt="Bar chart of investment in volunteers by category.' in page


def test_coordinator_cannot_enter_for_another_organisation(personas, login) -> None:
    client = login(personas.coordinator_a)
    response = post_form(client, "/investment", {**GOOD, "organisation": str(personas.org_b.id)})
    assert response.status_code == 400  # not one of their choices
    assert db.session.scalar(select(InvestmentEntry)) is None
    page = client.get("/investment").get_data(as_text=True)
    assert "Organisation B" not in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount": "-5"}, "must not be negative"),
        ({"amount": "12.345"}, "more than two decimal places"),
        ({"amount": "lots"}, "is not a number of pounds"),
        ({"period_start": "2025-02-30"}, "Enter a date like 1 April 2025"),
        ({"period_end": "2025-01-01"}, "The period must end on or after its start"),
        ({"category": "snacks"}, "Not a valid choice"),
        ({"amount": ""}, "Enter the amount in pounds"),
    ],
)
def test_bad_investment_changes_nothing(personas, login, change, message) -> None:
    client = login(personas.coordinator_a)
    data = {**GOOD, "organisation": str(personas.org_a.id), **change}
    response = post_form(client, "/investment", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(InvestmentEntry)) is None


def test_investment_page_refuses_volunteers_and_partners(personas, login) -> None:
    for who in ("volunteer", "partner"):
        assert login(personas.get(who)).get("/investment").status_code == 403


RATE = {
    "key": "uk_median_hourly_2026",
    "amount": "18.60",
    "basis": "Median gross hourly pay, all employees",
    "geography": "UK",
    "reference_date": "April 2026",
    "source": "Test fixture figures, not real",
    "effective_from": "2026-11-01",
    "effective_to": "",
    "soc_code": "",
}


def test_admin_supersedes_a_rate(personas, login) -> None:
    old = rate_in_force("uk_median_hourly", date(2026, 10, 31))
    assert old is not None and old.effective_to is None
    client = login(personas.admin)
    response = post_form(client, "/admin/rates", {**RATE, "supersedes": str(old.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Rate, old.id).effective_to == date(2026, 10, 31)
    assert rate_in_force("uk_median_hourly", date(2026, 11, 1)).amount == Decimal("18.60")
    assert rate_in_force("uk_median_hourly", date(2026, 10, 31)).id == old.id


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"key": "Bad Key"}, "must be lower-case letters"),
        ({"amount": "abc"}, "is not a number"),
        ({"effective_from": "2026-13-01"}, "is not a date"),
        ({"soc_code": "12345"}, "must be 1 to 4 digits"),
        ({"basis": ""}, "Enter what the figure is"),
    ],
)
def test_bad_rates_change_nothing(personas, login, change, message) -> None:
    before = db.session.scalar(select(db.func.count(Rate.id)))
    response = post_form(
        login(personas.admin), "/admin/rates", {**RATE, "supersedes": "", **change}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Rate.id))) == before


def test_superseding_must_start_later(personas, login) -> None:
    old = rate_in_force("uk_median_hourly", date(2026, 10, 31))
    response = post_form(
        login(personas.admin),
        "/admin/rates",
        {**RATE, "supersedes": str(old.id), "effective_from": old.effective_from.isoformat()},
    )
    assert response.status_code == 400
    assert "must start after the one it replaces" in response.get_data(as_text=True)


def test_rates_screen_is_for_admins_only(personas, login) -> None:
    for who in ("centre", "partner", "coordinator_a"):
        assert login(personas.get(who)).get("/admin/rates").status_code == 403


def test_an_investment_form_sent_ten_times_at_once_adds_the_money_once(
    personas, login, parallel
) -> None:
    import re

    client = login(personas.coordinator_a)
    page = client.get("/investment").get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([0-9a-f]{32})"', page)
    assert key, "the form carries a one-time key"
    results = parallel.post(
        client,
        "/investment",
        {**GOOD, "organisation": str(personas.org_a.id), "key": key.group(1)},
        times=10,
    )
    assert results.server_errors == []
    db.session.expire_all()
    entries = db.session.scalars(select(InvestmentEntry)).all()
    assert [e.amount_pence for e in entries] == [150000]
    # A fresh form is a fresh key: the next entry is a new one.
    assert key.group(1) not in client.get("/investment").get_data(as_text=True)
