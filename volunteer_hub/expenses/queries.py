"""The expenses read side: policies, who approves, what a view lists, and the flags shown to
approvers. Views, the admin dashboard and the value report read expenses here. The object
rules registered here decide who may see or change a claim, an item, a receipt and a batch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import (
    Action,
    coordinated_organisation_ids,
    register_rule,
    sees_all_organisations,
)
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import plural, pounds
from volunteer_hub.core.queries import page_of
from volunteer_hub.expenses import mileage
from volunteer_hub.expenses.models import (
    DEFAULT_TYPES,
    ITEM_TYPES,
    MILEAGE_TYPES,
    ClaimStatus,
    ExpenseApprover,
    ExpenseClaim,
    ExpenseItem,
    ExpensePolicy,
    PaymentBatch,
    Receipt,
)
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.placements.models import Placement
from volunteer_hub.volunteers.models import Volunteer

FLAG_LABELS = {
    "over_tax_free": "Mileage above the tax-free amount",
    "no_receipt": "No receipt",
    "flat_rate": "Looks like a flat rate",
    "paid_more": "More than claimed",
    "duplicate_receipt": "Receipt used on another claim",
    "late": "Past the claim deadline",
}
#: The same amount in this many consecutive weeks without receipts looks like a flat rate.
FLAT_RATE_WEEKS = 4


@dataclass(frozen=True)
class Flag:
    key: str
    message: str
    item_id: int | None = None

    @property
    def label(self) -> str:
        return FLAG_LABELS[self.key]


#: Claims counted when pricing: everything but withdrawn and rejected claims.
LIVE = (
    ClaimStatus.DRAFT.value,
    ClaimStatus.SUBMITTED.value,
    ClaimStatus.APPROVED.value,
    ClaimStatus.PART_APPROVED.value,
    ClaimStatus.PAID.value,
)


def default_policy(organisation_id: int) -> ExpensePolicy:
    """The policy of an organisation that has not saved one (version 0; not stored)."""
    return ExpensePolicy(
        organisation_id=organisation_id,
        version=0,
        types=list(DEFAULT_TYPES),
        mileage_policy="hmrc",
        fixed_pence_per_mile=None,
        deadline_days=90,
        receipt_threshold_pence=0,
        bank_payments=False,
    )


def current_policy(organisation_id: int) -> ExpensePolicy:
    policy = db.session.scalar(
        select(ExpensePolicy)
        .where(ExpensePolicy.organisation_id == organisation_id)
        .order_by(ExpensePolicy.version.desc())
        .limit(1)
    )
    return policy if policy is not None else default_policy(organisation_id)


def policy_version(organisation_id: int, version: int) -> ExpensePolicy:
    if version == 0:
        return default_policy(organisation_id)
    policy = db.session.scalar(
        select(ExpensePolicy).where(
            ExpensePolicy.organisation_id == organisation_id, ExpensePolicy.version == version
        )
    )
    return policy if policy is not None else current_policy(organisation_id)


def policy_in_force_at(organisation_id: int, when: datetime) -> ExpensePolicy:
    """The version in force at ``when`` (for a placement: the one agreed to)."""
    policy = db.session.scalar(
        select(ExpensePolicy)
        .where(ExpensePolicy.organisation_id == organisation_id, ExpensePolicy.created_at <= when)
        .order_by(ExpensePolicy.version.desc())
        .limit(1)
    )
    return policy if policy is not None else default_policy(organisation_id)


def describe_policy(policy: ExpensePolicy) -> list[str]:
    """The policy in plain words, for task descriptions and the claim screens."""
    names = [ITEM_TYPES[t].lower() for t in policy.types if t in ITEM_TYPES]
    lines = ["We repay: " + ", ".join(names) + "."]
    if any(t in MILEAGE_TYPES for t in policy.types):
        if policy.mileage_policy == "fixed":
            lines.append(f"Mileage is paid at a fixed {policy.fixed_pence_per_mile}p a mile.")
        else:
            lines.append(
                "Mileage is paid at HMRC's rates: cars 45p a mile up to 10,000 miles in the tax "
                "year (counting all your volunteering), then 25p; motorcycles 24p; bicycles 20p."
            )
    if policy.receipt_threshold_pence:
        lines.append(
            f"Receipts are needed for items of {pounds(policy.receipt_threshold_pence)}"
            " or more (not for mileage)."
        )
    else:
        lines.append("Every item except mileage needs a receipt.")
    lines.append(f"Claim within {plural(policy.deadline_days, 'day')} of spending the money.")
    if policy.bank_payments:
        lines.append("We can pay into your bank account.")
    return lines


def is_approver(user: User, organisation_id: int) -> bool:
    """Decides the organisation's claims: its coordinators, and supervisors given permission."""
    if organisation_id in coordinated_organisation_ids(user):
        return True
    return (
        db.session.scalar(
            select(ExpenseApprover.id).where(
                ExpenseApprover.organisation_id == organisation_id,
                ExpenseApprover.user_id == user.id,
            )
        )
        is not None
    )


def approver_organisation_ids(user: User) -> set[int]:
    granted = set(
        db.session.scalars(
            select(ExpenseApprover.organisation_id).where(ExpenseApprover.user_id == user.id)
        )
    )
    return coordinated_organisation_ids(user) | granted


def owns(user: User, claim: ExpenseClaim) -> bool:
    """Whether ``user`` is the volunteer who made the claim."""
    volunteer = db.session.get(Volunteer, claim.volunteer_id)
    return volunteer is not None and volunteer.user_id is not None and volunteer.user_id == user.id


def claim_rule(user: User, claim: ExpenseClaim, action: Action) -> bool:
    """View: the claimant, the organisation's approvers, the centre and administrators.
    Change (decide, batch): the organisation's approvers only."""
    if action == "change":
        return is_approver(user, claim.organisation_id)
    return (
        sees_all_organisations(user)
        or is_approver(user, claim.organisation_id)
        or owns(user, claim)
    )


def _item_rule(user: User, item: ExpenseItem, action: Action) -> bool:
    return claim_rule(user, item.claim, action)


def _receipt_rule(user: User, receipt: Receipt, action: Action) -> bool:
    return claim_rule(user, receipt.item.claim, action)


def _batch_rule(user: User, batch: PaymentBatch, action: Action) -> bool:
    if action == "view" and sees_all_organisations(user):
        return True
    return batch.organisation_id in coordinated_organisation_ids(user)


register_rule(ExpenseClaim, claim_rule)


register_rule(ExpenseItem, _item_rule)


register_rule(Receipt, _receipt_rule)


register_rule(PaymentBatch, _batch_rule)


def prior_car_tenths(volunteer_id: int, day: date, *, exclude_item_id: int | None = None) -> int:
    """Car miles (tenths) the volunteer has claimed in ``day``'s tax year on or before ``day``,
    at every organisation, in live claims, not counting rejected items."""
    start, _ = mileage.tax_year_bounds(mileage.tax_year_of(day))
    statement = (
        select(func.coalesce(func.sum(ExpenseItem.miles_tenths), 0))
        .join(ExpenseClaim, ExpenseClaim.id == ExpenseItem.claim_id)
        .where(
            ExpenseClaim.volunteer_id == volunteer_id,
            ExpenseClaim.status.in_(LIVE),
            ExpenseItem.type == "car_mileage",
            ExpenseItem.date >= start,
            ExpenseItem.date <= day,
            or_(ExpenseItem.decision.is_(None), ExpenseItem.decision != "rejected"),
        )
    )
    if exclude_item_id is not None:
        statement = statement.where(ExpenseItem.id != exclude_item_id)
    return int(db.session.scalar(statement) or 0)


def receipt_needed(item: ExpenseItem, policy: ExpensePolicy) -> bool:
    return not item.is_mileage and item.claimed_pence >= policy.receipt_threshold_pence


#: Claims a payment batch takes: decided (in full or in part) and not yet paid.
BATCHABLE = (ClaimStatus.APPROVED.value, ClaimStatus.PART_APPROVED.value)


def payable_claims(*, actor: User, organisation_id: int) -> list[ExpenseClaim]:
    """The organisation's approved claims not yet in a batch that ``actor`` may pay (never their
    own): what a payment batch made now would hold, shown to them before they make it."""
    if organisation_id not in coordinated_organisation_ids(actor):
        raise DomainError("Only the organisation's coordinators can make payment batches")
    claims = db.session.scalars(
        select(ExpenseClaim)
        .where(
            ExpenseClaim.organisation_id == organisation_id,
            ExpenseClaim.status.in_(BATCHABLE),
            ExpenseClaim.batch_id.is_(None),
        )
        .order_by(ExpenseClaim.id)
    )
    return [c for c in claims if not owns(actor, c)]


def paid_pence_between(start: date, end: date, organisation_id: int | None = None) -> int:
    """Decided amounts of paid claims' items dated ``start``..``end`` (both included)."""
    statement = (
        select(func.coalesce(func.sum(ExpenseItem.approved_pence), 0))
        .join(ExpenseClaim, ExpenseClaim.id == ExpenseItem.claim_id)
        .where(
            ExpenseClaim.status == ClaimStatus.PAID.value,
            ExpenseItem.date >= start,
            ExpenseItem.date <= end,
        )
    )
    if organisation_id is not None:
        statement = statement.where(ExpenseClaim.organisation_id == organisation_id)
    return int(db.session.scalar(statement) or 0)


def refuse_double_count(organisation_id: int, start: date, end: date, category: str) -> None:
    """Registered with investment by the reports layer (the two are siblings): reimbursed
    expenses come from paid claims, so entering them
    by hand for a period that has paid claims would count them twice."""
    if category != "expenses_reimbursed":
        return
    has_paid = db.session.scalar(
        select(ExpenseItem.id)
        .join(ExpenseClaim, ExpenseClaim.id == ExpenseItem.claim_id)
        .where(
            ExpenseClaim.status == ClaimStatus.PAID.value,
            ExpenseClaim.organisation_id == organisation_id,
            ExpenseItem.date >= start,
            ExpenseItem.date <= end,
        )
        .limit(1)
    )
    if has_paid is not None:
        raise DomainError(
            "Reimbursed expenses for this organisation and period come from its paid expense "
            "claims already; entering them here would count them twice",
            field="category",
        )


def claim_summary(claim: ExpenseClaim) -> dict[str, Any]:
    return {
        "reference": claim.reference,
        "claimed": claim.claimed_pence,
        "decided": claim.decided_pence,
        "status": claim.status,
    }


def claims_awaiting_approval_count(user: User) -> int:
    """How many submitted claims wait for ``user`` to decide (their approvals page)."""
    statement = select(func.count(ExpenseClaim.id)).where(
        ExpenseClaim.status == ClaimStatus.SUBMITTED.value
    )
    if not sees_all_organisations(user):
        ids = approver_organisation_ids(user)
        if not ids:
            return 0
        statement = statement.where(ExpenseClaim.organisation_id.in_(sorted(ids)))
    return int(db.session.scalar(statement) or 0)


# What the pages list ----------------------------------------------------------------------------


def volunteer_of(user: User) -> Volunteer | None:
    return db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))


def placements_of(volunteer: Volunteer | None) -> list[Placement]:
    """The volunteer's placements, newest first (none without a volunteer record)."""
    if volunteer is None:
        return []
    return list(
        db.session.scalars(
            select(Placement)
            .where(Placement.volunteer_id == volunteer.id)
            .order_by(Placement.start_date.desc())
        )
    )


#: Claims a page lists at once (the approvals page's two lists, a volunteer's own claims).
PAGE_SIZE = 50


def _page(statement: Select[Any], page: int | None) -> list[ExpenseClaim]:
    """Every claim (``page`` None), or one page (:func:`~volunteer_hub.core.queries.page_of`)."""
    if page is None:
        return list(db.session.scalars(statement))
    return page_of(statement, page, PAGE_SIZE)


def count_of(statement: Select[Any]) -> int:
    """How many claims the statement of a list finds (all pages)."""
    return int(db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0)


def claims_of_statement(volunteer: Volunteer) -> Select[Any]:
    return (
        select(ExpenseClaim)
        .where(ExpenseClaim.volunteer_id == volunteer.id)
        .options(joinedload(ExpenseClaim.organisation), selectinload(ExpenseClaim.items))
        .order_by(ExpenseClaim.id.desc())
    )


def claims_of(volunteer: Volunteer | None, page: int | None = None) -> list[ExpenseClaim]:
    """A volunteer's claims, newest first: all, or one page (see :func:`_page`)."""
    if volunteer is None:
        return []
    return _page(claims_of_statement(volunteer), page)


def bank_payments_offered(placements: list[Placement]) -> bool:
    """Whether any of these placements' organisations pays expenses into bank accounts."""
    return any(current_policy(oid).bank_payments for oid in {p.organisation_id for p in placements})


def approver_organisations(user: User) -> list[Organisation]:
    """The organisations whose claims ``user`` approves, by name (every one for the centre)."""
    ids = approver_organisation_ids(user)
    if sees_all_organisations(user):
        return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.id.in_(sorted(ids))).order_by(Organisation.name)
        )
    )


def waiting_statement(organisation_ids: list[int]) -> Select[Any]:
    """Submitted claims waiting for a decision, oldest submission first (each with what its
    row and flags show loaded with it)."""
    return (
        select(ExpenseClaim)
        .where(
            ExpenseClaim.organisation_id.in_(organisation_ids),
            ExpenseClaim.status == ClaimStatus.SUBMITTED.value,
        )
        .options(
            joinedload(ExpenseClaim.volunteer),
            joinedload(ExpenseClaim.organisation),
            selectinload(ExpenseClaim.items).selectinload(ExpenseItem.receipts),
        )
        .order_by(ExpenseClaim.submitted_at, ExpenseClaim.id)
    )


def waiting_claims(organisation_ids: list[int], page: int | None = None) -> list[ExpenseClaim]:
    return _page(waiting_statement(organisation_ids), page)


def to_pay_statement(organisation_ids: list[int]) -> Select[Any]:
    """Decided claims not yet in a payment batch, oldest first."""
    return (
        select(ExpenseClaim)
        .where(
            ExpenseClaim.organisation_id.in_(organisation_ids),
            ExpenseClaim.status.in_(BATCHABLE),
            ExpenseClaim.batch_id.is_(None),
        )
        .options(
            joinedload(ExpenseClaim.volunteer),
            joinedload(ExpenseClaim.organisation),
            selectinload(ExpenseClaim.items),  # the amount to pay sums them
        )
        .order_by(ExpenseClaim.id)
    )


def claims_to_pay(organisation_ids: list[int], page: int | None = None) -> list[ExpenseClaim]:
    return _page(to_pay_statement(organisation_ids), page)


def recent_batches(organisation_ids: list[int], limit: int = 50) -> list[PaymentBatch]:
    return list(
        db.session.scalars(
            select(PaymentBatch)
            .where(PaymentBatch.organisation_id.in_(organisation_ids))
            .order_by(PaymentBatch.id.desc())
            .limit(limit)
        )
    )


def supervisors_of(organisation_id: int) -> list[User]:
    """People who supervise a placement at the organisation: who may be named approvers."""
    return list(
        db.session.scalars(
            select(User)
            .join(Placement, Placement.supervisor_id == User.id)
            .where(Placement.organisation_id == organisation_id)
            .distinct()
        )
    )
