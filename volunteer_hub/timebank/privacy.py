"""The time bank's privacy hooks: members' accounts, listings, answers and exchanges.

Export: each of their accounts with its statement, exchanges, listings and answers to listings.
Erasure: their person accounts (found by sign-in or email) lose name, email, phone and area;
their listings are closed and emptied, their answers' messages emptied, and the exchanges (and
their transfers) they recorded lose their descriptions. Balances and ledger entries stay
(``timebank_entry`` is append-only by database trigger). Activity: their last exchange and when
their account was opened. Withdrawing the time bank's terms suspends their membership.
Time-bank coordinators are staff (never erased by retention).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.core.formatting import plural
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.timebank.models import (
    Account,
    Exchange,
    Listing,
    Match,
    TimeBankCoordinator,
    Transfer,
)
from volunteer_hub.timebank.queries import statement as timebank_statement
from volunteer_hub.volunteers.models import Volunteer


def _account(account: Account) -> dict[str, Any]:
    return {
        **hooks.row_dict(account),
        "timebank": account.timebank.name,
        "statement": [
            {
                "date": hooks.json_value(line.done_on),
                "what": line.description or line.kind,
                "with": line.counterpart,
                "minutes": line.minutes,
                "balance_after_minutes": line.balance_after,
            }
            for line in timebank_statement(account, limit=None)
        ],
        "exchanges": hooks.rows(
            select(Exchange).where(
                or_(Exchange.giver_id == account.id, Exchange.receiver_id == account.id)
            )
        ),
        "listings": hooks.rows(select(Listing).where(Listing.account_id == account.id)),
        "matches": hooks.rows(select(Match).where(Match.account_id == account.id)),
    }


@hooks.export(60)
def export_timebank(subject: hooks.Subject) -> dict[str, Any]:
    if subject.user is None:
        return {}
    accounts = list(db.session.scalars(select(Account).where(Account.user_id == subject.user.id)))
    return {"timebank": [_account(a) for a in accounts]}


@hooks.identify(30)
def identify_accounts(erasure: hooks.Erasure) -> None:
    """Their person accounts, by sign-in or by one of their addresses."""
    conditions: list[ColumnElement[bool]] = []
    if erasure.user is not None:
        conditions.append(Account.user_id == erasure.user.id)
    if erasure.emails:
        conditions.append(func.lower(Account.email).in_(sorted(erasure.emails)))
    accounts = list(
        db.session.scalars(select(Account).where(Account.kind == "person", or_(*conditions)))
    )
    erasure.names |= {a.name for a in accounts}
    erasure.addresses |= {a.email.lower() for a in accounts if a.email}
    erasure.phones |= {a.phone for a in accounts if a.phone}
    erasure.start[Account.__tablename__] = {a.id for a in accounts}


@hooks.erase(90)
def erase_accounts(erasure: hooks.Erasure) -> None:
    ids = sorted(erasure.start.get(Account.__tablename__, ()))
    if not ids:
        return
    accounts = list(db.session.scalars(select(Account).where(Account.id.in_(ids))))
    for account in accounts:
        account.name = erasure.name
        account.email = account.phone = account.area = None
    db.session.execute(
        update(Listing)
        .where(Listing.account_id.in_(ids))
        .values(
            title=hooks.ERASED_TEXT, description=None, availability=None, area=None, status="closed"
        )
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
        .values(description=hooks.ERASED_TEXT)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Exchange)
        .where(own)
        .values(description=hooks.ERASED_TEXT)
        .execution_options(synchronize_session=False)
    )
    erasure.erased.append(
        f"{plural(len(accounts), 'time-bank account')}: name and contact details removed, listings "
        "closed and emptied (balances and entries kept)"
    )


@hooks.activity
def activity(today: date) -> Iterable[tuple[Any, ...]]:
    for side in (Exchange.giver_id, Exchange.receiver_id):
        yield from db.session.execute(
            select(Volunteer.id, func.max(Exchange.done_on), func.max(Account.created_at))
            .join(Account, Account.user_id == Volunteer.user_id)
            .join(Exchange, side == Account.id)
            .group_by(Volunteer.id)
        )


@hooks.staff
def coordinators() -> set[int]:
    return set(db.session.scalars(select(TimeBankCoordinator.user_id)))


@hooks.on_withdrawal("timebank_terms")
def suspend_membership(user: Any) -> None:
    db.session.execute(
        update(Account)
        .where(Account.user_id == user.id, Account.kind != "pot")
        .values(status="suspended", suspended_at=utcnow())
    )
