"""The time bank's read side: who coordinates and who is a member, search, statements, the
coordinator's lists. Views, the privacy export and other domains read the time bank here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, func, or_, select

from volunteer_hub.accounts.models import User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.geo import outward_code
from volunteer_hub.core.inputs import to_id
from volunteer_hub.extensions import db
from volunteer_hub.recruitment.models import DbsRecord
from volunteer_hub.timebank import ledger
from volunteer_hub.timebank.models import (
    CATEGORIES,
    Account,
    Entry,
    Exchange,
    Listing,
    Match,
    TimeBank,
    TimeBankCoordinator,
    Transfer,
)
from volunteer_hub.timebank.report import figures as value_report_figures
from volunteer_hub.volunteers.models import Volunteer

INACTIVE_DAYS = 90
STATEMENT_PAGE = 50

#: The value report's time-bank section (built in report.py), read by ``reports``.
__all__ = ["value_report_figures"]


# --- who may do what -------------------------------------------------------------------------


def coordinates(user: User, timebank: TimeBank) -> bool:
    """Only a time bank's own coordinators act in it."""
    return (
        db.session.scalar(
            select(TimeBankCoordinator.id).where(
                TimeBankCoordinator.timebank_id == timebank.id,
                TimeBankCoordinator.user_id == user.id,
            )
        )
        is not None
    )


def coordinated_timebanks(user: User) -> list[TimeBank]:
    return list(
        db.session.scalars(
            select(TimeBank)
            .join(TimeBankCoordinator, TimeBankCoordinator.timebank_id == TimeBank.id)
            .where(TimeBankCoordinator.user_id == user.id)
            .order_by(TimeBank.name)
        )
    )


def account_of(user: User, timebank: TimeBank) -> Account | None:
    return db.session.scalar(
        select(Account).where(Account.timebank_id == timebank.id, Account.user_id == user.id)
    )


def has_clear_dbs(account: Account, today: date) -> bool:
    """A clear DBS record from the last three years on the member's volunteer record."""
    if account.user_id is None:
        return False
    since = today - timedelta(days=3 * 365)
    return (
        db.session.scalar(
            select(DbsRecord.id)
            .join(Volunteer, Volunteer.id == DbsRecord.volunteer_id)
            .where(
                Volunteer.user_id == account.user_id,
                DbsRecord.outcome == "clear",
                DbsRecord.issue_date >= since,
            )
        )
        is not None
    )


def all_timebanks() -> list[TimeBank]:
    return list(db.session.scalars(select(TimeBank).order_by(TimeBank.name)))


def active_staff() -> list[User]:
    """Who an administrator may name as a coordinator: active staff, by name."""
    users = db.session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.name))
    return [u for u in users if u.is_staff]


def approved_member(user: User, timebank: TimeBank) -> Account:
    """The user's own approved account, or a DomainError saying why they cannot act yet."""
    account = account_of(user, timebank)
    if account is None:
        raise DomainError("Join the time bank first")
    if account.status != "approved":
        raise DomainError(
            "Your membership is suspended: contact the coordinator"
            if account.status == "suspended"
            else "Your membership is waiting for the coordinator's approval"
        )
    return account


def account_in(timebank: TimeBank, raw: str | int | None) -> Account | None:
    """The account with this id (as sent by a form or in a URL) if it belongs to the time bank."""
    account_id = to_id(raw)
    if account_id is None:
        return None
    account = db.session.get(Account, account_id)
    return account if account is not None and account.timebank_id == timebank.id else None


def approved_members(timebank: TimeBank, exclude: int | None = None) -> list[Account]:
    """Approved members (never the pot) by the coordinator's order, less ``exclude``."""
    return [
        a
        for a in members(timebank)
        if a.kind != "pot" and a.status == "approved" and a.id != exclude
    ]


def matches_of(listing: Listing) -> list[Match]:
    return list(db.session.scalars(select(Match).where(Match.listing_id == listing.id)))


def search(
    timebank: TimeBank, *, kind: str = "", category: str = "", text: str = "", area: str = ""
) -> list[Listing]:
    statement = (
        select(Listing)
        .join(Account, Account.id == Listing.account_id)
        .where(
            Listing.timebank_id == timebank.id,
            Listing.status == "open",
            Account.status == "approved",
        )
    )
    if kind in ("offer", "request"):
        statement = statement.where(Listing.kind == kind)
    if category in CATEGORIES:
        statement = statement.where(Listing.category == category)
    if text.strip():
        like = f"%{text.strip()[:100]}%"
        statement = statement.where(or_(Listing.title.ilike(like), Listing.description.ilike(like)))
    district = outward_code(area)
    if district:
        statement = statement.where(Listing.area == district)
    return list(db.session.scalars(statement.order_by(Listing.created_at.desc()).limit(200)))


def exchange_by_key(key: str) -> Exchange | None:
    return db.session.scalar(select(Exchange).where(Exchange.idempotency_key == key))


# --- statements and the coordinator's view ----------------------------------------------------


@dataclass(frozen=True)
class Line:
    entry_id: int
    done_on: date
    kind: str
    description: str | None
    counterpart: str
    minutes: int
    balance_after: int
    transfer_id: int


def statement(
    account: Account, *, before: int | None = None, limit: int | None = STATEMENT_PAGE
) -> list[Line]:
    """Entries newest first (by the date each was done; entries of one day newest recorded
    first) with the running balance after each. ``before`` (an entry id) gives the next page,
    in the same order; the running balance starts from the stored balance less everything
    newer. A reversal is described in words from the transfer it reverses ("Reversal of the
    12 November 2026 exchange with Bob"), never by an internal number."""
    newest_first = (Transfer.done_on.desc(), Entry.id.desc())
    newer = 0
    after = None
    if before is not None:
        anchor = db.session.execute(
            select(Transfer.done_on, Entry.id)
            .join(Transfer, Transfer.id == Entry.transfer_id)
            .where(Entry.account_id == account.id, Entry.id == before)
        ).first()
        if anchor is not None:
            # Everything shown on earlier pages: done later, or the same day and recorded later.
            after = or_(
                Transfer.done_on > anchor.done_on,
                and_(Transfer.done_on == anchor.done_on, Entry.id >= anchor.id),
            )
            newer = int(
                db.session.scalar(
                    select(func.coalesce(func.sum(Entry.minutes), 0))
                    .join(Transfer, Transfer.id == Entry.transfer_id)
                    .where(Entry.account_id == account.id, after)
                )
                or 0
            )
    statement_ = (
        select(Entry, Transfer)
        .join(Transfer, Transfer.id == Entry.transfer_id)
        .where(Entry.account_id == account.id)
        .order_by(*newest_first)
    )
    if after is not None:
        statement_ = statement_.where(~after)
    if limit is not None:
        statement_ = statement_.limit(limit)
    rows = db.session.execute(statement_).all()
    others = _counterparts([t.id for _e, t in rows], account.id)
    reversed_transfers = {
        t.id: t
        for t in db.session.scalars(
            select(Transfer).where(
                Transfer.id.in_({t.reverses_id for _e, t in rows if t.reverses_id is not None})
            )
        )
    }
    balance = account.balance_minutes - newer
    lines = []
    for entry, transfer in rows:
        counterpart = others.get(transfer.id, "")
        original = reversed_transfers.get(transfer.reverses_id or 0)
        lines.append(
            Line(
                entry_id=entry.id,
                done_on=transfer.done_on,
                kind=transfer.kind,
                description=ledger.reversal_words(original, counterpart)
                if original is not None
                else transfer.description,
                counterpart=counterpart,
                minutes=entry.minutes,
                balance_after=balance,
                transfer_id=transfer.id,
            )
        )
        balance -= entry.minutes
    return lines


def statement_rows(account: Account) -> list[list[str]]:
    """The whole statement, oldest first, as CSV rows (a header, then ISO dates and hours with
    two decimals)."""
    return [["date", "what", "with", "hours", "balance"]] + [
        [
            line.done_on.isoformat(),
            line.description or line.kind,
            line.counterpart,
            ledger.hours_text(line.minutes),
            ledger.hours_text(line.balance_after),
        ]
        for line in reversed(statement(account, limit=None))
    ]


def _counterparts(transfer_ids: list[int], account_id: int) -> dict[int, str]:
    if not transfer_ids:
        return {}
    rows = db.session.execute(
        select(Entry.transfer_id, Account.name)
        .join(Account, Account.id == Entry.account_id)
        .where(Entry.transfer_id.in_(transfer_ids), Entry.account_id != account_id)
    ).all()
    return {transfer_id: name for transfer_id, name in rows}


def members(timebank: TimeBank) -> list[Account]:
    return list(
        db.session.scalars(
            select(Account)
            .where(Account.timebank_id == timebank.id)
            .order_by(Account.kind == "pot", Account.status, Account.name)
        )
    )


def inactive(timebank: TimeBank, today: date) -> list[tuple[Account, date | None]]:
    """Approved members with no ledger entry for 90 days (to follow up), with their last."""
    last = (
        select(Entry.account_id, func.max(Transfer.done_on).label("last"))
        .join(Transfer, Transfer.id == Entry.transfer_id)
        .group_by(Entry.account_id)
        .subquery()
    )
    cutoff = today - timedelta(days=INACTIVE_DAYS)
    cutoff_at = datetime.combine(cutoff, datetime.min.time(), tzinfo=UTC)
    rows = db.session.execute(
        select(Account, last.c.last)
        .outerjoin(last, last.c.account_id == Account.id)
        .where(
            Account.timebank_id == timebank.id,
            Account.kind != "pot",
            Account.status == "approved",
            or_(
                last.c.last < cutoff,
                (last.c.last.is_(None)) & (Account.approved_at < cutoff_at),
            ),
        )
        .order_by(Account.name)
    ).all()
    return [(account, when) for account, when in rows]


def _pending(account: Account, *, recorded_by_them: bool) -> list[Exchange]:
    """Pending exchanges this member takes part in, recorded by the other side (for them to
    confirm) or by themselves (waiting for the other side)."""
    giver_side = Exchange.receiver_id if recorded_by_them else Exchange.giver_id
    receiver_side = Exchange.giver_id if recorded_by_them else Exchange.receiver_id
    return list(
        db.session.scalars(
            select(Exchange)
            .where(
                Exchange.status == "pending",
                or_(
                    (Exchange.recorded_by == "giver") & (giver_side == account.id),
                    (Exchange.recorded_by == "receiver") & (receiver_side == account.id),
                ),
            )
            .order_by(Exchange.done_on)
        )
    )


def pending_for(account: Account) -> list[Exchange]:
    """Exchanges waiting for this member to confirm."""
    return _pending(account, recorded_by_them=True)


def awaiting_other(account: Account) -> list[Exchange]:
    """Exchanges this member recorded, waiting for the other member."""
    return _pending(account, recorded_by_them=False)


def coordinators_of(timebank: TimeBank) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(TimeBankCoordinator, TimeBankCoordinator.user_id == User.id)
            .where(TimeBankCoordinator.timebank_id == timebank.id)
            .order_by(User.name)
        )
    )


def reversed_ids(timebank: TimeBank) -> set[int]:
    """Transfers of this time bank that have been reversed."""
    return set(
        db.session.scalars(
            select(Transfer.reverses_id).where(
                Transfer.timebank_id == timebank.id, Transfer.reverses_id.is_not(None)
            )
        )
    )
