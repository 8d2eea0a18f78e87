"""Bank details: encrypted at rest with MultiFernet, shown masked, every view audited.

Keys come from ``BANK_DETAILS_KEYS`` (comma-separated Fernet keys, newest first): new details are
encrypted with the first; any listed key decrypts. ``flask expenses rotate-keys`` re-encrypts
every row with the first key so an old key can then be removed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.expenses.models import BankDetails
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
