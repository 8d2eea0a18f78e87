"""Expenses services: policies, claims, items, receipts, decisions and payment batches.

They flush, never commit; the caller commits once. Files are removed only after the caller has
committed (:func:`discard_files`), so a rolled-back deletion never loses a receipt.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import NoResultFound

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.outbox import queue_email
from volunteer_hub.accounts.permissions import (
    coordinated_organisation_ids,
    sees_all_organisations,
)
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.navigation import external_url
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set, lock
from volunteer_hub.expenses import mileage
from volunteer_hub.expenses.models import (
    ITEM_TYPES,
    MILEAGE_TYPES,
    STATUS_LABELS,
    ClaimStatus,
    ExpenseApprover,
    ExpenseClaim,
    ExpenseItem,
    ExpensePolicy,
    ItemDecision,
    PaymentBatch,
    Receipt,
)
from volunteer_hub.expenses.queries import (
    BATCHABLE,
    current_policy,
    is_approver,
    owns,
    payable_claims,
    prior_car_tenths,
    receipt_needed,
)
from volunteer_hub.expenses.rules import (
    MAX_ITEM_PENCE,
    MAX_ITEMS,
    check_decision,
    check_item,
    check_journey,
    check_policy,
    check_receipt,
)
from volunteer_hub.expenses.storage import display_name, receipt_storage
from volunteer_hub.extensions import db
from volunteer_hub.placements.models import Placement
from volunteer_hub.volunteers.models import Volunteer

log = logging.getLogger(__name__)

# Policies ------------------------------------------------------------------------------------


def save_policy(
    *,
    actor: User,
    organisation_id: int,
    types: list[str],
    mileage_policy: str,
    fixed_pence_per_mile: int | None,
    deadline_days: int,
    receipt_threshold_pence: int,
    bank_payments: bool,
) -> ExpensePolicy:
    """Save a new version of the organisation's policy (earlier versions stay)."""
    if not (
        sees_all_organisations(actor) or organisation_id in coordinated_organisation_ids(actor)
    ):
        raise DomainError("Only the organisation's coordinators can change its expenses policy")
    fixed_pence_per_mile = check_policy(
        types=types,
        mileage_policy=mileage_policy,
        fixed_pence_per_mile=fixed_pence_per_mile,
        deadline_days=deadline_days,
        receipt_threshold_pence=receipt_threshold_pence,
    )
    latest = db.session.scalar(
        select(func.max(ExpensePolicy.version)).where(
            ExpensePolicy.organisation_id == organisation_id
        )
    )
    policy = ExpensePolicy(
        organisation_id=organisation_id,
        version=(latest or 0) + 1,
        types=[t for t in ITEM_TYPES if t in types],
        mileage_policy=mileage_policy,
        fixed_pence_per_mile=fixed_pence_per_mile,
        deadline_days=deadline_days,
        receipt_threshold_pence=receipt_threshold_pence,
        bank_payments=bank_payments,
        created_by_id=actor.id,
    )
    db.session.add(policy)
    db.session.flush()
    audit("expenses.policy_saved", actor=actor, target=policy, details={"version": policy.version})
    return policy


# Permissions ---------------------------------------------------------------------------------


def grant_approver(*, actor: User, organisation_id: int, user: User) -> ExpenseApprover:
    if organisation_id not in coordinated_organisation_ids(actor):
        raise DomainError("Only the organisation's coordinators can name expenses approvers")
    supervises = db.session.scalar(
        select(Placement.id).where(
            Placement.organisation_id == organisation_id, Placement.supervisor_id == user.id
        )
    )
    if supervises is None:
        raise DomainError("Only a supervisor of one of your placements can approve expenses")
    existing = db.session.scalar(
        select(ExpenseApprover).where(
            ExpenseApprover.organisation_id == organisation_id, ExpenseApprover.user_id == user.id
        )
    )
    if existing is not None:
        return existing
    grant = ExpenseApprover(
        organisation_id=organisation_id, user_id=user.id, granted_by_id=actor.id
    )
    db.session.add(grant)
    db.session.flush()
    audit("expenses.approver_granted", actor=actor, target=grant, details={"user": user.id})
    return grant


# Claims and items ----------------------------------------------------------------------------


def start_claim(*, user: User, placement: Placement) -> ExpenseClaim:
    volunteer = db.session.get(Volunteer, placement.volunteer_id)
    if volunteer is None or volunteer.user_id != user.id:
        raise DomainError("You can only claim expenses for your own placements")
    claim = ExpenseClaim(
        volunteer_id=placement.volunteer_id,
        organisation_id=placement.organisation_id,
        placement_id=placement.id,
        status=ClaimStatus.DRAFT.value,
        policy_version=current_policy(placement.organisation_id).version,
    )
    db.session.add(claim)
    db.session.flush()
    return claim


#: Claims an approver has decided (and, for the last, paid).
DECIDED = (
    ClaimStatus.APPROVED.value,
    ClaimStatus.PART_APPROVED.value,
    ClaimStatus.REJECTED.value,
    ClaimStatus.PAID.value,
)


def _already(claim: ExpenseClaim) -> AlreadyDone:
    """What a request that lost a race (or came after the change) is told, from the claim's
    state now: a double click, the volunteer and an approver at once, or a second tab."""
    status = claim.status
    if status == ClaimStatus.SUBMITTED.value:
        return AlreadyDone("This claim was already submitted.")
    if status == ClaimStatus.WITHDRAWN.value:
        return AlreadyDone("This claim was already withdrawn.")
    if status == ClaimStatus.PAID.value:
        return AlreadyDone("This claim was already paid.")
    if status in DECIDED:
        label = STATUS_LABELS[status].lower()
        return AlreadyDone(f"This claim was already decided ({label}).")
    return AlreadyDone("This claim was changed meanwhile: look at it again.")


def _locked(claim: ExpenseClaim) -> ExpenseClaim:
    """The claim's row, locked until the transaction ends and read again (a claim deleted
    meanwhile, by a double click on delete: AlreadyDone)."""
    try:
        return lock(claim)
    except NoResultFound:
        raise AlreadyDone("This claim was already deleted.") from None


def _editable(user: User, claim: ExpenseClaim) -> ExpenseClaim:
    """A draft of the user's own, locked: a submission (or deletion) waits for this change, and
    a change after one is refused."""
    if not owns(user, claim):
        raise DomainError("Only the volunteer who made this claim can change it")
    claim = _locked(claim)
    if claim.status != ClaimStatus.DRAFT.value:
        raise DomainError("Only a draft claim can be changed")
    return claim


def price_mileage(
    *,
    policy: ExpensePolicy,
    item_type: str,
    tenths: int,
    passengers: int,
    day: date,
    prior_tenths: int,
    rates: mileage.HmrcRates | None = None,
) -> int:
    return mileage.price_item(
        item_type=item_type,
        tenths=tenths,
        passengers=passengers,
        mileage_policy=policy.mileage_policy,
        fixed_pence_per_mile=policy.fixed_pence_per_mile,
        prior_car_tenths=prior_tenths,
        rates=rates or mileage.hmrc_rates(mileage.tax_year_of(day)),
    )


def add_item(
    *,
    user: User,
    claim: ExpenseClaim,
    item_type: str,
    day: date,
    description: str,
    today: date,
    amount_pence: int | None = None,
    miles_tenths: int | None = None,
    start_postcode: str | None = None,
    end_postcode: str | None = None,
    passengers: int = 0,
) -> ExpenseItem:
    """Add an item to a draft claim: an amount, or for mileage the miles (priced here)."""
    _editable(user, claim)
    policy = current_policy(claim.organisation_id)
    description = check_item(
        item_type=item_type,
        repaid=policy.types,
        organisation=claim.organisation.name,
        day=day,
        description=description,
        today=today,
    )
    if len(claim.items) >= MAX_ITEMS:
        raise DomainError(f"A claim can have at most {MAX_ITEMS} items; start another claim")
    item = ExpenseItem(type=item_type, date=day, description=description)
    if item_type in MILEAGE_TYPES:
        miles_tenths, start, end = check_journey(
            item_type=item_type,
            miles_tenths=miles_tenths,
            start_postcode=start_postcode,
            end_postcode=end_postcode,
            passengers=passengers,
        )
        item.miles_tenths = miles_tenths
        item.start_postcode, item.end_postcode = start, end
        item.passengers = passengers if item_type == "passenger_mileage" else 0
        item.claimed_pence = price_mileage(
            policy=policy,
            item_type=item_type,
            tenths=miles_tenths,
            passengers=item.passengers,
            day=day,
            prior_tenths=prior_car_tenths(claim.volunteer_id, day),
        )
    else:
        if amount_pence is None or not 0 < amount_pence <= MAX_ITEM_PENCE:
            raise DomainError("Enter an amount more than £0 and at most £5,000", field="amount")
        item.claimed_pence = amount_pence
    claim.items.append(item)
    db.session.flush()
    return item


def remove_item(*, user: User, item: ExpenseItem) -> list[str]:
    """Remove an item from a draft; returns the storage keys to discard after commit."""
    _editable(user, item.claim)
    keys = [r.storage_key for r in item.receipts]
    item.claim.items.remove(item)
    db.session.flush()
    return keys


def attach_receipt(*, user: User, item: ExpenseItem, data: bytes, filename: str | None) -> Receipt:
    """Store a receipt file, then record it. A file that fails to write leaves nothing recorded;
    a record that fails to save removes the file again."""
    _editable(user, item.claim)
    limit = int(current_app.config.get("RECEIPT_MAX_BYTES") or 10 * 1024 * 1024)
    content_type = check_receipt(data, limit=limit, attached=len(item.receipts))
    storage = receipt_storage()
    try:
        key = storage.save(data)
    except OSError as error:
        log.error("receipt could not be written: %s", error)
        raise DomainError(
            "The receipt could not be saved. Nothing was changed; try again later", field="receipt"
        ) from None
    try:
        receipt = Receipt(
            item=item,
            storage_key=key,
            original_name=display_name(filename, content_type),
            content_type=content_type,
            size_bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        db.session.add(receipt)
        db.session.flush()
    except Exception:
        storage.delete(key)
        raise
    return receipt


def remove_receipt(*, user: User, receipt: Receipt) -> list[str]:
    _editable(user, receipt.item.claim)
    key = receipt.storage_key
    receipt.item.receipts.remove(receipt)
    db.session.flush()
    return [key]


def submit(*, user: User, claim: ExpenseClaim) -> ExpenseClaim:
    """Draft → submitted, once. The claim is locked first, so its items and receipts are checked
    as they will be submitted (an item added meanwhile waits, then is refused)."""
    if not owns(user, claim):
        raise DomainError("Only the volunteer who made this claim can change it")
    claim = _locked(claim)
    if claim.status != ClaimStatus.DRAFT.value:
        raise _already(claim)
    if not claim.items:
        raise DomainError("Add at least one item before submitting the claim")
    policy = current_policy(claim.organisation_id)
    missing = [i for i in claim.items if receipt_needed(i, policy) and not i.receipts]
    if missing:
        raise DomainError(
            "Attach a receipt to: "
            + "; ".join(f"{i.type_label} on {i.date:%-d %B %Y}" for i in missing)
        )
    try:
        compare_and_set(
            claim,
            expected=ClaimStatus.DRAFT.value,
            values={
                "status": ClaimStatus.SUBMITTED.value,
                "submitted_at": utcnow(),
                "policy_version": policy.version,
            },
        )
    except AlreadyDone:
        raise _already(claim) from None
    audit("expenses.claim_submitted", actor=user, target=claim)
    return claim


def withdraw(*, user: User, claim: ExpenseClaim) -> ExpenseClaim:
    """Submitted → withdrawn, once; a decision that got there first wins (and is said)."""
    if not owns(user, claim):
        raise DomainError("Only the volunteer who made this claim can withdraw it")
    if claim.status == ClaimStatus.WITHDRAWN.value or claim.status in DECIDED:
        raise _already(claim)
    if claim.status != ClaimStatus.SUBMITTED.value:
        raise DomainError("Only a submitted claim that has not been decided can be withdrawn")
    try:
        compare_and_set(
            claim,
            expected=ClaimStatus.SUBMITTED.value,
            values={"status": ClaimStatus.WITHDRAWN.value},
        )
    except AlreadyDone:
        raise _already(claim) from None
    audit("expenses.claim_withdrawn", actor=user, target=claim)
    return claim


def delete_claim(*, user: User, claim: ExpenseClaim) -> list[str]:
    """Delete a draft or withdrawn claim; returns the storage keys to discard after commit.
    The claim is locked first: of two deletions the second finds it gone (AlreadyDone), and a
    submission that got there first is not deleted."""
    if not owns(user, claim):
        raise DomainError("Only the volunteer who made this claim can delete it")
    claim = _locked(claim)
    if claim.status not in (ClaimStatus.DRAFT.value, ClaimStatus.WITHDRAWN.value):
        raise DomainError("Only a draft or withdrawn claim can be deleted")
    keys = [r.storage_key for item in claim.items for r in item.receipts]
    audit("expenses.claim_deleted", actor=user, target=claim)
    db.session.delete(claim)
    db.session.flush()
    return keys


def discard_files(keys: list[str]) -> None:
    """Remove receipt files once the deletion that dropped them is committed."""
    storage = receipt_storage()
    for key in keys:
        try:
            storage.delete(key)
        except OSError as error:  # pragma: no cover - logged for an operator to tidy
            log.error("receipt file %s could not be removed: %s", key, error)


# Decisions and payment -----------------------------------------------------------------------


def decide(
    *,
    approver: User,
    claim: ExpenseClaim,
    decisions: dict[int, tuple[str, int | None, str]],
) -> ExpenseClaim:
    """Decide every item: ``{item id: (approved|part_approved|rejected, pence, reason)}``.

    Everything is checked first; then the claim moves from submitted to its outcome once (a
    compare-and-set), and only the request that moved it writes the items' decisions, the audit
    event and the email. A second decision, or a withdrawal that got there first, is refused."""
    if claim.status in DECIDED or claim.status == ClaimStatus.WITHDRAWN.value:
        raise _already(claim)
    if claim.status != ClaimStatus.SUBMITTED.value:
        raise DomainError(f"This claim is {claim.status_label.lower()}, not waiting for a decision")
    if owns(approver, claim):
        raise DomainError("Nobody approves their own expenses")
    if not is_approver(approver, claim.organisation_id):
        raise DomainError("Only the organisation's expenses approvers can decide this claim")
    decided = [(item, check_decision(item, decisions.get(item.id))) for item in claim.items]
    kinds = {decision for _item, (decision, _amount, _reason) in decided}
    if kinds == {ItemDecision.APPROVED.value}:
        status = ClaimStatus.APPROVED.value
    elif kinds == {ItemDecision.REJECTED.value}:
        status = ClaimStatus.REJECTED.value
    else:
        status = ClaimStatus.PART_APPROVED.value
    try:
        compare_and_set(
            claim,
            expected=ClaimStatus.SUBMITTED.value,
            values={"status": status, "decided_at": utcnow(), "decided_by_id": approver.id},
        )
    except AlreadyDone:
        raise _already(claim) from None
    for item, (decision, amount, reason) in decided:
        item.decision, item.approved_pence, item.decision_reason = decision, amount, reason
    db.session.flush()
    audit(
        "expenses.claim_decided",
        actor=approver,
        target=claim,
        details={"status": claim.status, "pence": claim.decided_pence},
    )
    _tell_claimant(claim, "expense_decided", f"Your expenses claim {claim.reference}: decided")
    return claim


def _tell_claimant(claim: ExpenseClaim, kind: str, subject: str) -> None:
    volunteer = claim.volunteer
    user = db.session.get(User, volunteer.user_id) if volunteer.user_id else None
    to = user.email if user is not None else volunteer.email
    if not to:
        return
    link = external_url("expenses.claim", claim_id=claim.id)
    queue_email(kind=kind, to=to, subject=subject, user=user, claim=claim, link=link)


def create_batch(
    *, actor: User, organisation_id: int, claim_ids: list[int] | None = None
) -> PaymentBatch:
    """Gather the organisation's approved claims not yet in a batch: exactly ``claim_ids`` (the
    ones the coordinator was shown in the preview) when given.

    Each claim joins the batch by a conditional update (``… WHERE batch_id IS NULL``), so a claim
    never lands in two batches: of two requests at once the second finds none left and is told
    so (its empty batch is rolled back with it). A preview that no longer matches (a claim
    batched or changed meanwhile) makes nothing: the coordinator is asked to check again."""
    claims = payable_claims(actor=actor, organisation_id=organisation_id)
    if claim_ids is not None:
        wanted = set(claim_ids)
        claims = [c for c in claims if c.id in wanted]
        if not claims and wanted:
            raise AlreadyDone("These claims are already in a payment batch.")
        if {c.id for c in claims} != wanted:
            raise DomainError(
                "Some of these claims have changed since you checked them. Check the batch "
                "again before you make it."
            )
    ids = [c.id for c in claims]
    if not ids:
        raise DomainError("There are no approved claims waiting to be paid")
    batch = PaymentBatch(organisation_id=organisation_id, created_by_id=actor.id)
    db.session.add(batch)
    db.session.flush()
    taken = db.session.execute(
        update(ExpenseClaim)
        .where(
            ExpenseClaim.id.in_(ids),
            ExpenseClaim.status.in_(BATCHABLE),
            ExpenseClaim.batch_id.is_(None),
        )
        .values(batch_id=batch.id)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if taken == 0:
        raise AlreadyDone("These claims are already in a payment batch.")
    if claim_ids is not None and taken != len(ids):
        raise DomainError(
            "Some of these claims have changed since you checked them. Check the batch again "
            "before you make it."
        )
    for claim in claims:
        db.session.expire(claim, ["batch_id"])
    db.session.expire(batch, ["claims"])
    audit("expenses.batch_created", actor=actor, target=batch, details={"claims": taken})
    return batch


def mark_paid(*, actor: User, batch: PaymentBatch, paid_on: date, today: date) -> PaymentBatch:
    """Mark a batch paid once (``… WHERE paid_on IS NULL``): its claims become paid, one audit
    event and one email a claim; a second request is told it was already marked paid."""
    if batch.organisation_id not in coordinated_organisation_ids(actor):
        raise DomainError("Only the organisation's coordinators can mark a batch paid")
    if batch.paid_on is not None:
        raise AlreadyDone("This batch was already marked paid.")
    if paid_on > today:
        raise DomainError("The payment date cannot be in the future", field="paid_on")
    if paid_on < batch.created_at.date() - timedelta(days=366):
        raise DomainError("The payment date is too long before the batch", field="paid_on")
    marked = db.session.execute(
        update(PaymentBatch)
        .where(PaymentBatch.id == batch.id, PaymentBatch.paid_on.is_(None))
        .values(paid_on=paid_on, paid_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if marked != 1:
        db.session.expire(batch)
        raise AlreadyDone("This batch was already marked paid.")
    db.session.expire(batch, ["paid_on", "paid_by_id"])
    db.session.execute(
        update(ExpenseClaim)
        .where(
            ExpenseClaim.batch_id == batch.id,
            ExpenseClaim.status.in_((ClaimStatus.APPROVED.value, ClaimStatus.PART_APPROVED.value)),
        )
        .values(status=ClaimStatus.PAID.value, paid_on=paid_on)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(batch, ["claims"])
    for claim in batch.claims:
        db.session.expire(claim, ["status", "paid_on"])
    audit("expenses.batch_paid", actor=actor, target=batch, details={"paid_on": str(paid_on)})
    for claim in batch.claims:
        _tell_claimant(claim, "expense_paid", f"Your expenses claim {claim.reference} was paid")
    return batch


# The investment hook -------------------------------------------------------------------------
