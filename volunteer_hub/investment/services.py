"""Investment services: import and entry. They flush, never commit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.money import parse_pounds
from volunteer_hub.core.tabular import read_table
from volunteer_hub.core.transitions import AlreadyDone, flush_unique
from volunteer_hub.extensions import db
from volunteer_hub.investment.models import CATEGORIES, InvestmentEntry
from volunteer_hub.organisations.models import Organisation

INVESTMENT_HEADER = ("organisation", "period_start", "period_end", "category", "amount")

#: Checks registered from above (reports connects expenses, a sibling, here): each is called
#: with the organisation id, period start and end and category of an entry about to be added,
#: and raises DomainError to refuse it (e.g. reimbursed expenses counted from paid claims).
EntryCheck = Callable[[int, date, date, str], None]
_entry_checks: list[EntryCheck] = []


def register_entry_check(check: EntryCheck) -> None:
    if check not in _entry_checks:
        _entry_checks.append(check)


@dataclass
class InvestmentImportResult:
    added: int = 0
    skipped: int = 0


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _parse_date(text: str, column: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a date like 2025-04-01") from None


def add_entry(
    *,
    organisation_id: int,
    period_start: date,
    period_end: date,
    category: str,
    amount_pence: int,
    entered_by: User | None,
    source: str = "entered",
    key: str | None = None,
) -> InvestmentEntry:
    """One entry. ``key`` is the entry form's one-time key: the same form sent twice (a double
    click, two tabs) adds the money once."""
    if category not in CATEGORIES:
        raise DomainError("Choose a category from the list", field="category")
    if period_end < period_start:
        raise DomainError("The period must end on or after its start", field="period_end")
    if amount_pence < 0:
        raise DomainError("The amount must not be negative", field="amount")
    for check in _entry_checks:
        check(organisation_id, period_start, period_end, category)
    key = (key or "")[:32] or None
    already = "This investment was already added."
    if key and db.session.scalar(select(InvestmentEntry.id).where(InvestmentEntry.form_key == key)):
        raise AlreadyDone(already)
    entry = InvestmentEntry(
        organisation_id=organisation_id,
        period_start=period_start,
        period_end=period_end,
        category=category,
        amount_pence=amount_pence,
        source=source,
        entered_by_id=entered_by.id if entered_by else None,
        form_key=key,
    )
    db.session.add(entry)
    flush_unique(already)  # the same form sent twice at once: one is added
    return entry


def enter_investment(
    *,
    actor: User,
    organisation: Organisation,
    period_start: date,
    period_end: date,
    category: str,
    amount_pence: int,
    key: str | None = None,
) -> InvestmentEntry:
    """A coordinator enters what their organisation spent (:func:`add_entry`); audited."""
    entry = add_entry(
        organisation_id=organisation.id,
        period_start=period_start,
        period_end=period_end,
        category=category,
        amount_pence=amount_pence,
        entered_by=actor,
        key=key,
    )
    audit(
        "investment.added",
        actor=actor,
        target=entry,
        details={
            "organisation": organisation.name,
            "category": entry.category,
            "pence": amount_pence,
        },
    )
    return entry


def import_investment(path: Path, *, imported_by: User | None = None) -> InvestmentImportResult:
    """All or nothing. Rows identical to entries already held are skipped (as many times as they
    are already held), so importing the same file twice adds nothing."""
    organisations = {
        _key(name): oid
        for oid, name in db.session.execute(select(Organisation.id, Organisation.name))
    }
    problems: list[str] = []
    wanted: Counter[tuple[int, date, date, str, int]] = Counter()
    for line, row in read_table(path, INVESTMENT_HEADER):
        errors = []
        organisation_id = organisations.get(_key(row["organisation"]))
        if organisation_id is None:
            errors.append(f"organisation {row['organisation']!r} is not known")
        try:
            start = _parse_date(row["period_start"], "period_start")
            end = _parse_date(row["period_end"], "period_end")
            if end < start:
                errors.append("period_end is before period_start")
        except ValueError as error:
            errors.append(str(error))
            start = end = date.min
        category = row["category"].strip().lower()
        if category not in CATEGORIES:
            errors.append(f"category {row['category']!r} must be one of {', '.join(CATEGORIES)}")
        try:
            pence = parse_pounds(row["amount"])
        except ValueError as error:
            errors.append(str(error))
            pence = 0
        if not errors and organisation_id is not None:
            for check in _entry_checks:
                try:
                    check(organisation_id, start, end, category)
                except DomainError as refused:
                    errors.append(refused.message)
        if errors:
            problems.append(f"line {line}: " + "; ".join(errors))
            continue
        assert organisation_id is not None
        wanted[(organisation_id, start, end, category, pence)] += 1
    if problems:
        raise DomainError("Nothing was imported. Fix these rows:\n" + "\n".join(problems))
    held: Counter[tuple[int, date, date, str, int]] = Counter(
        (e.organisation_id, e.period_start, e.period_end, e.category, e.amount_pence)
        for e in db.session.scalars(select(InvestmentEntry))
    )
    result = InvestmentImportResult()
    for key, count in wanted.items():
        already = min(held[key], count)
        result.skipped += already
        for _ in range(count - already):
            add_entry(
                organisation_id=key[0],
                period_start=key[1],
                period_end=key[2],
                category=key[3],
                amount_pence=key[4],
                entered_by=imported_by,
                source="imported",
            )
            result.added += 1
    return result
