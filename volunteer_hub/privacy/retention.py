"""The retention schedule and ``purge``, which applies it (``flask retention purge``).

Every setting is a number of months (``None``: keep for ever). Defaults are in ``DEFAULTS``; an
installation overrides them with a single ``RETENTION`` dict in the app config
(``{"applicants": 18}``) or one ``RETENTION_<KIND>`` setting per kind (``RETENTION_DBS = 6``),
the latter winning. Each step picks only records that still need doing, so a second run with the
same clock purges nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, or_, select

from volunteer_hub.accounts.models import (
    AuditEvent,
    Membership,
    OutboxMessage,
    Role,
    User,
    UserRole,
)
from volunteer_hub.core.dates import add_months
from volunteer_hub.expenses.models import ExpenseClaim, ExpenseItem, Receipt
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.placements.models import Placement
from volunteer_hub.privacy import redaction
from volunteer_hub.recruitment.models import CLOSED, Application, DbsRecord, Reference
from volunteer_hub.supervision.models import SupervisionRecord
from volunteer_hub.timebank.models import Account, Exchange, TimeBankCoordinator
from volunteer_hub.training.models import Booking, Completion
from volunteer_hub.volunteers.models import Volunteer

#: kind → months (None: never purged). The order is the order ``purge`` runs and prints them.
DEFAULTS: dict[str, int | None] = {
    # People: erased (anonymised, see erasure.py) after this long without any activity.
    "applicants": 12,  # never placed: months after their last activity
    "volunteers": 36,  # placed at some time: months after their last activity
    # Records.
    "dbs": 6,  # DBS records: deleted this long after the decision
    "references": 0,  # referee details and answers: removed once the application is decided
    "receipts": 72,  # receipt files: after the claim was paid (or submitted, if never paid)
    # Legal holds on erased people's records: anonymised when the hold ends.
    "paid_claims": 72,  # paid expense claims: after payment (HMRC: 6 years)
    "concerns": 72,  # supervision records with a concern recorded: after the meeting
    # Logs.
    "sign_ins": 24,  # sign-in, sign-out and two-factor entries of the audit log
    "audit": 24,  # every other audit log entry
    "outbox": 24,  # emails, sent or not, after they were queued
}
#: What each kind does to a record, for the command's output.
VERBS = {
    "applicants": "erased",
    "volunteers": "erased",
    "dbs": "deleted",
    "references": "anonymised",
    "receipts": "deleted",
    "paid_claims": "anonymised",
    "concerns": "anonymised",
    "sign_ins": "deleted",
    "audit": "deleted",
    "outbox": "deleted",
}
SIGN_IN_ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_in_throttled",
    "sign_out",
    "two_factor_failed",
    "recovery_code_used",
)
REMOVED = "[removed]"
REMOVED_EMAIL = "removed@erased.invalid"


def schedule() -> dict[str, int | None]:
    """The schedule in force: defaults < ``RETENTION`` (a dict) < ``RETENTION_<KIND>``."""
    config = current_app.config
    values = dict(DEFAULTS)
    overrides: dict[str, Any] = dict(config.get("RETENTION") or {})
    for kind in DEFAULTS:
        key = f"RETENTION_{kind.upper()}"
        if key in config:
            overrides[kind] = config[key]
    for kind, value in overrides.items():
        if kind not in DEFAULTS:
            raise ValueError(f"RETENTION: unknown kind {kind!r} (known: {', '.join(DEFAULTS)})")
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "never")):
            values[kind] = None
            continue
        months = int(value)
        if months < 0:
            raise ValueError(f"RETENTION_{kind.upper()} must be 0 or more months")
        values[kind] = months
    return values


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).date()
    if isinstance(value, date):
        return value
    return None


# --- people ----------------------------------------------------------------------------------


def _staff_user_ids() -> set[int]:
    """People who work for the centre or an organisation: never erased by retention."""
    ids: set[int] = set()
    ids |= set(
        db.session.scalars(
            select(UserRole.user_id).where(
                UserRole.role.in_((Role.ADMIN.value, Role.CENTRE_COORDINATOR.value))
            )
        )
    )
    ids |= set(db.session.scalars(select(Membership.user_id)))
    ids |= set(db.session.scalars(select(TimeBankCoordinator.user_id)))
    ids |= set(db.session.scalars(select(Placement.supervisor_id)))
    return ids


def last_activity(today: date) -> dict[int, date]:
    """Each volunteer's last activity: profile changes, sign-ins, applications, placements (an
    open placement counts as today), hours, supervision, training, expenses, time-bank
    exchanges."""
    latest: dict[int, date] = {}

    def take(rows: Iterable[Any]) -> None:
        for vid, *values in rows:
            for value in values:
                day = _as_date(value)
                if day is not None and (vid not in latest or day > latest[vid]):
                    latest[vid] = day

    take(db.session.execute(select(Volunteer.id, Volunteer.created_at, Volunteer.updated_at)))
    take(
        db.session.execute(
            select(Volunteer.id, User.created_at, User.last_sign_in_at).join(
                User, User.id == Volunteer.user_id
            )
        )
    )
    take(
        db.session.execute(
            select(Application.volunteer_id, func.max(Application.updated_at)).group_by(
                Application.volunteer_id
            )
        )
    )
    take(
        db.session.execute(
            select(
                HourRecord.volunteer_id, func.max(HourRecord.date), func.max(HourRecord.created_at)
            ).group_by(HourRecord.volunteer_id)
        )
    )
    take(
        db.session.execute(
            select(
                Placement.volunteer_id,
                func.max(Placement.start_date),
                func.max(Placement.end_date),
            ).group_by(Placement.volunteer_id)
        )
    )
    take(
        (vid, today)
        for vid in db.session.scalars(
            select(Placement.volunteer_id).where(Placement.end_date.is_(None)).distinct()
        )
    )
    take(
        db.session.execute(
            select(Placement.volunteer_id, func.max(SupervisionRecord.met_on))
            .join(SupervisionRecord, SupervisionRecord.placement_id == Placement.id)
            .group_by(Placement.volunteer_id)
        )
    )
    take(
        db.session.execute(
            select(Completion.volunteer_id, func.max(Completion.completed_on)).group_by(
                Completion.volunteer_id
            )
        )
    )
    take(
        db.session.execute(
            select(Booking.volunteer_id, func.max(Booking.created_at)).group_by(
                Booking.volunteer_id
            )
        )
    )
    take(
        db.session.execute(
            select(ExpenseClaim.volunteer_id, func.max(ExpenseClaim.updated_at)).group_by(
                ExpenseClaim.volunteer_id
            )
        )
    )
    for side in (Exchange.giver_id, Exchange.receiver_id):
        take(
            db.session.execute(
                select(Volunteer.id, func.max(Exchange.done_on), func.max(Account.created_at))
                .join(Account, Account.user_id == Volunteer.user_id)
                .join(Exchange, side == Account.id)
                .group_by(Volunteer.id)
            )
        )
    return latest


def inactive_people(today: date) -> dict[str, list[int]]:
    """Volunteer ids due for erasure: ``applicants`` (never placed, no hours) and
    ``volunteers`` (placed, or with hours)."""
    from volunteer_hub.privacy.erasure import erased_volunteer_ids

    settings = schedule()
    found: dict[str, list[int]] = {"applicants": [], "volunteers": []}
    if settings["applicants"] is None and settings["volunteers"] is None:
        return found
    erased = erased_volunteer_ids()
    staff = _staff_user_ids()
    # Placed at some time, or with hours recorded (imported hours may have no placement).
    placed = set(db.session.scalars(select(Placement.volunteer_id).distinct()))
    placed |= set(db.session.scalars(select(HourRecord.volunteer_id).distinct()))
    activity = last_activity(today)
    people = db.session.execute(select(Volunteer.id, Volunteer.user_id).order_by(Volunteer.id))
    for vid, user_id in people:
        if vid in erased or (user_id is not None and user_id in staff):
            continue
        kind = "volunteers" if vid in placed else "applicants"
        months = settings[kind]
        if months is None:
            continue
        if activity.get(vid, today) < add_months(today, -months):
            found[kind].append(vid)
    return found


def _erase_people(ids: list[int], today: date, dry_run: bool) -> int:
    if dry_run:
        return len(ids)
    from volunteer_hub.privacy.erasure import erase

    for vid in ids:
        volunteer = db.session.get(Volunteer, vid)
        if volunteer is not None:
            erase(actor=None, volunteer=volunteer, today=today)
    return len(ids)


# --- records ---------------------------------------------------------------------------------


def _count_or_delete(model: Any, conditions: list[Any], dry_run: bool) -> int:
    if dry_run:
        total = db.session.scalar(select(func.count()).select_from(model).where(*conditions))
        return int(total or 0)
    # Core statements: the audit log refuses ORM deletes, and nothing here needs the ORM.
    result = db.session.execute(delete(model.__table__).where(*conditions))
    return int(result.rowcount)  # type: ignore[attr-defined]


def _dbs(today: date, months: int, dry_run: bool, leaving: set[int]) -> int:
    cutoff = add_months(today, -months)
    conditions = [DbsRecord.decided_at < _start_of(cutoff), DbsRecord.issue_date < cutoff]
    if leaving:
        conditions.append(DbsRecord.volunteer_id.not_in(leaving))
    return _count_or_delete(DbsRecord, conditions, dry_run)


def _references(today: date, months: int, dry_run: bool, leaving: set[int]) -> int:
    statement = (
        select(Reference)
        .join(Application, Application.id == Reference.application_id)
        .where(
            Application.stage.in_([s.value for s in CLOSED]),
            Reference.referee_name != REMOVED,
        )
        .order_by(Reference.id)
    )
    if months:
        statement = statement.where(Application.updated_at < _start_of(add_months(today, -months)))
    if leaving:
        statement = statement.where(Application.volunteer_id.not_in(leaving))
    references = list(db.session.scalars(statement))
    if not dry_run:
        for reference in references:
            reference.referee_name = REMOVED
            reference.referee_email = REMOVED_EMAIL
            reference.relationship_to_applicant = REMOVED
            reference.known_for = None
            reference.would_recommend = None
            reference.comments = None
            # The link sent to the referee stops working.
            reference.nonce = secrets.token_hex(16)
    return len(references)


def _ended_holds(today: date, months: int | None) -> list[ExpenseClaim]:
    """Paid claims of erased people whose hold has ended."""
    from volunteer_hub.privacy.erasure import erased_volunteer_ids

    if months is None:
        return []
    erased = erased_volunteer_ids()
    if not erased:
        return []
    return list(
        db.session.scalars(
            select(ExpenseClaim)
            .where(
                ExpenseClaim.volunteer_id.in_(erased),
                ExpenseClaim.paid_on.is_not(None),
                ExpenseClaim.paid_on < add_months(today, -months),
            )
            .order_by(ExpenseClaim.id)
        )
    )


def _paid_claims(today: date, months: int, dry_run: bool) -> int:
    from volunteer_hub.privacy.erasure import ERASED_TEXT, anonymise_claim

    count = 0
    claims = _ended_holds(today, months)
    if not dry_run:
        done = [anonymise_claim(claim, empty_rows=False) for claim in claims]
        return _count_with_emptied(ExpenseClaim.__tablename__, claims, done)
    for claim in claims:
        left = db.session.scalar(
            select(func.count(ExpenseItem.id))
            .outerjoin(Receipt, Receipt.item_id == ExpenseItem.id)
            .where(
                ExpenseItem.claim_id == claim.id,
                or_(
                    ExpenseItem.description != ERASED_TEXT,
                    ExpenseItem.start_postcode.is_not(None),
                    ExpenseItem.end_postcode.is_not(None),
                    Receipt.id.is_not(None),
                ),
            )
        )
        count += bool(left)
    return count


def _count_with_emptied(table: str, records: list[Any], done: list[bool]) -> int:
    """Empty the other free text of these records (and the rows under them, and their audit
    events) in one ``redaction.redact``; how many records changed (what the caller did, or their
    own row emptied)."""
    if not records:
        return 0
    emptied = redaction.redact(redaction.Identity(), start={table: {r.id for r in records}})
    return sum(
        changed or (table, record.id) in emptied.emptied_rows
        for record, changed in zip(records, done, strict=True)
    )


def _receipts(today: date, months: int, dry_run: bool, leaving: set[int]) -> int:
    from volunteer_hub.privacy.erasure import delete_receipt_files_after_commit

    cutoff = add_months(today, -months)
    # Claims whose hold ends now: the paid_claims step deletes their receipts.
    settled = {c.id for c in _ended_holds(today, schedule()["paid_claims"])}
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
        if vid in leaving or claim_id in settled:
            continue  # erasure (dry run) or the end of a hold takes these
        basis = paid_on or _as_date(submitted_at) or _as_date(created_at)
        if basis is not None and basis < cutoff:
            due.append(receipt)
    if not dry_run:
        delete_receipt_files_after_commit([r.storage_key for r in due])
        for receipt in due:
            db.session.delete(receipt)
    return len(due)


def _concerns(today: date, months: int, dry_run: bool) -> int:
    from volunteer_hub.privacy.erasure import anonymise_supervision_record, erased_volunteer_ids

    erased = erased_volunteer_ids()
    if not erased:
        return 0
    records = list(
        db.session.scalars(
            select(SupervisionRecord)
            .join(Placement, Placement.id == SupervisionRecord.placement_id)
            .where(
                Placement.volunteer_id.in_(erased),
                SupervisionRecord.concerns.is_not(None),
                SupervisionRecord.met_on < add_months(today, -months),
            )
            .order_by(SupervisionRecord.id)
        )
    )
    if dry_run:
        return len(records)
    done = [anonymise_supervision_record(record, empty_rows=False) for record in records]
    return _count_with_emptied(SupervisionRecord.__tablename__, records, done)


def _logs(kind: str, today: date, months: int, dry_run: bool) -> int:
    cutoff = _start_of(add_months(today, -months))
    if kind == "outbox":
        return _count_or_delete(OutboxMessage, [OutboxMessage.created_at < cutoff], dry_run)
    sign_ins = AuditEvent.action.in_(SIGN_IN_ACTIONS)
    return _count_or_delete(
        AuditEvent,
        [AuditEvent.at < cutoff, sign_ins if kind == "sign_ins" else ~sign_ins],
        dry_run,
    )


def purge(today: date, dry_run: bool) -> list[tuple[str, int]]:
    """Apply the schedule: ``[(kind, records anonymised or deleted)]`` in ``DEFAULTS`` order
    (with ``dry_run``: what would be, changing nothing). Flushes, never commits; receipt files
    are deleted once the transaction commits."""
    settings = schedule()
    people = inactive_people(today)
    leaving = set(people["applicants"]) | set(people["volunteers"]) if dry_run else set()
    counts: list[tuple[str, int]] = []
    for kind, months in settings.items():
        if months is None:
            counts.append((kind, 0))
            continue
        if kind in ("applicants", "volunteers"):
            count = _erase_people(people[kind], today, dry_run)
        elif kind == "dbs":
            count = _dbs(today, months, dry_run, leaving)
        elif kind == "references":
            count = _references(today, months, dry_run, leaving)
        elif kind == "receipts":
            count = _receipts(today, months, dry_run, leaving)
        elif kind == "paid_claims":
            count = _paid_claims(today, months, dry_run)
        elif kind == "concerns":
            count = _concerns(today, months, dry_run)
        else:
            count = _logs(kind, today, months, dry_run)
        counts.append((kind, count))
    db.session.flush()
    return counts
