"""The approvals page's two lists and a volunteer's own claims come a page of 50 at a time
(a queue of hundreds of claims took a coordinator's page from 50 ms to over a second in the
load test, docs/performance.md), with where the page is in the list and links to the rest."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from volunteer_hub.core.models import utcnow
from volunteer_hub.expenses.models import ExpenseClaim, ExpenseItem
from volunteer_hub.expenses.queries import PAGE_SIZE
from volunteer_hub.extensions import db
from volunteer_hub.volunteers.services import volunteer_for


def _claims(placement, user, count: int, status: str) -> list[int]:
    volunteer = volunteer_for(user)
    start = utcnow() - timedelta(days=10)
    ids = []
    for number in range(count):
        claim = ExpenseClaim(
            volunteer_id=volunteer.id,
            organisation_id=placement.organisation_id,
            placement_id=placement.id,
            status=status,
            submitted_at=start + timedelta(minutes=number),
            decided_at=None if status == "submitted" else start + timedelta(minutes=number),
        )
        db.session.add(claim)
        db.session.flush()
        db.session.add(
            ExpenseItem(
                claim_id=claim.id,
                type="public_transport",
                date=placement.start_date,
                description=f"Bus fare {number}",
                claimed_pence=340,
                decision=None if status == "submitted" else "approved",
                approved_pence=None if status == "submitted" else 340,
            )
        )
        ids.append(claim.id)
    db.session.commit()
    return ids


def _claim_links(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/expenses/claims/(\d+)"', html)]


def test_the_approvals_lists_come_a_page_at_a_time(login, personas, placement) -> None:
    waiting = _claims(placement, personas.volunteer, PAGE_SIZE + 3, "submitted")
    to_pay = _claims(placement, personas.volunteer, 2, "approved")
    coordinator = login(personas.coordinator_a)

    first = coordinator.get("/expenses/approvals")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    # Oldest submission first: the first 50 waiting, then both to pay (one page of them).
    assert _claim_links(html) == [*waiting[:PAGE_SIZE], *to_pay]
    assert f"Claims 1 to {PAGE_SIZE} of {PAGE_SIZE + 3}." in html
    assert 'href="/expenses/approvals?waiting_page=2&amp;to_pay_page=1"' in html
    assert "waiting_page=0" not in html  # no "Previous" on the first page
    assert "to_pay_page=2" not in html  # the to-pay list has one page: no links

    second = coordinator.get("/expenses/approvals?waiting_page=2&to_pay_page=1")
    html = second.get_data(as_text=True)
    assert _claim_links(html) == [*waiting[PAGE_SIZE:], *to_pay]
    assert f"Claims {PAGE_SIZE + 1} to {PAGE_SIZE + 3} of {PAGE_SIZE + 3}." in html
    assert 'href="/expenses/approvals?waiting_page=1&amp;to_pay_page=1"' in html

    beyond = coordinator.get("/expenses/approvals?waiting_page=9").get_data(as_text=True)
    assert "No more claims are waiting." in beyond
    assert "Claims 0" not in beyond and f"of {PAGE_SIZE + 3}." not in beyond
    assert 'href="/expenses/approvals?waiting_page=8&amp;to_pay_page=1"' in beyond  # back
    assert _claim_links(beyond) == to_pay


@pytest.mark.parametrize("page", ["abc", "-1", "1.5", "9" * 30, "2\x00"])
def test_a_page_that_is_not_a_number_is_refused(login, personas, placement, page) -> None:
    coordinator = login(personas.coordinator_a)
    assert (
        coordinator.get("/expenses/approvals", query_string={"waiting_page": page}).status_code
        == 400
    )
    volunteer = login(personas.volunteer)
    assert volunteer.get("/expenses", query_string={"page": page}).status_code == 400


def test_a_volunteers_claims_come_a_page_at_a_time(login, personas, placement) -> None:
    claims = _claims(placement, personas.volunteer, PAGE_SIZE + 1, "submitted")
    volunteer = login(personas.volunteer)
    html = volunteer.get("/expenses").get_data(as_text=True)
    newest_first = claims[::-1]
    assert _claim_links(html) == newest_first[:PAGE_SIZE]
    assert 'href="/expenses?page=2"' in html
    assert "Mileage statement for your tax return" in html
    html = volunteer.get("/expenses?page=2").get_data(as_text=True)
    assert _claim_links(html) == newest_first[PAGE_SIZE:]
    assert 'href="/expenses?page=1"' in html and "page=3" not in html
    assert "Mileage statement for your tax return" in html  # the statement is for all claims
