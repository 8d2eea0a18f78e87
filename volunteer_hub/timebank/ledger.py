"""The double-entry ledger: every movement of credits is one transfer whose entries sum to zero,
with the stored balances changed in the same transaction. Services flush, never commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from volunteer_hub.accounts.models import User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.money import two_dp
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.timebank.models import Account, Entry, TimeBank, Transfer

T = TypeVar("T")


def hours_text(minutes: int) -> str:
    """Minutes as hours with two decimals (15 minutes is "0.25"; always exact)."""
    return two_dp(Decimal(minutes) / 60)


class Duplicate(Exception):
    """The idempotency key was used before: ``existing`` is what it recorded."""

    def __init__(self, existing: object) -> None:
        self.existing = existing
        super().__init__("already recorded")


def once(key: str, lookup: Callable[[str], T | None], make: Callable[[], T]) -> T:
    """Run ``make`` unless ``key`` was used before. Two concurrent requests with the same key
    both try; the unique constraint lets one in and the other's flush fails, so it rolls back
    and raises Duplicate with the winner's record. Raises Duplicate for a repeat."""
    existing = lookup(key)
    if existing is not None:
        raise Duplicate(existing)
    try:
        return make()
    except IntegrityError:
        db.session.rollback()
        existing = lookup(key)
        if existing is None:
            raise
        raise Duplicate(existing) from None


def minimum_for(account: Account, timebank: TimeBank) -> int:
    return 0 if account.kind == "pot" else timebank.min_balance_minutes


def _lock(account_ids: list[int]) -> None:
    """Row locks on the accounts, always in id order so two transfers between the same accounts
    in opposite directions cannot deadlock. SQLite has one write lock for the whole database: a
    write that changes nothing takes it, so the next writer waits for this commit."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            update(Account)
            .where(Account.id.in_(sorted(account_ids)))
            .values(balance_minutes=Account.balance_minutes),
            execution_options={"synchronize_session": False},
        )
    else:
        db.session.execute(
            select(Account.id)
            .where(Account.id.in_(sorted(account_ids)))
            .order_by(Account.id)
            # FOR NO KEY UPDATE: it does not wait for the key-share locks that inserting rows
            # which refer to the account take, so those cannot deadlock with it.
            .with_for_update(key_share=True)
        ).all()


def _move(account: Account, minutes: int, timebank: TimeBank, enforce: bool) -> None:
    """Change the stored balance; a limited change is a conditional update, so a concurrent
    spend that got there first makes this one fail instead of breaching the limit."""
    statement = update(Account).where(Account.id == account.id)
    if enforce and minutes < 0:
        statement = statement.where(
            Account.balance_minutes + minutes >= minimum_for(account, timebank)
        )
    if enforce and minutes > 0 and account.kind != "pot" and timebank.max_balance_minutes:
        statement = statement.where(
            Account.balance_minutes + minutes <= timebank.max_balance_minutes
        )
    result = db.session.execute(
        statement.values(balance_minutes=Account.balance_minutes + minutes),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.session.refresh(account, ["balance_minutes"])
        if minutes < 0:
            raise DomainError(
                f"{account.name} has {hours_text(account.balance_minutes)} hours: spending "
                f"{hours_text(-minutes)} would take them below the time bank's minimum of "
                f"{hours_text(minimum_for(account, timebank))} hours"
            )
        raise DomainError(
            f"{account.name} has {hours_text(account.balance_minutes)} hours: earning "
            f"{hours_text(minutes)} more would take them above the time bank's maximum of "
            f"{hours_text(timebank.max_balance_minutes or 0)} hours"
        )
    db.session.expire(account, ["balance_minutes"])


@dataclass(frozen=True)
class Leg:
    account: Account
    minutes: int


def post(
    *,
    timebank: TimeBank,
    kind: str,
    legs: list[Leg],
    done_on: date,
    description: str | None,
    actor: User | None,
    key: str,
    reverses: Transfer | None = None,
    reason: str | None = None,
) -> Transfer:
    """Record one transfer: claim its key first, lock the accounts, move the balances (limits
    enforced except for reversals), then write the entries."""
    if sum(leg.minutes for leg in legs) != 0 or any(leg.minutes == 0 for leg in legs):
        raise DomainError("A transfer must move the same time out of one account and into another")
    if any(leg.account.timebank_id != timebank.id for leg in legs):
        raise DomainError("Both sides must belong to this time bank")
    transfer = Transfer(
        timebank_id=timebank.id,
        kind=kind,
        done_on=done_on,
        description=description,
        reverses_id=reverses.id if reverses else None,
        reason=reason,
        created_by_id=actor.id if actor else None,
        idempotency_key=key,
    )
    db.session.add(transfer)
    db.session.flush()  # the unique key: a second request with it stops here
    _lock([leg.account.id for leg in legs])
    # Debits first, so a refused spend fails before anything is credited.
    for leg in sorted(legs, key=lambda item: item.minutes):
        _move(leg.account, leg.minutes, timebank, enforce=reverses is None)
    for leg in legs:
        db.session.add(
            Entry(transfer_id=transfer.id, account_id=leg.account.id, minutes=leg.minutes)
        )
    db.session.flush()
    return transfer


def transfer_by_key(key: str) -> Transfer | None:
    return db.session.scalar(select(Transfer).where(Transfer.idempotency_key == key))


ALREADY_REVERSED = "This transfer has already been reversed."


def _reversed(transfer: Transfer) -> bool:
    return (
        db.session.scalar(select(Transfer.id).where(Transfer.reverses_id == transfer.id))
        is not None
    )


#: What each kind of transfer is called in sentences.
KIND_WORDS = {
    "exchange": "exchange",
    "donation": "donation",
    "grant": "grant",
    "import": "imported entry",
    "reversal": "reversal",
}


def reversal_words(transfer: Transfer, counterpart: str = "") -> str:
    """ "Reversal of the 12 November 2026 exchange", with "with <name>" when one is given."""
    words = f"Reversal of the {transfer.done_on:%-d %B %Y} {KIND_WORDS.get(transfer.kind, 'entry')}"
    return f"{words} with {counterpart}" if counterpart else words


def reverse(*, actor: User, transfer: Transfer, reason: str, today: date) -> Transfer:
    """Reverse a transfer once. The accounts it moved are locked first and only then is it
    looked up, so of N reversals at once one is recorded and the others are told it is done
    (AlreadyDone), never a unique-constraint error. Should a reversal still get in first (one
    that did not wait), the insert runs in a savepoint: its unique violation on ``reverses_id``
    or the ``reversal:<id>`` key is rolled back alone and answered the same way."""
    reason = " ".join(reason.split())
    if len(reason) < 5 or len(reason) > 500:
        raise DomainError("Say why the transfer is reversed (5 to 500 characters)", field="reason")
    if transfer.kind == "reversal":
        raise DomainError("A reversal cannot itself be reversed: record a new transfer instead")
    if _reversed(transfer):
        raise AlreadyDone(ALREADY_REVERSED)
    timebank = db.session.get(TimeBank, transfer.timebank_id)
    assert timebank is not None
    # A write first (the lock): on SQLite a savepoint opened before any write would commit on
    # release, since the driver begins the transaction only at the first write.
    _lock([entry.account_id for entry in transfer.entries])
    if _reversed(transfer):
        raise AlreadyDone(ALREADY_REVERSED)
    legs = [Leg(entry.account, -entry.minutes) for entry in transfer.entries]
    try:
        with db.session.begin_nested():
            return post(
                timebank=timebank,
                kind="reversal",
                legs=legs,
                # Dated the day it is made (never the day of what it reverses), and said in
                # words: no internal number.
                done_on=today,
                description=reversal_words(transfer),
                actor=actor,
                key=f"reversal:{transfer.id}",
                reverses=transfer,
                reason=reason,
            )
    except IntegrityError:
        if _reversed(transfer):
            raise AlreadyDone(ALREADY_REVERSED) from None
        raise


@dataclass(frozen=True)
class CheckResult:
    entries: int
    total: int
    problems: list[str]


def check() -> CheckResult:
    """Recompute every balance from the entries; each transfer and the ledger must sum to zero."""
    problems: list[str] = []
    entries, total = db.session.execute(
        select(func.count(Entry.id), func.coalesce(func.sum(Entry.minutes), 0))
    ).one()
    if int(total) != 0:
        problems.append(f"the ledger sums to {hours_text(int(total))} hours, not 0.00")
    unbalanced = db.session.execute(
        select(Entry.transfer_id, func.sum(Entry.minutes))
        .group_by(Entry.transfer_id)
        .having(func.sum(Entry.minutes) != 0)
    ).all()
    for transfer_id, minutes in unbalanced:
        problems.append(
            f"transfer {transfer_id} sums to {hours_text(int(minutes))} hours, not 0.00"
        )
    sums = (
        select(Entry.account_id, func.sum(Entry.minutes).label("minutes"))
        .group_by(Entry.account_id)
        .subquery()
    )
    wrong = db.session.execute(
        select(Account.id, Account.name, Account.balance_minutes, sums.c.minutes)
        .outerjoin(sums, sums.c.account_id == Account.id)
        .where(Account.balance_minutes != func.coalesce(sums.c.minutes, 0))
        .order_by(Account.id)
    ).all()
    for account_id, name, stored, computed in wrong:
        problems.append(
            f"account {account_id} ({name}): stored balance {hours_text(stored)} but its entries "
            f"sum to {hours_text(int(computed or 0))}"
        )
    return CheckResult(int(entries), int(total), problems)
