"""The money rule: a decided amount never exceeds what was claimed. Approved is exactly the
claimed amount (for mileage, what the miles were priced at); part-approved is more than nothing
and strictly less; anything else is refused with a clear error and changes nothing, on screen,
in the service and in `flask expenses import`. The "more than claimed" flag stays for legacy
data only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.expenses.conftest import TODAY
from tests.expenses.test_mileage import _write
from tests.helpers import post_form
from volunteer_hub.accounts.models import AuditEvent, OutboxMessage
from volunteer_hub.core.errors import DomainError
from volunteer_hub.expenses import services
from volunteer_hub.expenses.flags import claim_flags
from volunteer_hub.expenses.models import ClaimStatus, ExpenseClaim, ExpenseItem
from volunteer_hub.extensions import db


def _submitted(personas, placement, item: ExpenseItem) -> int:
    claim = services.start_claim(user=personas.volunteer, placement=placement)
    claim.items.append(item)
    claim.status = ClaimStatus.SUBMITTED.value
    claim.submitted_at = services.utcnow()
    db.session.commit()
    return claim.id


def _bus(personas, placement) -> int:
    """A submitted claim for a £5.00 bus fare."""
    return _submitted(
        personas,
        placement,
        ExpenseItem(
            type="public_transport",
            date=TODAY - timedelta(days=1),
            description="Bus fare",
            claimed_pence=500,
        ),
    )


def _mileage(personas, placement) -> int:
    """A submitted claim for 12.5 car miles, priced at £5.63."""
    return _submitted(
        personas,
        placement,
        ExpenseItem(
            type="car_mileage",
            date=TODAY - timedelta(days=1),
            description="To the depot",
            miles_tenths=125,
            start_postcode="AB1 2CD",
            end_postcode="AB3 4EF",
            claimed_pence=563,
        ),
    )


def _claim(claim_id: int) -> ExpenseClaim:
    db.session.expire_all()
    return db.session.get(ExpenseClaim, claim_id)


def _part_approve(login, personas, claim_id: int, amount: str):
    item = _claim(claim_id).items[0]
    return post_form(
        login(personas.coordinator_a),
        f"/expenses/claims/{claim_id}/decide",
        {
            f"decision-{item.id}": "part_approved",
            f"amount-{item.id}": amount,
            f"reason-{item.id}": "Single fare only",
        },
        form_page=f"/expenses/claims/{claim_id}",
    )


def _nothing_happened(claim_id: int) -> None:
    claim = _claim(claim_id)
    assert claim.status == "submitted" and claim.decided_at is None
    assert [(i.decision, i.approved_pence) for i in claim.items] == [(None, None)]
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "expenses.claim_decided")
        )
        == 0
    )
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("4000.00", "must be less than the £5.00 claimed"),
        ("4,000", "must be less than the £5.00 claimed"),
        ("5.00", "must be less than the £5.00 claimed"),
        ("5", "must be less than the £5.00 claimed"),
        ("0", "must be more than £0.00"),
        ("0.00", "must be more than £0.00"),
        ("", "Enter the amount to pay for Bus fare"),
        ("-1", "in pounds, like 2.50"),
        ("abc", "in pounds, like 2.50"),
        ("1e309", "in pounds, like 2.50"),
    ],
)
def test_a_part_approval_outside_nothing_to_the_claim_is_refused_on_the_form(
    login, personas, placement, amount, message
) -> None:
    claim_id = _bus(personas, placement)
    response = _part_approve(login, personas, claim_id, amount)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "There is a problem" in page
    assert "<title>Error: Expenses claim" in page
    item_id = _claim(claim_id).items[0].id
    # The error is on the amount, and what was typed is kept.
    if "Enter the amount" not in message:
        assert f'href="#amount-{item_id}"' in page and "govuk-input--error" in page
        assert f'value="{amount}"' in page
    _nothing_happened(claim_id)


def test_a_part_approval_below_the_claim_is_accepted(login, personas, placement) -> None:
    claim_id = _bus(personas, placement)
    assert _part_approve(login, personas, claim_id, "4.99").status_code == 302
    claim = _claim(claim_id)
    assert (claim.status, claim.decided_pence) == ("part_approved", 499)
    assert claim.items[0].decision == "part_approved"
    assert "paid_more" not in {f.key for f in claim_flags(claim)}


def test_mileage_is_part_approved_only_below_what_the_miles_come_to(
    login, personas, placement
) -> None:
    claim_id = _mileage(personas, placement)
    refused = _part_approve(login, personas, claim_id, "5.63")
    assert refused.status_code == 400
    assert "must be less than the £5.63 the mileage comes to" in refused.get_data(as_text=True)
    _nothing_happened(claim_id)
    assert _part_approve(login, personas, claim_id, "5.62").status_code == 302
    assert _claim(claim_id).decided_pence == 562


def test_approving_in_full_pays_exactly_the_claim_whatever_amount_is_posted(
    login, personas, placement
) -> None:
    claim_id = _bus(personas, placement)
    item = _claim(claim_id).items[0]
    response = post_form(
        login(personas.coordinator_a),
        f"/expenses/claims/{claim_id}/decide",
        {f"decision-{item.id}": "approved", f"amount-{item.id}": "4000.00"},
        form_page=f"/expenses/claims/{claim_id}",
    )
    assert response.status_code == 302
    claim = _claim(claim_id)
    assert (claim.status, claim.decided_pence) == ("approved", 500)


@pytest.mark.parametrize("pence", [400_000, 500, 0, -1])
def test_the_service_refuses_a_part_approval_not_below_the_claim(
    personas, placement, pence
) -> None:
    claim = _claim(_bus(personas, placement))
    with pytest.raises(DomainError) as refused:
        services.decide(
            approver=personas.coordinator_a,
            claim=claim,
            decisions={claim.items[0].id: ("part_approved", pence, "Too much")},
        )
    assert refused.value.field == f"amount-{claim.items[0].id}"
    db.session.rollback()
    _nothing_happened(claim.id)


def test_the_more_than_claimed_flag_still_shows_on_legacy_data(personas, placement) -> None:
    claim = _claim(_bus(personas, placement))
    # Written before the rule (no screen or import can do this now).
    claim.items[0].decision, claim.items[0].approved_pence = "part_approved", 400_000
    claim.status = ClaimStatus.PART_APPROVED.value
    db.session.commit()
    flags = [f for f in claim_flags(_claim(claim.id)) if f.key == "paid_more"]
    assert flags and "£4000.00 against £5.00 claimed" in flags[0].message


A = "Organisation A"


def test_import_refuses_a_mileage_amount_above_what_the_miles_come_to(
    runner, personas, tmp_path
) -> None:
    lines = [
        # 12.5 miles at 45p come to £5.63: paid £4,000.00 is a line error, and so is 1p more.
        f"P1,m@example.test,,{A},2025-05-01,car_mileage,12.5,4000.00,paid,2025-05-02,Trip",
        f"P2,m@example.test,,{A},2025-05-03,car_mileage,12.5,5.64,approved,,Trip",
        f"P3,m@example.test,,{A},2025-05-04,car_mileage,12.5,5.64,submitted,,Trip",
        f"P4,m@example.test,,{A},2025-05-05,parking,,3.00,approved,,Car park",
    ]
    result = runner.invoke(
        args=["expenses", "import", str(_write(tmp_path, lines)), "--create-missing"]
    )
    assert result.exit_code != 0
    assert "3 rows need fixing" in result.output
    for line in ("line 2:", "line 3:", "line 4:"):
        assert line in result.output
    assert "amount £4,000.00 is more than the £5.63 that 12.5 miles come to" in result.output
    assert "line 5:" not in result.output
    assert db.session.scalar(select(func.count(ExpenseClaim.id))) == 0


def test_import_records_mileage_paid_at_or_below_what_the_miles_come_to(
    runner, personas, tmp_path
) -> None:
    lines = [
        f"Q1,q@example.test,,{A},2025-05-01,car_mileage,12.5,5.63,approved,,Exactly",
        f"Q2,q@example.test,,{A},2025-05-02,car_mileage,12.5,5.00,approved,,Less",
        f"Q3,q@example.test,,{A},2025-05-03,car_mileage,12.5,4.00,paid,2025-05-04,Less, paid",
        f"Q4,q@example.test,,{A},2025-05-04,car_mileage,12.5,,approved,,Priced",
        f"Q5,q@example.test,,{A},2025-05-05,car_mileage,12.5,3.00,submitted,,Asked less",
    ]
    result = runner.invoke(
        args=["expenses", "import", str(_write(tmp_path, lines)), "--create-missing"]
    )
    assert result.exit_code == 0, result.output
    claims = {c.ref: c for c in db.session.scalars(select(ExpenseClaim))}
    shape = {
        ref: (c.status, c.items[0].claimed_pence, c.items[0].decision, c.items[0].approved_pence)
        for ref, c in claims.items()
    }
    assert shape == {
        "Q1": ("approved", 563, "approved", 563),
        "Q2": ("part_approved", 563, "part_approved", 500),
        "Q3": ("paid", 563, "part_approved", 400),
        "Q4": ("approved", 563, "approved", 563),
        "Q5": ("submitted", 300, None, None),
    }
    for claim in claims.values():
        assert "paid_more" not in {f.key for f in claim_flags(claim)}
