"""Importing exchanges kept on paper or in an older system: checked in full (the minimum
balance included, rows in date order), then all applied or none; refs imported before are
skipped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import func, select

from volunteer_hub.accounts.models import User
from volunteer_hub.core import formatting
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import plural
from volunteer_hub.core.tabular import EMAIL_RE, past_date, read_table
from volunteer_hub.extensions import db
from volunteer_hub.timebank import ledger
from volunteer_hub.timebank.ledger import Leg
from volunteer_hub.timebank.models import Account, TimeBank, Transfer
from volunteer_hub.timebank.services import DEFAULT_TERMS, pot_of

HEADER = ("ref", "date", "giver_email", "receiver_email", "hours", "description")
MAX_LISTED = 1000


@dataclass
class ImportResult:
    imported: int = 0
    skipped: int = 0
    created_members: int = 0
    created_timebank: bool = False
    minutes: int = 0


@dataclass
class _Row:
    line: int
    ref: str
    day: date
    giver: str
    receiver: str
    minutes: int
    description: str


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


def import_exchanges(
    path: Path, *, timebank_name: str | None, create_missing: bool, today: date
) -> ImportResult:
    timebank, create_bank = _timebank(timebank_name, create_missing)
    accounts: dict[str, Account] = {}
    if timebank is not None:
        for account in db.session.scalars(
            select(Account).where(Account.timebank_id == timebank.id, Account.email.is_not(None))
        ):
            accounts[(account.email or "").lower()] = account
    known_refs = set(
        db.session.scalars(
            select(Transfer.idempotency_key).where(Transfer.idempotency_key.like("import:%"))
        )
    )
    problems: list[str] = []
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    skipped = 0
    for line, raw in read_table(path, HEADER):
        errors = []
        ref = raw["ref"]
        if not ref or len(ref) > 60:
            errors.append("ref is empty or longer than 60 characters")
        elif ref in seen:
            errors.append(f"ref {ref!r} is also on line {seen[ref]}")
        else:
            seen[ref] = line
        day = past_date(raw["date"], "date", today, errors)
        giver, receiver = raw["giver_email"].lower(), raw["receiver_email"].lower()
        for label, email in (("giver_email", giver), ("receiver_email", receiver)):
            if not EMAIL_RE.match(email):
                errors.append(f"{label} {email!r} is not an email address")
            elif email not in accounts and not create_missing:
                errors.append(f"{label} {email} is not a member of the time bank")
            elif email in accounts and accounts[email].status != "approved":
                errors.append(f"{label} {email} is {accounts[email].status}, not approved")
        if giver and giver == receiver:
            errors.append("the giver and the receiver are the same member")
        minutes = 0
        try:
            hours = Decimal(raw["hours"])
            if not hours.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors.append(f"hours {raw['hours']!r} is not a number like 1.5")
        else:
            if hours <= 0 or hours > 24 or (hours * 4) % 1:
                errors.append(
                    f"hours {raw['hours']} must be a positive multiple of 0.25, at most 24"
                )
            else:
                minutes = int(hours * 60)
        description = " ".join(raw["description"].split())
        if len(description) > 500:
            errors.append("description is longer than 500 characters")
        if errors:
            problems.extend(f"line {line}: {e}" for e in errors)
        elif f"import:{ref}" in known_refs:
            skipped += 1
        else:
            rows.append(_Row(line, ref, day, giver, receiver, minutes, description))

    # The minimum balance, with rows applied in date order (then file order).
    rows.sort(key=lambda r: (r.day, r.line))
    minimum = timebank.min_balance_minutes if timebank else -600
    maximum = timebank.max_balance_minutes if timebank else None
    balances = {email: account.balance_minutes for email, account in accounts.items()}
    for row in rows:
        after = balances.get(row.receiver, 0) - row.minutes
        if after < minimum:
            problems.append(
                f"line {row.line}: {row.receiver} would go to {formatting.hours(after)}, below "
                f"the minimum of {formatting.hours(minimum)}"
            )
        else:
            balances[row.receiver] = after
        gained = balances.get(row.giver, 0) + row.minutes
        if maximum is not None and gained > maximum:
            problems.append(
                f"line {row.line}: {row.giver} would go to {formatting.hours(gained)}, above "
                f"the maximum of {formatting.hours(maximum)}"
            )
        else:
            balances[row.giver] = gained
    if problems:
        problems.sort(key=lambda p: int(p.split(":")[0].split()[1]))
        shown = problems[:MAX_LISTED]
        more = len(problems) - len(shown)
        raise DomainError(
            f"Nothing was imported: {plural(len(problems), 'problem')} to fix.\n"
            + "\n".join(shown)
            + (f"\n… and {more} more" if more else "")
        )

    result = ImportResult(skipped=skipped)
    if timebank is None:
        assert timebank_name
        timebank = TimeBank(name=timebank_name, terms=DEFAULT_TERMS)
        db.session.add(timebank)
        db.session.flush()
        pot_of(timebank)
        result.created_timebank = create_bank
    for row in rows:
        for email in (row.giver, row.receiver):
            if email not in accounts:
                # A member since their first exchange on file (rows are in date order), so
                # reports for past periods count them; linked to their sign-in if they have one.
                user = db.session.scalar(select(User).where(func.lower(User.email) == email))
                accounts[email] = Account(
                    timebank_id=timebank.id,
                    kind="person",
                    user_id=user.id if user is not None else None,
                    name=user.name if user is not None else email.split("@")[0],
                    email=email,
                    status="approved",
                    approved_at=datetime.combine(row.day, time.min, tzinfo=UTC),
                )
                db.session.add(accounts[email])
                result.created_members += 1
        db.session.flush()
        ledger.post(
            timebank=timebank,
            kind="import",
            legs=[Leg(accounts[row.giver], row.minutes), Leg(accounts[row.receiver], -row.minutes)],
            done_on=row.day,
            description=row.description or None,
            actor=None,
            key=f"import:{row.ref}",
        )
        result.imported += 1
        result.minutes += row.minutes
    return result
