"""The flags an approver sees on expense claims: no receipt, a flat rate claimed week after
week without receipts, paid more than claimed, claimed after the deadline, the same receipt on
two claims, mileage above the tax-free amount. For a list of claims the policies, the flat-rate
history and the receipts' copies are read once for the whole list (:func:`claims_flags`)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from volunteer_hub.core.formatting import financial_year, pounds
from volunteer_hub.core.models import utcnow
from volunteer_hub.expenses import mileage
from volunteer_hub.expenses.figures import YearFigures, money, year_figures
from volunteer_hub.expenses.models import (
    ClaimStatus,
    ExpenseClaim,
    ExpenseItem,
    ExpensePolicy,
    Receipt,
)
from volunteer_hub.expenses.queries import FLAT_RATE_WEEKS, Flag, policy_version, receipt_needed
from volunteer_hub.extensions import db


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


#: What the flat-rate check compares: volunteer, organisation, item type, amount claimed.
FlatKey = tuple[int, int, str, int]


def _flat_key(claim: ExpenseClaim, item: ExpenseItem) -> FlatKey:
    return (claim.volunteer_id, claim.organisation_id, item.type, item.claimed_pence)


def _unreceipted_dates(claims: list[ExpenseClaim]) -> dict[FlatKey, list[date]]:
    """For the flat-rate check of every item without receipts on ``claims``: the dates of the
    items (on claims that are not drafts or withdrawn) with the same volunteer, organisation,
    type and amount and no receipts, within ``FLAT_RATE_WEEKS`` weeks of one of those items.
    One query for the lot."""
    wanted = [
        (claim, item)
        for claim in claims
        for item in claim.items
        if not item.is_mileage and not item.receipts
    ]
    found: dict[FlatKey, list[date]] = {_flat_key(c, i): [] for c, i in wanted}
    if not wanted:
        return found
    window = timedelta(weeks=FLAT_RATE_WEEKS)
    statement = (
        select(
            ExpenseClaim.volunteer_id,
            ExpenseClaim.organisation_id,
            ExpenseItem.type,
            ExpenseItem.claimed_pence,
            ExpenseItem.date,
        )
        .join(ExpenseClaim, ExpenseClaim.id == ExpenseItem.claim_id)
        .where(
            ExpenseClaim.volunteer_id.in_(sorted({c.volunteer_id for c, _ in wanted})),
            ExpenseClaim.organisation_id.in_(sorted({c.organisation_id for c, _ in wanted})),
            ExpenseClaim.status.not_in((ClaimStatus.DRAFT.value, ClaimStatus.WITHDRAWN.value)),
            ExpenseItem.type.in_(sorted({i.type for _, i in wanted})),
            ExpenseItem.claimed_pence.in_(sorted({i.claimed_pence for _, i in wanted})),
            ~select(Receipt.id).where(Receipt.item_id == ExpenseItem.id).exists(),
            ExpenseItem.date >= min(i.date for _, i in wanted) - window,
            ExpenseItem.date <= max(i.date for _, i in wanted) + window,
        )
    )
    for volunteer_id, organisation_id, kind, pence, day in db.session.execute(statement):
        dates = found.get((volunteer_id, organisation_id, kind, pence))
        if dates is not None:
            dates.append(day)
    return found


def _flat_rate(item: ExpenseItem, dates: list[date]) -> bool:
    """The same amount for the same type at the same organisation, without receipts, in 4 or
    more consecutive weeks including this item's week (``dates``: see
    :func:`_unreceipted_dates`)."""
    window = timedelta(weeks=FLAT_RATE_WEEKS)
    weeks = {_week(day) for day in dates if abs(day - item.date) <= window}
    weeks.add(_week(item.date))
    here = _week(item.date)
    before = after = 0
    while here - timedelta(weeks=before + 1) in weeks:
        before += 1
    while here + timedelta(weeks=after + 1) in weeks:
        after += 1
    return before + after + 1 >= FLAT_RATE_WEEKS


def _receipt_copies(claims: list[ExpenseClaim]) -> dict[str, list[ExpenseClaim]]:
    """For each receipt file (by its SHA-256) on ``claims``: every claim holding that file, in
    id order. One query for the lot."""
    hashes = sorted({r.sha256 for c in claims for i in c.items for r in i.receipts})
    found: dict[str, list[ExpenseClaim]] = {h: [] for h in hashes}
    if not hashes:
        return found
    rows = db.session.execute(
        select(Receipt.sha256, ExpenseClaim)
        .join(ExpenseItem, ExpenseItem.id == Receipt.item_id)
        .join(ExpenseClaim, ExpenseClaim.id == ExpenseItem.claim_id)
        .where(Receipt.sha256.in_(hashes))
        .order_by(ExpenseClaim.id)
    )
    for sha256, holder in rows:
        found[sha256].append(holder)
    return found


def claim_flags(claim: ExpenseClaim) -> list[Flag]:
    """Every flag on a claim (for approvers, the claim page and the centre-wide list)."""
    return claims_flags([claim])[0]


def claims_flags(claims: list[ExpenseClaim]) -> list[list[Flag]]:
    """Every flag on each of ``claims`` (:func:`claim_flags`), with the policies, the
    flat-rate history and the receipts' copies read once for the lot (a list page)."""
    policies = {
        key: policy_version(*key) for key in {(c.organisation_id, c.policy_version) for c in claims}
    }
    unreceipted = _unreceipted_dates(claims)
    copies = _receipt_copies(claims)
    return [
        _flags(claim, policies[(claim.organisation_id, claim.policy_version)], unreceipted, copies)
        for claim in claims
    ]


def _flags(
    claim: ExpenseClaim,
    policy: ExpensePolicy,
    unreceipted: dict[FlatKey, list[date]],
    copies: dict[str, list[ExpenseClaim]],
) -> list[Flag]:
    flags: list[Flag] = []
    reference_day = claim.submitted_at.date() if claim.submitted_at else utcnow().date()
    for item in claim.items:
        if receipt_needed(item, policy) and not item.receipts:
            flags.append(
                Flag(
                    "no_receipt",
                    f"{item.description}: no receipt for {money(item.claimed_pence)}",
                    item.id,
                )
            )
        if (
            not item.is_mileage
            and not item.receipts
            and _flat_rate(item, unreceipted[_flat_key(claim, item)])
        ):
            flags.append(
                Flag(
                    "flat_rate",
                    f"{item.type_label} of £{money(item.claimed_pence)} claimed without receipts "
                    f"in {FLAT_RATE_WEEKS} or more weeks in a row",
                    item.id,
                )
            )
        if item.approved_pence is not None and item.approved_pence > item.claimed_pence:
            flags.append(
                Flag(
                    "paid_more",
                    f"{item.description}: £{money(item.approved_pence)} against "
                    f"£{money(item.claimed_pence)} claimed",
                    item.id,
                )
            )
        if item.date + timedelta(days=policy.deadline_days) < reference_day:
            flags.append(
                Flag(
                    "late",
                    f"{item.description} ({item.date:%-d %B %Y}) was claimed after the "
                    f"{policy.deadline_days}-day deadline",
                    item.id,
                )
            )
        for receipt in item.receipts:
            other = next((c for c in copies[receipt.sha256] if c.id != claim.id), None)
            if other is not None:
                flags.append(
                    Flag(
                        "duplicate_receipt",
                        f"The receipt {receipt.original_name} is also on claim {other.reference}",
                        item.id,
                    )
                )
    flags.extend(_tax_flags(claim))
    return flags


def _tax_flags(claim: ExpenseClaim) -> list[Flag]:
    years = sorted({mileage.tax_year_of(i.date) for i in claim.items if i.is_mileage})
    flags = []
    for year in years:
        figures = year_figures([claim.volunteer_id], year).get(claim.volunteer_id, YearFigures())
        if claim.status == ClaimStatus.SUBMITTED.value:
            # Not decided yet: what paying it as claimed would do.
            start, end = mileage.tax_year_bounds(year)
            for item in claim.items:
                if item.is_mileage and start <= item.date <= end:
                    figures.add(
                        item.type, item.miles_tenths or 0, item.passengers, item.claimed_pence
                    )
        rates = mileage.hmrc_rates(year)
        free = figures.tax_free(rates)
        if figures.paid > free:
            flags.append(
                Flag(
                    "over_tax_free",
                    f"Tax year {financial_year(year)}: mileage of {pounds(figures.paid)} "
                    f"across all organisations is above the tax-free {pounds(free)} "
                    f"({pounds(figures.paid - free)} taxable)",
                )
            )
    return flags


def flagged_claims(
    organisation_ids: set[int] | None, limit: int = 500
) -> list[tuple[ExpenseClaim, list[Flag]]]:
    """Claims with flags (not drafts or withdrawn ones), newest first; None: every organisation."""
    statement = (
        select(ExpenseClaim)
        .where(ExpenseClaim.status.not_in((ClaimStatus.DRAFT.value, ClaimStatus.WITHDRAWN.value)))
        .order_by(ExpenseClaim.id.desc())
        .limit(limit)
    )
    if organisation_ids is not None:
        statement = statement.where(ExpenseClaim.organisation_id.in_(sorted(organisation_ids)))
    claims = list(db.session.scalars(statement))
    flagged = zip(claims, claims_flags(claims), strict=True)
    return [(claim, flags) for claim, flags in flagged if flags]
