"""Expenses transitions are exactly-once under real parallel requests: of N identical (a double
click) or conflicting (two people) requests one acts, the others are told it was already done;
one state change, one audit event, one email, never a 500."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.expenses.conftest import TODAY
from tests.helpers import post_form
from tests.parallel import Shot
from volunteer_hub.accounts.models import AuditEvent, OutboxMessage
from volunteer_hub.expenses import services
from volunteer_hub.expenses.models import ExpenseClaim, PaymentBatch
from volunteer_hub.extensions import db


def _audits(action: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).where(AuditEvent.action == action)) or 0


def _emails(kind: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).where(OutboxMessage.kind == kind)) or 0


def _claim(claim_id: int) -> ExpenseClaim | None:
    db.session.expire_all()
    return db.session.get(ExpenseClaim, claim_id)


def _draft(personas, placement, miles_tenths: int = 125) -> int:
    """A draft claim with one car mileage item (no receipt needed): 12.5 miles is £5.63."""
    claim = services.start_claim(user=personas.volunteer, placement=placement)
    services.add_item(
        user=personas.volunteer,
        claim=claim,
        item_type="car_mileage",
        day=TODAY - timedelta(days=1),
        description="To the depot",
        today=TODAY,
        miles_tenths=miles_tenths,
        start_postcode="AB1 2CD",
        end_postcode="AB3 4EF",
    )
    db.session.commit()
    return claim.id


def _submitted(personas, placement) -> int:
    claim_id = _draft(personas, placement)
    services.submit(user=personas.volunteer, claim=_claim(claim_id))
    db.session.commit()
    return claim_id


def _approved(personas, placement) -> int:
    claim_id = _submitted(personas, placement)
    claim = _claim(claim_id)
    services.decide(
        approver=personas.coordinator_a,
        claim=claim,
        decisions={i.id: ("approved", None, "") for i in claim.items},
    )
    db.session.commit()
    return claim_id


def _approve_all(claim_id: int) -> dict[str, str]:
    claim = _claim(claim_id)
    return {f"decision-{i.id}": "approved" for i in claim.items}


def test_ten_identical_decisions_decide_once(login, personas, placement, parallel) -> None:
    claim_id = _submitted(personas, placement)
    coordinator = login(personas.coordinator_a)
    results = parallel.post(
        coordinator,
        f"/expenses/claims/{claim_id}/decide",
        _approve_all(claim_id),
        times=10,
        form_page=f"/expenses/claims/{claim_id}",
    )
    assert results.server_errors == []
    assert set(results.statuses) == {302}
    assert _claim(claim_id).status == "approved"
    assert _audits("expenses.claim_decided") == 1
    assert _emails("expense_decided") == 1


def test_withdrawals_racing_approvals_leave_one_outcome(
    login, personas, placement, parallel
) -> None:
    claim_id = _submitted(personas, placement)
    volunteer = login(personas.volunteer)
    coordinator = login(personas.coordinator_a)
    page = f"/expenses/claims/{claim_id}"
    results = parallel.run(
        [
            Shot(volunteer, f"{page}/withdraw", {}, form_page=page, times=5),
            Shot(coordinator, f"{page}/decide", _approve_all(claim_id), form_page=page, times=5),
        ]
    )
    assert results.server_errors == []
    claim = _claim(claim_id)
    withdrawn, decided = _audits("expenses.claim_withdrawn"), _audits("expenses.claim_decided")
    assert withdrawn + decided == 1
    if claim.status == "withdrawn":
        assert (withdrawn, _emails("expense_decided"), claim.decided_at) == (1, 0, None)
        assert all(item.decision is None for item in claim.items)
    else:
        assert claim.status == "approved"
        assert (decided, _emails("expense_decided")) == (1, 1)


def test_ten_identical_submissions_submit_once(login, personas, placement, parallel) -> None:
    claim_id = _draft(personas, placement)
    volunteer = login(personas.volunteer)
    page = f"/expenses/claims/{claim_id}"
    results = parallel.post(volunteer, f"{page}/submit", {}, times=10, form_page=page)
    assert results.server_errors == []
    assert _claim(claim_id).status == "submitted"
    assert _audits("expenses.claim_submitted") == 1


def test_ten_identical_withdrawals_withdraw_once(login, personas, placement, parallel) -> None:
    claim_id = _submitted(personas, placement)
    volunteer = login(personas.volunteer)
    page = f"/expenses/claims/{claim_id}"
    results = parallel.post(volunteer, f"{page}/withdraw", {}, times=10, form_page=page)
    assert results.server_errors == []
    assert _claim(claim_id).status == "withdrawn"
    assert _audits("expenses.claim_withdrawn") == 1


def test_ten_identical_deletions_delete_once(login, personas, placement, parallel) -> None:
    claim_id = _draft(personas, placement)
    volunteer = login(personas.volunteer)
    page = f"/expenses/claims/{claim_id}"
    results = parallel.post(volunteer, f"{page}/delete", {}, times=10, form_page=page)
    assert results.server_errors == []
    # Deleted, or (arriving after the deletion) a claim that is no longer there.
    assert set(results.statuses) <= {302, 404}
    assert _claim(claim_id) is None
    assert _audits("expenses.claim_deleted") == 1


def test_deleting_racing_submitting_a_draft_does_one(login, personas, placement, parallel) -> None:
    claim_id = _draft(personas, placement)
    volunteer = login(personas.volunteer)
    page = f"/expenses/claims/{claim_id}"
    results = parallel.run(
        [
            Shot(volunteer, f"{page}/delete", {}, form_page=page, times=5),
            Shot(volunteer, f"{page}/submit", {}, form_page=page, times=5),
        ]
    )
    assert results.server_errors == []
    deleted, submitted = _audits("expenses.claim_deleted"), _audits("expenses.claim_submitted")
    assert deleted + submitted == 1
    claim = _claim(claim_id)
    assert (claim is None) == (deleted == 1)
    if claim is not None:
        assert claim.status == "submitted"


def test_ten_identical_batch_requests_put_each_claim_in_one_batch(
    login, personas, placement, parallel
) -> None:
    first, second = _approved(personas, placement), _approved(personas, placement)
    coordinator = login(personas.coordinator_a)
    results = parallel.post(
        coordinator,
        "/expenses/approvals",
        {"organisation": str(personas.org_a.id), "claim": [str(first), str(second)]},
        times=10,
        form_page=f"/expenses/batches/new?organisation={personas.org_a.id}",
    )
    assert results.server_errors == []
    assert db.session.scalar(select(func.count(PaymentBatch.id))) == 1
    batch = db.session.scalar(select(PaymentBatch))
    assert {_claim(first).batch_id, _claim(second).batch_id} == {batch.id}
    assert _audits("expenses.batch_created") == 1


def test_ten_identical_payments_pay_a_batch_once(login, personas, placement, parallel) -> None:
    claim_id = _approved(personas, placement)
    batch = services.create_batch(actor=personas.coordinator_a, organisation_id=personas.org_a.id)
    db.session.commit()
    coordinator = login(personas.coordinator_a)
    page = f"/expenses/batches/{batch.id}"
    when = TODAY - timedelta(days=1)
    results = parallel.post(
        coordinator,
        f"{page}/paid",
        {"paid_on": [str(when.day), str(when.month), str(when.year)]},
        times=10,
        form_page=page,
    )
    assert results.server_errors == []
    claim = _claim(claim_id)
    assert (claim.status, claim.paid_on) == ("paid", when)
    assert _audits("expenses.batch_paid") == 1
    assert _emails("expense_paid") == 1


def test_a_batch_holds_exactly_the_claims_previewed_or_nothing(login, personas, placement) -> None:
    """The batch is made from the preview's claims only; when one of them was batched since the
    preview, nothing is made and the coordinator is asked to check again."""
    first, second, third = (_approved(personas, placement) for _ in range(3))
    coordinator = login(personas.coordinator_a)
    preview = f"/expenses/batches/new?organisation={personas.org_a.id}"
    page = coordinator.get(preview).get_data(as_text=True)
    assert all(_claim(c).reference in page for c in (first, second, third))
    assert "3 claims to 1 payee" in page

    # Someone batches the third meanwhile: the preview of three no longer matches.
    services.create_batch(
        actor=personas.coordinator_a, organisation_id=personas.org_a.id, claim_ids=[third]
    )
    db.session.commit()
    stale = post_form(
        coordinator,
        "/expenses/approvals",
        {"organisation": str(personas.org_a.id), "claim": [str(first), str(second), str(third)]},
        form_page=preview,
        follow_redirects=True,
    )
    assert "changed since you checked them" in stale.get_data(as_text=True)
    assert _claim(first).batch_id is None and _claim(second).batch_id is None
    assert db.session.scalar(select(func.count(PaymentBatch.id))) == 1

    made = post_form(
        coordinator,
        "/expenses/approvals",
        {"organisation": str(personas.org_a.id), "claim": [str(first)]},
        form_page=preview,
    )
    assert made.status_code == 302
    assert _claim(first).batch_id is not None and _claim(second).batch_id is None
