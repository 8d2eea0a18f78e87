"""Importing exchanges kept on paper or in an older system: checked in full (the minimum
balance included, rows in date order), then all applied or none; refs imported before are
skipped. A configuration of :mod:`volunteer_hub.core.imports`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select, update

from volunteer_hub.accounts.models import User
from volunteer_hub.core import formatting
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import plural
from volunteer_hub.core.imports import (
    Field,
    Progress,
    insert_returning_ids,
    insert_rows,
    read_columns,
    refusal,
    repeated_refs,
)
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.tabular import EMAIL_RE, past_date
from volunteer_hub.extensions import db
from volunteer_hub.timebank.models import Account, Entry, TimeBank, Transfer
from volunteer_hub.timebank.services import DEFAULT_TERMS, pot_of

if TYPE_CHECKING:
    import numpy as np

HEADER = ("ref", "date", "giver_email", "receiver_email", "hours", "description")


@dataclass
class ImportResult:
    imported: int = 0
    skipped: int = 0
    created_members: int = 0
    created_timebank: bool = False
    minutes: int = 0


def _timebank(name: str | None, create_missing: bool) -> tuple[TimeBank | None, bool]:
    if name:
        found = db.session.scalar(select(TimeBank).where(TimeBank.name == name))
        if found is None and not create_missing:
            raise DomainError(
                f"There is no time bank called {name!r} (use --create-missing to create it)"
            )
        return found, found is None
    banks = list(db.session.scalars(select(TimeBank).limit(2)))
    if len(banks) == 1:
        return banks[0], False
    if not banks:
        raise DomainError(
            "There is no time bank yet: name one with --timebank (and --create-missing)"
        )
    raise DomainError("There is more than one time bank: choose one with --timebank NAME")


# --- each cell ----------------------------------------------------------------------------


def _ref(text: str, problems: list[str]) -> str:
    if not text or len(text) > 60:
        problems.append("ref is empty or longer than 60 characters")
    return text


def _members(
    giver: str, receiver: str, problems: list[str], *, accounts: dict[str, Account], create: bool
) -> tuple[str, str]:
    giver, receiver = giver.lower(), receiver.lower()
    for label, email in (("giver_email", giver), ("receiver_email", receiver)):
        if not EMAIL_RE.match(email):
            problems.append(f"{label} {email!r} is not an email address")
        elif email not in accounts and not create:
            problems.append(f"{label} {email} is not a member of the time bank")
        elif email in accounts and accounts[email].status != "approved":
            problems.append(f"{label} {email} is {accounts[email].status}, not approved")
    if giver and giver == receiver:
        problems.append("the giver and the receiver are the same member")
    return giver, receiver


def _minutes(text: str, problems: list[str]) -> int:
    try:
        hours = Decimal(text)
        if not hours.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        problems.append(f"hours {text!r} is not a number like 1.5")
        return 0
    if hours <= 0 or hours > 24 or (hours * 4) % 1:
        problems.append(f"hours {text} must be a positive multiple of 0.25, at most 24")
        return 0
    return int(hours * 60)


def _description(text: str, problems: list[str]) -> str:
    description = " ".join(text.split())
    if len(description) > 500:
        problems.append("description is longer than 500 characters")
    return description


def _fields(today: date, accounts: dict[str, Account], create: bool) -> tuple[Field, ...]:
    return (
        Field(("ref",), _ref),
        Field(("date",), lambda text, problems: past_date(text, "date", today, problems)),
        Field(
            ("giver_email", "receiver_email"),
            lambda g, r, problems: _members(g, r, problems, accounts=accounts, create=create),
            "members",
        ),
        Field(("hours",), _minutes, "minutes"),
        Field(("description",), _description),
    )


# --- the file as a whole ------------------------------------------------------------------


def _check(
    path: Path, accounts: dict[str, Account], create: bool, today: date
) -> tuple[dict[str, Any], np.ndarray, np.ndarray, list[tuple[int, str]]]:
    """Each row's values, the rows to apply in date order (then file order), the rows skipped
    (refs imported before), and every problem as (line, message)."""
    import numpy as np
    import pandas as pd

    table = read_columns(path, HEADER)
    parsed = table.parse(_fields(today, accounts, create))
    values = parsed.values
    problems = dict(parsed.problems)
    refs = values["ref"]
    named = np.array([bool(r) and len(r) <= 60 for r in refs], dtype=bool)
    for row, message in repeated_refs(table, np.where(named, refs, np.array(None)), named):
        problems[row] = [message, *problems.get(row, [])]
    found = [(int(table.lines[row]), m) for row in sorted(problems) for m in problems[row]]
    good = np.ones(len(table), dtype=bool)
    good[list(problems)] = False
    held = set(
        db.session.scalars(
            select(Transfer.idempotency_key).where(Transfer.idempotency_key.like("import:%"))
        )
    )
    keys = pd.Series(refs).radd("import:")
    skipped = good & keys.isin(held).to_numpy()
    rows = np.flatnonzero(good & ~skipped)
    days = pd.Series(values["date"][rows]).map(date.toordinal).to_numpy()
    rows = rows[np.lexsort((table.lines[rows], days))]
    values["line"] = table.lines
    return values, rows, np.flatnonzero(skipped), found


def _balances(
    values: dict[str, Any],
    rows: np.ndarray,
    timebank: TimeBank | None,
    accounts: dict[str, Account],
) -> list[tuple[int, str]]:
    """The minimum (and any maximum) balance, with rows applied in date order."""
    minimum = timebank.min_balance_minutes if timebank else -600
    maximum = timebank.max_balance_minutes if timebank else None
    balances = {email: account.balance_minutes for email, account in accounts.items()}
    problems = []
    for row in rows.tolist():
        (giver, receiver), minutes = values["members"][row], values["minutes"][row]
        line = int(values["line"][row])
        after = balances.get(receiver, 0) - minutes
        if after < minimum:
            problems.append(
                (
                    line,
                    f"{receiver} would go to {formatting.hours(after)}, below the minimum of "
                    f"{formatting.hours(minimum)}",
                )
            )
        else:
            balances[receiver] = after
        gained = balances.get(giver, 0) + minutes
        if maximum is not None and gained > maximum:
            problems.append(
                (
                    line,
                    f"{giver} would go to {formatting.hours(gained)}, above the maximum of "
                    f"{formatting.hours(maximum)}",
                )
            )
        else:
            balances[giver] = gained
    return problems


# --- applying -------------------------------------------------------------------------------


def _new_members(
    values: dict[str, Any], rows: np.ndarray, timebank: TimeBank, accounts: dict[str, Account]
) -> int:
    """A member since their first exchange on file (rows are in date order), so reports for past
    periods count them; linked to their sign-in if they have one."""
    first: dict[str, date] = {}
    for row in rows.tolist():
        for email in values["members"][row]:
            if email not in accounts and email not in first:
                first[email] = values["date"][row]
    users = {
        email.lower(): (uid, name)
        for uid, email, name in db.session.execute(select(User.id, User.email, User.name))
        if email.lower() in first
    }
    for email, day in first.items():
        user = users.get(email)
        accounts[email] = Account(
            timebank_id=timebank.id,
            kind="person",
            user_id=user[0] if user else None,
            name=user[1] if user else email.split("@")[0],
            email=email,
            status="approved",
            approved_at=datetime.combine(day, time.min, tzinfo=UTC),
        )
    db.session.add_all([accounts[email] for email in first])
    db.session.flush()
    return len(first)


def _post(
    values: dict[str, Any],
    rows: np.ndarray,
    timebank: TimeBank,
    accounts: dict[str, Account],
    progress: Progress | None,
) -> int:
    """Every row's transfer and its two entries (giver first), in batches, then each account's
    balance moved once by its total. The balances were checked against the limits above; the
    update is a compare-and-set, so a change made meanwhile refuses the import."""
    listed = rows.tolist()
    ids = insert_returning_ids(
        Transfer.__table__,
        {
            "timebank_id": timebank.id,
            "kind": "import",
            "done_on": [values["date"][row] for row in listed],
            "description": [values["description"][row] or None for row in listed],
            "idempotency_key": [f"import:{values['ref'][row]}" for row in listed],
            "created_at": utcnow(),
        },
        len(listed),
    )
    accounts_of, minutes_of = [], []
    totals: dict[str, int] = {}
    for row in rows.tolist():
        (giver, receiver), minutes = values["members"][row], values["minutes"][row]
        for email, moved in ((giver, minutes), (receiver, -minutes)):
            accounts_of.append(accounts[email].id)
            minutes_of.append(moved)
            totals[email] = totals.get(email, 0) + moved
    transfer_ids = [tid for tid in ids for _ in (0, 1)]
    insert_rows(
        Entry.__table__,
        {"transfer_id": transfer_ids, "account_id": accounts_of, "minutes": minutes_of},
        len(transfer_ids),
        progress=progress,
    )
    _move(accounts, totals)
    return sum(values["minutes"][rows].tolist())


def _move(accounts: dict[str, Account], totals: dict[str, int]) -> None:
    moves = [
        {"key": accounts[e].id, "was": accounts[e].balance_minutes, "by": t}
        for e, t in totals.items()
    ]
    if not moves:
        return
    result = db.session.execute(
        update(Account.__table__)
        .where(Account.id == bindparam("key"), Account.balance_minutes == bindparam("was"))
        .values(balance_minutes=Account.balance_minutes + bindparam("by")),
        moves,
    )
    if result.rowcount != len(moves):  # type: ignore[attr-defined]
        raise DomainError(
            "Nothing was imported: a balance changed while the file was checked; import it again"
        )
    for email in totals:
        db.session.expire(accounts[email], ["balance_minutes"])


def import_exchanges(
    path: Path,
    *,
    timebank_name: str | None,
    create_missing: bool,
    today: date,
    progress: Progress | None = None,
) -> ImportResult:
    """Check every row, then apply them all in the caller's transaction, or raise DomainError
    listing every problem by line (and write nothing). ``progress`` hears the rows checked, then
    the entries saved."""
    timebank, create_bank = _timebank(timebank_name, create_missing)
    accounts: dict[str, Account] = {}
    if timebank is not None:
        for account in db.session.scalars(
            select(Account).where(Account.timebank_id == timebank.id, Account.email.is_not(None))
        ):
            accounts[(account.email or "").lower()] = account
    values, rows, skipped, found = _check(path, accounts, create_missing, today)
    problems = sorted(found + _balances(values, rows, timebank, accounts), key=lambda p: p[0])
    if progress:
        progress("checked", len(values["line"]))
    if problems:
        raise refusal(
            [f"line {line}: {message}" for line, message in problems],
            f"Nothing was imported: {plural(len(problems), 'problem')} to fix.",
        )
    result = ImportResult(skipped=len(skipped), imported=len(rows))
    if timebank is None:
        assert timebank_name
        timebank = TimeBank(name=timebank_name, terms=DEFAULT_TERMS)
        db.session.add(timebank)
        db.session.flush()
        pot_of(timebank)
        result.created_timebank = create_bank
    result.created_members = _new_members(values, rows, timebank, accounts)
    if len(rows):
        result.minutes = _post(values, rows, timebank, accounts, progress)
    return result
