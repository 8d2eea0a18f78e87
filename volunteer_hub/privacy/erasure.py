"""Erasure: the person becomes an anonymous stub, and every reported figure stays the same.

What happens (``erase``):

- The volunteer record keeps its id, with the name replaced by ``Erased person <id>`` and every
  other profile field (email, phone, date of birth, postcode, emergency contact, skills,
  interests, languages, availability, access needs) emptied. Equality answers, bank details, DBS
  records and references are deleted.
- The sign-in is deactivated: placeholder name and email (``erased-<user id>@erased.invalid``),
  no password, no two-factor secret or recovery codes, sessions ended, API tokens revoked,
  reminder preferences deleted, consents marked withdrawn (the records of what was agreed stay,
  without anything identifying).
- Free text the person wrote is emptied: application messages (and a guardian's name), hour
  notes, supervision comments, expense item descriptions and postcodes, time-bank listings, match
  messages and the exchanges they recorded; time-bank accounts lose name, email, phone and area.
  Receipt files are deleted (after the transaction commits) except those under a legal hold.
- Outbox messages addressed to them keep only their kind and dates.
- Rows and ids stay, so hours, placements, expense amounts and time-bank entries still count.
  ``timebank_entry`` is never touched (it is append-only by database trigger).
- A safety net then searches every text and JSON column of every table for the person's original
  name(s), email address(es) and phone number(s) and replaces them with placeholders.

Legal holds: a paid expense claim (items and receipts) is kept for ``RETENTION_PAID_CLAIMS``
months (6 years) after payment, for the accounts; a supervision record with a concern recorded is
kept for ``RETENTION_CONCERNS`` months (6 years) after the meeting, for safeguarding. Held records
lose only the person's identifying strings; ``flask retention purge`` anonymises them when the hold
ends. Erasing twice is harmless.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import Column, Table, Text, and_, cast, delete, event, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import sqltypes
from sqlalchemy.sql.elements import ColumnElement

from volunteer_hub.accounts import audit
from volunteer_hub.accounts.models import (
    ConsentRecord,
    OutboxMessage,
    OutboxStatus,
    RecoveryCode,
    User,
)
from volunteer_hub.api.models import ApiToken
from volunteer_hub.core.dates import add_months
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.expenses.models import BankDetails, ExpenseClaim, ExpenseItem, Receipt
from volunteer_hub.expenses.storage import receipt_storage
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.placements.models import Placement
from volunteer_hub.privacy import retention
from volunteer_hub.privacy.models import PrivacyRequest
from volunteer_hub.recruitment.models import Application, DbsRecord, Reference
from volunteer_hub.reminders.models import ReminderPreference
from volunteer_hub.supervision.models import SupervisionAction, SupervisionRecord
from volunteer_hub.timebank.models import Account, Exchange, Listing, Match, Transfer
from volunteer_hub.training.models import Completion, TrainingException
from volunteer_hub.volunteers.equality import EqualityAnswers
from volunteer_hub.volunteers.models import Volunteer

#: Replaces free text in columns that may not be empty.
ERASED_TEXT = "[erased]"
ERASED_DOMAIN = "erased.invalid"
VOLUNTEER_PLACEHOLDER = "Erased person {id}"
USER_PLACEHOLDER = "Erased user {id}"
#: Never scanned or changed: append-only by database trigger (and holds no text).
SKIP_TABLES = frozenset({"timebank_entry"})
#: ``session.info`` key: receipt files to delete once the transaction has committed.
PENDING_FILES = "privacy_receipt_files_to_delete"
#: Names shorter than this are not searched for by the safety net (too likely in other words).
MIN_NAME_LENGTH = 3
MIN_PHONE_DIGITS = 6

HOLD_PAID_CLAIM = "paid_expense_claim"
HOLD_CONCERN = "safeguarding_concern"


@dataclass(frozen=True)
class Hold:
    """A record kept under a legal hold: what it is and until when."""

    kind: str
    what: str
    until: date

    def line(self) -> str:
        return f"{self.what}: kept until {self.until.isoformat()}"


@dataclass
class ErasureResult:
    volunteer_id: int | None
    user_id: int | None
    #: The name that replaces the person's everywhere.
    placeholder: str
    #: The person had been erased before (this run changed nothing that mattered).
    already_erased: bool
    #: What was erased, one short line each (no personal data).
    erased: list[str] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    #: Values changed by the safety-net scan of every text column.
    replaced: int = 0


# --- placeholders --------------------------------------------------------------------------


def volunteer_placeholder(volunteer_id: int) -> str:
    return VOLUNTEER_PLACEHOLDER.format(id=volunteer_id)


def user_placeholder_email(user_id: int) -> str:
    return f"erased-{user_id}@{ERASED_DOMAIN}"


def is_erased_volunteer(volunteer: Volunteer) -> bool:
    return volunteer.name == volunteer_placeholder(volunteer.id)


def is_erased_user(user: User) -> bool:
    return user.email == user_placeholder_email(user.id)


def erased_volunteer_ids() -> set[int]:
    """Ids of volunteer records that are erased stubs."""
    rows = db.session.execute(
        select(Volunteer.id, Volunteer.name).where(Volunteer.name.like("Erased person %"))
    )
    return {vid for vid, name in rows if name == volunteer_placeholder(vid)}


def _is_placeholder(text: str) -> bool:
    lowered = text.casefold()
    return lowered.startswith("erased person ") or lowered.startswith("erased user ")


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


# --- the safety net ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Needle:
    #: What SQL searches for (case-insensitively).
    search: tuple[str, ...]
    pattern: re.Pattern[str]
    replacement: str


def _name_needle(name: str, replacement: str) -> _Needle | None:
    name = " ".join(name.split())
    if len(name) < MIN_NAME_LENGTH or _is_placeholder(name):
        return None
    body = r"\s+".join(re.escape(part) for part in name.split(" "))
    pattern = re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)
    return _Needle((name,), pattern, replacement)


def _email_needle(email: str, replacement: str) -> _Needle | None:
    email = email.strip()
    if "@" not in email or email.lower().endswith("@" + ERASED_DOMAIN):
        return None
    pattern = re.compile(rf"(?<![\w.+-]){re.escape(email)}(?![\w-]|\.\w)", re.IGNORECASE)
    return _Needle((email,), pattern, replacement)


def _phone_needle(phone: str) -> _Needle | None:
    digits = re.sub(r"\D", "", phone)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    body = r"[\s().-]*".join(digits)
    pattern = re.compile(rf"(?<![\d+])\+?{body}(?!\d)")
    searches = tuple(dict.fromkeys([phone.strip(), digits]))
    return _Needle(searches, pattern, ERASED_TEXT)


def _replace_text(value: str, needles: list[_Needle]) -> str:
    for needle in needles:
        value = needle.pattern.sub(needle.replacement, value)
    return value


def _replace_json(value: Any, needles: list[_Needle]) -> Any:
    if isinstance(value, str):
        return _replace_text(value, needles)
    if isinstance(value, list):
        return [_replace_json(item, needles) for item in value]
    if isinstance(value, dict):
        return {
            _replace_json(key, needles): _replace_json(item, needles) for key, item in value.items()
        }
    return value


def _text_columns(table: Table) -> tuple[list[Column[Any]], list[Column[Any]]]:
    strings: list[Column[Any]] = []
    documents: list[Column[Any]] = []
    for column in table.columns:
        if column.primary_key:
            continue
        if isinstance(column.type, sqltypes.JSON):
            documents.append(column)
        elif isinstance(column.type, sqltypes.String):
            strings.append(column)
    return strings, documents


def _contains(expression: ColumnElement[Any], text: str) -> ColumnElement[bool]:
    return func.lower(expression).contains(text.lower(), autoescape=True)


def scrub(needles: list[_Needle]) -> int:
    """Replace the needles in every text and JSON column of every table (except the append-only
    ledger); returns how many values changed. Core statements: ORM objects are expired after."""
    if not needles:
        return 0
    db.session.flush()
    changed = 0
    for table in db.metadata.sorted_tables:
        if table.name in SKIP_TABLES:
            continue
        strings, documents = _text_columns(table)
        if not strings and not documents:
            continue
        conditions: list[ColumnElement[bool]] = []
        for column in strings:
            conditions += [_contains(column, s) for n in needles for s in n.search]
        for column in documents:
            as_text = cast(column, Text)
            for needle in needles:
                for s in needle.search:
                    conditions.append(_contains(as_text, s))
                    escaped = json.dumps(s)[1:-1]
                    if escaped != s:
                        conditions.append(_contains(as_text, escaped))
        keys = list(table.primary_key.columns)
        columns = [*strings, *documents]
        rows = db.session.execute(select(*keys, *columns).where(or_(*conditions))).all()
        for row in rows:
            values: dict[str, Any] = {}
            for index, column in enumerate(columns, start=len(keys)):
                old = row[index]
                if old is None:
                    continue
                if column in documents:
                    new = _replace_json(old, needles)
                else:
                    new = _replace_text(old, needles)
                    length = getattr(column.type, "length", None)
                    if length and len(new) > length:
                        new = new[:length]
                if new != old:
                    values[column.name] = new
            if values:
                where = and_(*[key == row[i] for i, key in enumerate(keys)])
                db.session.execute(table.update().where(where).values(values))
                changed += len(values)
    db.session.expire_all()
    return changed


# --- erasure -------------------------------------------------------------------------------


def _hold_until(start: date, kind: str) -> date | None:
    """The end of a hold that started on ``start`` (None: held with no end)."""
    months = retention.schedule()[kind]
    return None if months is None else add_months(start, months)


def _erase_volunteer(volunteer: Volunteer, name: str, today: date, result: ErasureResult) -> None:
    vid = volunteer.id
    for attribute in (
        "email",
        "phone",
        "date_of_birth",
        "postcode",
        "emergency_contact_name",
        "emergency_contact_phone",
        "skills",
        "interests",
        "availability",
        "languages",
        "access_needs",
    ):
        setattr(volunteer, attribute, None)
    volunteer.name = name
    result.erased.append("volunteer record: name and contact details replaced, profile emptied")

    deleted = db.session.execute(delete(EqualityAnswers).where(EqualityAnswers.volunteer_id == vid))
    if deleted.rowcount:  # type: ignore[attr-defined]
        result.erased.append("equality answers deleted")
    db.session.execute(delete(BankDetails).where(BankDetails.volunteer_id == vid))
    dbs = db.session.execute(delete(DbsRecord).where(DbsRecord.volunteer_id == vid))
    if dbs.rowcount:  # type: ignore[attr-defined]
        result.erased.append(f"{dbs.rowcount} DBS record(s) deleted")  # type: ignore[attr-defined]

    applications = select(Application.id).where(Application.volunteer_id == vid)
    references = db.session.execute(
        delete(Reference).where(Reference.application_id.in_(applications))
    )
    if references.rowcount:  # type: ignore[attr-defined]
        result.erased.append(f"{references.rowcount} reference(s) deleted")  # type: ignore[attr-defined]
    db.session.execute(
        update(Application)
        .where(Application.volunteer_id == vid)
        .values(message=None, guardian_name=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(HourRecord)
        .where(HourRecord.volunteer_id == vid, HourRecord.note.is_not(None))
        .values(note=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Completion)
        .where(Completion.volunteer_id == vid, Completion.evidence.is_not(None))
        .values(evidence=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(TrainingException)
        .where(TrainingException.volunteer_id == vid)
        .values(reason=ERASED_TEXT)
        .execution_options(synchronize_session=False)
    )
    result.erased.append("free text emptied: applications, hours, training notes")

    _erase_supervision(vid, today, result)
    _erase_expenses(vid, today, result)


def _erase_supervision(vid: int, today: date, result: ErasureResult) -> None:
    records = db.session.scalars(
        select(SupervisionRecord)
        .join(Placement, Placement.id == SupervisionRecord.placement_id)
        .where(Placement.volunteer_id == vid)
        .order_by(SupervisionRecord.id)
    )
    blanked = 0
    for record in records:
        if record.concerns and record.concerns.strip():
            until = _hold_until(record.met_on, "concerns")
            if until is None or until > today:
                result.holds.append(
                    Hold(
                        HOLD_CONCERN,
                        f"Supervision record of {record.met_on.isoformat()} with a concern "
                        "recorded (safeguarding)",
                        until or date.max,
                    )
                )
                continue
        if anonymise_supervision_record(record):
            blanked += 1
    if blanked:
        result.erased.append(f"{blanked} supervision record(s): notes and comments emptied")


def anonymise_supervision_record(record: SupervisionRecord) -> bool:
    """Empty a supervision record's text and its actions' descriptions; True if anything was
    left to empty."""
    changed = False
    for attribute in ("went_well", "concerns", "confidential_notes", "volunteer_comment"):
        if getattr(record, attribute) is not None:
            setattr(record, attribute, None)
            changed = True
    for action in db.session.scalars(
        select(SupervisionAction).where(SupervisionAction.record_id == record.id)
    ):
        if action.description != ERASED_TEXT:
            action.description = ERASED_TEXT
            changed = True
    return changed


def anonymise_claim(claim: ExpenseClaim) -> bool:
    """Empty a claim's item descriptions and postcodes and delete its receipts (amounts, dates,
    miles and decisions stay); True if anything was left to do."""
    changed = False
    for item in db.session.scalars(select(ExpenseItem).where(ExpenseItem.claim_id == claim.id)):
        if (item.description, item.start_postcode, item.end_postcode) != (ERASED_TEXT, None, None):
            item.description = ERASED_TEXT
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


def _erase_expenses(vid: int, today: date, result: ErasureResult) -> None:
    claims = db.session.scalars(
        select(ExpenseClaim).where(ExpenseClaim.volunteer_id == vid).order_by(ExpenseClaim.id)
    )
    anonymised = 0
    for claim in claims:
        if claim.paid_on is not None:
            until = _hold_until(claim.paid_on, "paid_claims")
            if until is None or until > today:
                result.holds.append(
                    Hold(
                        HOLD_PAID_CLAIM,
                        f"Expense claim {claim.reference}, paid on {claim.paid_on.isoformat()}, "
                        "with its receipts (accounting records)",
                        until or date.max,
                    )
                )
                continue
        if anonymise_claim(claim):
            anonymised += 1
    if anonymised:
        result.erased.append(
            f"{anonymised} expense claim(s): descriptions, postcodes and receipt files removed "
            "(amounts kept)"
        )


def _erase_user(user: User, name: str, result: ErasureResult) -> None:
    user.name = name
    user.email = user_placeholder_email(user.id)
    user.password_hash = None
    user.is_active = False
    user.session_version = (user.session_version or 1) + 1
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.failed_sign_ins = 0
    user.throttled_until = None
    now = utcnow()
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(ReminderPreference).where(ReminderPreference.user_id == user.id))
    db.session.execute(
        update(ConsentRecord)
        .where(ConsentRecord.user_id == user.id, ConsentRecord.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    result.erased.append(
        "sign-in deactivated: placeholder name and email, no password or two-factor, "
        "consents withdrawn"
    )


def _erase_timebank(accounts: list[Account], name: str, result: ErasureResult) -> None:
    if not accounts:
        return
    ids = [a.id for a in accounts]
    for account in accounts:
        account.name = name
        account.email = account.phone = account.area = None
    db.session.execute(
        update(Listing)
        .where(Listing.account_id.in_(ids))
        .values(title=ERASED_TEXT, description=None, availability=None, area=None, status="closed")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Match)
        .where(Match.account_id.in_(ids))
        .values(message=None)
        .execution_options(synchronize_session=False)
    )
    own = or_(
        and_(Exchange.giver_id.in_(ids), Exchange.recorded_by == "giver"),
        and_(Exchange.receiver_id.in_(ids), Exchange.recorded_by == "receiver"),
    )
    transfers = select(Exchange.transfer_id).where(own, Exchange.transfer_id.is_not(None))
    db.session.execute(
        update(Transfer)
        .where(Transfer.id.in_(transfers))
        .values(description=ERASED_TEXT)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Exchange)
        .where(own)
        .values(description=ERASED_TEXT)
        .execution_options(synchronize_session=False)
    )
    result.erased.append(
        f"{len(accounts)} time-bank account(s): name and contact details removed, listings "
        "closed and emptied (balances and entries kept)"
    )


def _erase_outbox(
    user: User | None, emails: set[str], placeholder_email: str, result: ErasureResult
) -> None:
    conditions: list[ColumnElement[bool]] = []
    if user is not None:
        conditions.append(OutboxMessage.user_id == user.id)
    if emails:
        conditions.append(func.lower(OutboxMessage.to_address).in_(sorted(emails)))
    if not conditions:
        return
    messages = list(db.session.scalars(select(OutboxMessage).where(or_(*conditions))))
    for message in messages:
        message.to_address = placeholder_email
        message.subject = ERASED_TEXT
        message.body_text = ""
        message.body_html = ""
        if message.status == OutboxStatus.PENDING.value:
            message.status = OutboxStatus.FAILED.value
            message.last_error = "recipient erased"
    if messages:
        result.erased.append(f"{len(messages)} email(s) in the outbox emptied")


def _record_on_requests(
    user: User | None, volunteer: Volunteer | None, holds: list[Hold]
) -> list[PrivacyRequest]:
    about: list[ColumnElement[bool]] = []
    if user is not None:
        about.append(PrivacyRequest.user_id == user.id)
    if volunteer is not None:
        about.append(PrivacyRequest.volunteer_id == volunteer.id)
    requests = list(
        db.session.scalars(
            select(PrivacyRequest).where(
                PrivacyRequest.kind == "erasure",
                PrivacyRequest.status.not_in(("erased", "refused")),
                or_(*about),
            )
        )
    )
    now = utcnow()
    for request in requests:
        request.status = "erased"
        request.erased_at = now
        request.holds = "\n".join(h.line() for h in holds) or None
    return requests


def erase(
    *,
    actor: User | None,
    volunteer: Volunteer | None = None,
    user: User | None = None,
    today: date,
) -> ErasureResult:
    """Erase a person (given by their volunteer record, their sign-in, or both) and keep an
    anonymous stub; flushes, never commits. Receipt files go once the transaction commits."""
    if volunteer is None and user is None:
        raise DomainError("Say whom to erase")
    if user is None and volunteer is not None and volunteer.user_id is not None:
        user = db.session.get(User, volunteer.user_id)
    if volunteer is None and user is not None:
        volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
    already = (volunteer is None or is_erased_volunteer(volunteer)) and (
        user is None or is_erased_user(user)
    )
    if volunteer is not None:
        name = volunteer_placeholder(volunteer.id)
    else:
        assert user is not None
        name = USER_PLACEHOLDER.format(id=user.id)
    placeholder_email = (
        user_placeholder_email(user.id)
        if user is not None
        else f"erased-v{volunteer.id if volunteer else 0}@{ERASED_DOMAIN}"
    )
    emails = {
        e.strip().lower()
        for e in (volunteer.email if volunteer else None, user.email if user else None)
        if e and not e.lower().endswith("@" + ERASED_DOMAIN)
    }
    account_conditions: list[ColumnElement[bool]] = []
    if user is not None:
        account_conditions.append(Account.user_id == user.id)
    if emails:
        account_conditions.append(func.lower(Account.email).in_(sorted(emails)))
    accounts = list(
        db.session.scalars(
            select(Account).where(Account.kind == "person", or_(*account_conditions))
        )
    )

    # What the safety net looks for: every name, address and number the person was known by.
    names = {volunteer.name if volunteer else "", user.name if user else ""}
    names |= {a.name for a in accounts}
    addresses = emails | {a.email.lower() for a in accounts if a.email}
    phones = {volunteer.phone if volunteer else None} | {a.phone for a in accounts}
    needles = [n for n in (_email_needle(e, placeholder_email) for e in sorted(addresses)) if n]
    # Longer names first, so "Ann Smith-Jones" is replaced before "Ann Smith".
    for text in sorted((n for n in names if n), key=len, reverse=True):
        needle = _name_needle(text, name)
        if needle is not None:
            needles.append(needle)
    needles += [n for n in (_phone_needle(p) for p in sorted(p for p in phones if p)) if n]

    result = ErasureResult(
        volunteer_id=volunteer.id if volunteer else None,
        user_id=user.id if user else None,
        placeholder=name,
        already_erased=already,
    )
    if volunteer is not None:
        _erase_volunteer(volunteer, name, today, result)
    if user is not None:
        _erase_user(user, name, result)
    _erase_timebank(accounts, name, result)
    _erase_outbox(user, addresses, placeholder_email, result)
    db.session.flush()
    result.replaced = scrub(needles)
    _record_on_requests(user, volunteer, result.holds)
    audit.record(
        "privacy.erased",
        actor=actor,
        target_type="volunteers_volunteer" if volunteer is not None else "accounts_user",
        target_id=result.volunteer_id if volunteer is not None else result.user_id,
        details={
            "volunteer_id": result.volunteer_id,
            "user_id": result.user_id,
            "holds": [{"kind": h.kind, "until": h.until.isoformat()} for h in result.holds],
            "already_erased": already,
        },
    )
    return result
