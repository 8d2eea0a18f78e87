"""Bank details: encrypted at rest with MultiFernet, shown masked, every view audited.

Keys come from ``BANK_DETAILS_KEYS`` (comma-separated Fernet keys, newest first): new details are
encrypted with the first; any listed key decrypts. ``flask expenses rotate-keys`` re-encrypts
every row with the first key so an old key can then be removed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.money import two_dp
from volunteer_hub.expenses.models import BankDetails, ExpenseClaim, PaymentBatch
from volunteer_hub.extensions import db
from volunteer_hub.volunteers.models import Volunteer

SORT_CODE_RE = re.compile(r"^\d{6}$")
ACCOUNT_RE = re.compile(r"^\d{8}$")


@dataclass(frozen=True)
class Details:
    account_name: str
    sort_code: str
    account_number: str

    @property
    def masked_sort_code(self) -> str:
        return f"**-**-{self.sort_code[-2:]}"

    @property
    def masked_account_number(self) -> str:
        return f"****{self.account_number[-4:]}"


def _fernet() -> MultiFernet:
    raw = current_app.config.get("BANK_DETAILS_KEYS") or ""
    keys = [k.strip() for k in str(raw).split(",") if k.strip()]
    if not keys:
        raise DomainError(
            "Bank details cannot be stored: no encryption key is configured (BANK_DETAILS_KEYS)"
        )
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError:
        raise DomainError("BANK_DETAILS_KEYS holds a key that is not a Fernet key") from None


def keys_configured() -> bool:
    return bool(str(current_app.config.get("BANK_DETAILS_KEYS") or "").strip())


def _clean(sort_code: str, account_number: str, account_name: str) -> Details:
    sort_code = re.sub(r"[\s-]", "", sort_code)
    account_number = re.sub(r"\s", "", account_number)
    account_name = " ".join(account_name.split())
    if not account_name or len(account_name) > 100:
        raise DomainError("Enter the name on the account (up to 100 characters)", field="name")
    if not SORT_CODE_RE.match(sort_code):
        raise DomainError("Enter a sort code of 6 digits, like 30-94-57", field="sort_code")
    if not ACCOUNT_RE.match(account_number):
        raise DomainError("Enter an account number of 8 digits", field="account_number")
    return Details(account_name, sort_code, account_number)


def save(
    *, actor: User, volunteer: Volunteer, account_name: str, sort_code: str, account_number: str
) -> BankDetails:
    details = _clean(sort_code, account_number, account_name)
    token = _fernet().encrypt(json.dumps(details.__dict__).encode()).decode()
    row = db.session.scalar(select(BankDetails).where(BankDetails.volunteer_id == volunteer.id))
    if row is None:
        row = BankDetails(volunteer_id=volunteer.id, ciphertext=token)
        db.session.add(row)
    else:
        row.ciphertext = token
    db.session.flush()
    audit("expenses.bank_details_saved", actor=actor, target=row)
    return row


def remove(*, actor: User, volunteer: Volunteer) -> None:
    row = db.session.scalar(select(BankDetails).where(BankDetails.volunteer_id == volunteer.id))
    if row is not None:
        audit("expenses.bank_details_removed", actor=actor, target=row)
        db.session.delete(row)
        db.session.flush()


def read(*, actor: User | None, volunteer_id: int, purpose: str) -> Details | None:
    """Decrypt a volunteer's details for ``purpose``; every read is audited."""
    row = db.session.scalar(select(BankDetails).where(BankDetails.volunteer_id == volunteer_id))
    if row is None:
        return None
    try:
        plain = _fernet().decrypt(row.ciphertext.encode())
    except InvalidToken:
        raise DomainError(
            "Bank details cannot be read with the configured keys (was a key removed too soon?)"
        ) from None
    audit("expenses.bank_details_viewed", actor=actor, target=row, details={"purpose": purpose})
    return Details(**json.loads(plain))


def rotate() -> int:
    """Re-encrypt every row with the first key; returns how many rows."""
    fernet = _fernet()
    count = 0
    for row in db.session.scalars(select(BankDetails)):
        row.ciphertext = fernet.rotate(row.ciphertext.encode()).decode()
        count += 1
    db.session.flush()
    return count


def payment_rows(*, actor: User, batch: PaymentBatch, bank_payments: bool) -> list[list[Any]]:
    """A payment batch's file: payee, email, claim references, amount and, where the
    organisation pays into bank accounts and keys are set, the bank details (each read
    audited, so the caller commits)."""
    by_volunteer: dict[int, list[ExpenseClaim]] = {}
    for claim in batch.claims:
        by_volunteer.setdefault(claim.volunteer_id, []).append(claim)
    rows: list[list[Any]] = [
        [
            "payee",
            "email",
            "claim_references",
            "amount",
            "account_name",
            "sort_code",
            "account_number",
        ]
    ]
    for claims in by_volunteer.values():
        volunteer = claims[0].volunteer
        details = None
        if bank_payments and keys_configured():
            details = read(
                actor=actor, volunteer_id=volunteer.id, purpose=f"batch {batch.reference}"
            )
        rows.append(
            [
                volunteer.name,
                volunteer.email or "",
                " ".join(c.reference for c in claims),
                two_dp(Decimal(sum(c.decided_pence for c in claims)) / 100),
                details.account_name if details else "",
                details.sort_code if details else "",
                details.account_number if details else "",
            ]
        )
    return rows
