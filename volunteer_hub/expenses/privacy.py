"""Expenses' privacy hooks: claims, items, receipts and bank details.

Export: every claim with its items and their receipts' file details (files on request), and the
bank details masked. Erasure: bank details are deleted; a claim's item descriptions and postcodes
are emptied and its receipt files deleted (amounts, dates, miles and decisions stay), except a
paid claim, kept under a legal hold (``paid_claims``, 6 years after payment, for the accounts)
and anonymised by retention when the hold ends. Receipt files are deleted only once the
transaction commits. Activity: a claim's last change. Retention: receipt files are deleted
``receipts`` months after the claim was paid (or submitted, if never paid).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import delete, event, func, or_, select
from sqlalchemy.orm import Session

from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.core.dates import add_months
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import long_date, plural
from volunteer_hub.expenses import bank
from volunteer_hub.expenses.models import BankDetails, ExpenseClaim, ExpenseItem, Receipt
from volunteer_hub.expenses.storage import receipt_storage
from volunteer_hub.extensions import db

#: ``session.info`` key: receipt files to delete once the transaction has committed.
PENDING_FILES = "privacy_receipt_files_to_delete"
HOLD_PAID_CLAIM = "paid_expense_claim"


# --- receipt files: deleted after commit -----------------------------------------------------


def delete_receipt_files_after_commit(keys: list[str]) -> None:
    """Delete these receipt files once the current transaction commits (never before: a rolled
    back transaction must not lose files its rows still point to)."""
    if keys:
        db.session.info.setdefault(PENDING_FILES, []).extend(keys)


@event.listens_for(Session, "after_commit")
def _delete_pending_files(session: Session) -> None:
    keys: list[str] = session.info.pop(PENDING_FILES, None) or []
    if not keys:
        return
    storage = receipt_storage()
    for key in keys:
        try:
            storage.delete(key)
        except (OSError, ValueError) as error:  # an orphan file is logged, never fatal
            current_app.logger.warning("could not delete receipt file %s: %s", key, error)


@event.listens_for(Session, "after_rollback")
def _forget_pending_files(session: Session) -> None:
    session.info.pop(PENDING_FILES, None)


def _drop_receipts(receipts: list[Receipt]) -> int:
    delete_receipt_files_after_commit([r.storage_key for r in receipts])
    for receipt in receipts:
        db.session.delete(receipt)
    return len(receipts)


# --- export ----------------------------------------------------------------------------------


def _claim(claim: ExpenseClaim) -> dict[str, Any]:
    items = list(db.session.scalars(select(ExpenseItem).where(ExpenseItem.claim_id == claim.id)))
    return {
        **hooks.row_dict(claim),
        "items": [
            {
                **hooks.row_dict(i),
                "receipts": hooks.rows(
                    select(Receipt).where(Receipt.item_id == i.id), drop=("storage_key",)
                ),
            }
            for i in items
        ],
    }


@hooks.export(130)
def export_expenses(subject: hooks.Subject) -> dict[str, Any]:
    if subject.volunteer is None:
        return {}
    vid = subject.volunteer.id
    claims = list(
        db.session.scalars(
            select(ExpenseClaim).where(ExpenseClaim.volunteer_id == vid).order_by(ExpenseClaim.id)
        )
    )
    data: dict[str, Any] = {"expenses": [_claim(c) for c in claims]}
    try:
        details = bank.read(actor=None, volunteer_id=vid, purpose="subject access export")
    except DomainError:  # keys not configured here: say so rather than fail the whole export
        details = None
    data["bank_details"] = (
        {
            "sort_code": details.masked_sort_code,
            "account_number": details.masked_account_number,
        }
        if details is not None
        else None
    )
    return data


# --- erasure ---------------------------------------------------------------------------------


def anonymise_claim(claim: ExpenseClaim) -> bool:
    """Empty a claim's item descriptions and postcodes and delete its receipts (amounts, dates,
    miles and decisions stay); True if anything was left to do (the caller empties the claim's
    other free text, such as decision reasons)."""
    changed = False
    for item in db.session.scalars(select(ExpenseItem).where(ExpenseItem.claim_id == claim.id)):
        if (item.description, item.start_postcode, item.end_postcode) != (
            hooks.ERASED_TEXT,
            None,
            None,
        ):
            item.description = hooks.ERASED_TEXT
            item.start_postcode = item.end_postcode = None
            changed = True
    receipts = list(
        db.session.scalars(
            select(Receipt)
            .join(ExpenseItem, ExpenseItem.id == Receipt.item_id)
            .where(ExpenseItem.claim_id == claim.id)
        )
    )
    return _drop_receipts(receipts) > 0 or changed


@hooks.erase(70)
def erase_expenses(erasure: hooks.Erasure) -> None:
    if erasure.volunteer is None:
        return
    vid = erasure.volunteer.id
    db.session.execute(delete(BankDetails).where(BankDetails.volunteer_id == vid))
    claims = db.session.scalars(
        select(ExpenseClaim).where(ExpenseClaim.volunteer_id == vid).order_by(ExpenseClaim.id)
    ).all()
    anonymised = 0
    for claim in claims:
        if claim.paid_on is not None:
            until = erasure.held_until("paid_claims", claim.paid_on)
            if until is not None:
                erasure.hold(
                    HOLD_PAID_CLAIM,
                    f"Expense claim {claim.reference}, paid on {long_date(claim.paid_on)}, "
                    "with its receipts (accounting records)",
                    until,
                    table=ExpenseClaim.__tablename__,
                    row_id=claim.id,
                )
                continue
        changed = anonymise_claim(claim)
        if erasure.empty_rows(ExpenseClaim.__tablename__, claim.id) or changed:
            anonymised += 1
    if anonymised:
        erasure.erased.append(
            f"{plural(anonymised, 'expense claim')}: descriptions, postcodes and receipt files "
            "removed (amounts kept)"
        )


# --- retention -------------------------------------------------------------------------------


@hooks.activity
def activity(today: date) -> Iterable[tuple[Any, ...]]:
    return db.session.execute(
        select(ExpenseClaim.volunteer_id, func.max(ExpenseClaim.updated_at)).group_by(
            ExpenseClaim.volunteer_id
        )
    )


def _ended_holds(purge: hooks.Purge, months: int | None) -> list[ExpenseClaim]:
    """Paid claims of erased people whose hold has ended."""
    if months is None or not purge.erased:
        return []
    return list(
        db.session.scalars(
            select(ExpenseClaim)
            .where(
                ExpenseClaim.volunteer_id.in_(purge.erased),
                ExpenseClaim.paid_on.is_not(None),
                ExpenseClaim.paid_on < add_months(purge.today, -months),
            )
            .order_by(ExpenseClaim.id)
        )
    )


def _left_to_anonymise(claim: ExpenseClaim) -> bool:
    left = db.session.scalar(
        select(func.count(ExpenseItem.id))
        .outerjoin(Receipt, Receipt.item_id == ExpenseItem.id)
        .where(
            ExpenseItem.claim_id == claim.id,
            or_(
                ExpenseItem.description != hooks.ERASED_TEXT,
                ExpenseItem.start_postcode.is_not(None),
                ExpenseItem.end_postcode.is_not(None),
                Receipt.id.is_not(None),
            ),
        )
    )
    return bool(left)


@hooks.purge("paid_claims")
def purge_paid_claims(purge: hooks.Purge) -> int:
    """Paid claims of erased people whose hold has ended are anonymised."""
    claims = _ended_holds(purge, purge.months)
    if purge.dry_run:
        return sum(_left_to_anonymise(claim) for claim in claims)
    done = [anonymise_claim(claim) for claim in claims]
    return purge.empty_rows(ExpenseClaim.__tablename__, [c.id for c in claims], done)


@hooks.purge("receipts")
def purge_receipts(purge: hooks.Purge) -> int:
    cutoff = purge.cutoff
    # Claims whose hold ends now: the paid_claims step deletes their receipts.
    settled = {c.id for c in _ended_holds(purge, purge.schedule["paid_claims"])}
    rows = db.session.execute(
        select(
            Receipt,
            ExpenseClaim.id,
            ExpenseClaim.volunteer_id,
            ExpenseClaim.paid_on,
            ExpenseClaim.submitted_at,
            ExpenseClaim.created_at,
        )
        .join(ExpenseItem, ExpenseItem.id == Receipt.item_id)
        .join(ExpenseClaim, ExpenseClaim.id == ExpenseItem.claim_id)
        .order_by(Receipt.id)
    ).all()
    due: list[Receipt] = []
    for receipt, claim_id, vid, paid_on, submitted_at, created_at in rows:
        if vid in purge.leaving or claim_id in settled:
            continue  # erasure (dry run) or the end of a hold takes these
        basis = paid_on or hooks.as_date(submitted_at) or hooks.as_date(created_at)
        if basis is not None and basis < cutoff:
            due.append(receipt)
    if not purge.dry_run:
        _drop_receipts(due)
    return len(due)
