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
- ``redaction.redact`` then walks the database metadata from the person's records: the free text
  of every row that is theirs alone (any text column not listed as a code: hour decision
  reasons, application events' notes, training evidence, grants to them…) is emptied, and in
  rows shared with someone else (time-bank exchanges and transfers, answers to their listings),
  held rows and audit events about them, their full name (and "first last", "Mr/Ms surname"),
  their email and phone number in any format, and each distinctive part of their name (never a
  particle or common word such as "van", "de", "will") are replaced. A safety net searches every
  text and JSON column of every table for their full name(s), email address(es) and phone
  number(s), but never changes another person's profile, and changes a row not attached to
  them only if it holds their email address or phone number (a full name alone may be a
  namesake's). See ``redaction``.

Legal holds: a paid expense claim (items and receipts) is kept for ``RETENTION_PAID_CLAIMS``
months (6 years) after payment, for the accounts; a supervision record with a concern recorded is
kept for ``RETENTION_CONCERNS`` months (6 years) after the meeting, for safeguarding. Held records
lose only the person's identifying strings; ``flask retention purge`` anonymises them when the hold
ends. Erasing twice is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import and_, delete, event, func, or_, select, update
from sqlalchemy.orm import Session
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
from volunteer_hub.core.formatting import long_date, plural
from volunteer_hub.core.models import utcnow
from volunteer_hub.expenses.models import BankDetails, ExpenseClaim, ExpenseItem, Receipt
from volunteer_hub.expenses.storage import receipt_storage
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.placements.models import Placement
from volunteer_hub.privacy import redaction, retention
from volunteer_hub.privacy.models import PrivacyRequest
from volunteer_hub.privacy.redaction import ERASED_DOMAIN, ERASED_TEXT
from volunteer_hub.recruitment.models import Application, DbsRecord, Reference
from volunteer_hub.reminders.models import ReminderPreference
from volunteer_hub.reports.models import QuarterlyDelivery, QuarterlySubscription
from volunteer_hub.supervision.models import SupervisionAction, SupervisionRecord
from volunteer_hub.timebank.models import Account, Exchange, Listing, Match, Transfer
from volunteer_hub.training.models import Completion, TrainingException
from volunteer_hub.volunteers.equality import EqualityAnswers
from volunteer_hub.volunteers.models import Volunteer

VOLUNTEER_PLACEHOLDER = "Erased person {id}"
USER_PLACEHOLDER = "Erased user {id}"
#: ``session.info`` key: receipt files to delete once the transaction has committed.
PENDING_FILES = "privacy_receipt_files_to_delete"

HOLD_PAID_CLAIM = "paid_expense_claim"
HOLD_CONCERN = "safeguarding_concern"


@dataclass(frozen=True)
class Hold:
    """A record kept under a legal hold: what it is and until when."""

    kind: str
    what: str
    until: date

    def line(self) -> str:
        return f"{self.what}: kept until {long_date(self.until)}"


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
    #: Values in which mentions of them were replaced (their rows, shared rows, everywhere).
    replaced: int = 0
    #: Rows kept under a legal hold (table name → ids): their text is only redacted.
    held_rows: dict[str, set[int]] = field(default_factory=dict, repr=False)


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
        result.erased.append(f"{plural(dbs.rowcount, 'DBS record')} deleted")  # type: ignore[attr-defined]

    applications = select(Application.id).where(Application.volunteer_id == vid)
    references = db.session.execute(
        delete(Reference).where(Reference.application_id.in_(applications))
    )
    if references.rowcount:  # type: ignore[attr-defined]
        result.erased.append(f"{plural(references.rowcount, 'reference')} deleted")  # type: ignore[attr-defined]
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
    ).all()
    blanked = 0
    for record in records:
        if record.concerns and record.concerns.strip():
            until = _hold_until(record.met_on, "concerns")
            if until is None or until > today:
                result.holds.append(
                    Hold(
                        HOLD_CONCERN,
                        f"Supervision record of {long_date(record.met_on)} with a concern "
                        "recorded (safeguarding)",
                        until or date.max,
                    )
                )
                result.held_rows.setdefault(SupervisionRecord.__tablename__, set()).add(record.id)
                continue
        if anonymise_supervision_record(record):
            blanked += 1
    if blanked:
        result.erased.append(f"{plural(blanked, 'supervision record')}: notes and comments emptied")


def _empty_own_rows(table: str, row_id: int) -> bool:
    """Empty every other free-text column of this row and the rows under it (and their audit
    events' free text): see ``redaction``. True if anything was left to empty."""
    return redaction.redact(redaction.Identity(), start={table: {row_id}}).emptied > 0


def anonymise_supervision_record(record: SupervisionRecord, *, empty_rows: bool = True) -> bool:
    """Empty a supervision record's text and its actions' descriptions; True if anything was
    left to empty. With ``empty_rows=False`` the caller empties the record's other free text
    (``redaction.redact``, one call for many records) and only the fields named here count."""
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
    if not empty_rows:
        return changed
    return _empty_own_rows(SupervisionRecord.__tablename__, record.id) or changed


def anonymise_claim(claim: ExpenseClaim, *, empty_rows: bool = True) -> bool:
    """Empty a claim's item descriptions, postcodes and other free text (decision reasons) and
    delete its receipts (amounts, dates, miles and decisions stay); True if anything was left to
    do. With ``empty_rows=False`` the caller empties the other free text (``redaction.redact``,
    one call for many claims) and only what is done here counts."""
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
    dropped = _drop_receipts(receipts)
    if not empty_rows:
        return dropped > 0 or changed
    return _empty_own_rows(ExpenseClaim.__tablename__, claim.id) or dropped > 0 or changed


def _erase_expenses(vid: int, today: date, result: ErasureResult) -> None:
    claims = db.session.scalars(
        select(ExpenseClaim).where(ExpenseClaim.volunteer_id == vid).order_by(ExpenseClaim.id)
    ).all()
    anonymised = 0
    for claim in claims:
        if claim.paid_on is not None:
            until = _hold_until(claim.paid_on, "paid_claims")
            if until is None or until > today:
                result.holds.append(
                    Hold(
                        HOLD_PAID_CLAIM,
                        f"Expense claim {claim.reference}, paid on {long_date(claim.paid_on)}, "
                        "with its receipts (accounting records)",
                        until or date.max,
                    )
                )
                result.held_rows.setdefault(ExpenseClaim.__tablename__, set()).add(claim.id)
                continue
        if anonymise_claim(claim):
            anonymised += 1
    if anonymised:
        result.erased.append(
            f"{plural(anonymised, 'expense claim')}: descriptions, postcodes and receipt files "
            "removed (amounts kept)"
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
    # A partner's quarterly report subscription (and its delivery log) ends with the account.
    subscriptions = select(QuarterlySubscription.id).where(QuarterlySubscription.user_id == user.id)
    db.session.execute(
        delete(QuarterlyDelivery).where(QuarterlyDelivery.subscription_id.in_(subscriptions))
    )
    db.session.execute(
        delete(QuarterlySubscription).where(QuarterlySubscription.user_id == user.id)
    )
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
        f"{plural(len(accounts), 'time-bank account')}: name and contact details removed, listings "
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
        result.erased.append(f"{plural(len(messages), 'email')} in the outbox emptied")


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

    # What redaction looks for: every name, address and number the person was known by.
    names = {volunteer.name if volunteer else "", user.name if user else ""}
    names |= {a.name for a in accounts}
    addresses = emails | {a.email.lower() for a in accounts if a.email}
    phones = {volunteer.phone if volunteer else None} | {a.phone for a in accounts}
    known_as = redaction.identity(
        names=names,
        emails=addresses,
        phones=[p for p in phones if p],
        name_placeholder=name,
        email_placeholder=placeholder_email,
    )

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
    counts = redaction.redact(
        known_as,
        start={
            User.__tablename__: {user.id} if user is not None else set(),
            Volunteer.__tablename__: {volunteer.id} if volunteer is not None else set(),
            Account.__tablename__: {a.id for a in accounts},
        },
        held=result.held_rows,
        actor_id=user.id if user is not None else None,
    )
    if counts.emptied:
        result.erased.append(
            f"free text emptied: {plural(counts.emptied, 'more value')} on their records"
        )
    result.replaced = counts.replaced
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
