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
from volunteer_hub.core.imports import Field, read_columns, refusal
from volunteer_hub.core.money import parse_pounds
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


def _period(start_text: str, end_text: str, problems: list[str]) -> tuple[date, date]:
    try:
        start = _parse_date(start_text, "period_start")
        end = _parse_date(end_text, "period_end")
    except ValueError as error:
        problems.append(str(error))
        return date.min, date.min
    if end < start:
        problems.append("period_end is before period_start")
    return start, end


def _category(text: str, problems: list[str]) -> str:
    category = text.strip().lower()
    if category not in CATEGORIES:
        problems.append(f"category {text!r} must be one of {', '.join(CATEGORIES)}")
    return category


def _pence(text: str, problems: list[str]) -> int:
    try:
        return parse_pounds(text)
    except ValueError as error:
        problems.append(str(error))
        return 0


def _checks(organisation_id: int, start: date, end: date, category: str) -> list[str]:
    """What the registered entry checks refuse about one entry."""
    refused = []
    for check in _entry_checks:
        try:
            check(organisation_id, start, end, category)
        except DomainError as error:
            refused.append(error.message)
    return refused


Wanted = Counter[tuple[int, date, date, str, int]]


def _wanted(path: Path) -> Wanted:
    """Each distinct entry of the file and how many times it is there; or DomainError listing
    every bad row."""
    organisations = {
        _key(name): oid
        for oid, name in db.session.execute(select(Organisation.id, Organisation.name))
    }

    def organisation(text: str, problems: list[str]) -> int | None:
        found = organisations.get(_key(text))
        if found is None:
            problems.append(f"organisation {text!r} is not known")
        return found

    table = read_columns(path, INVESTMENT_HEADER)
    parsed = table.parse(
        (
            Field(("organisation",), organisation),
            Field(("period_start", "period_end"), _period, "period"),
            Field(("category",), _category),
            Field(("amount",), _pence),
        )
    )
    values, problems = parsed.values, []
    wanted: Wanted = Counter()
    for row in range(len(table)):
        errors = parsed.problems.get(row, [])
        entry = (values["organisation"][row], *values["period"][row], values["category"][row])
        if not errors and entry[0] is not None:
            errors = _checks(*entry)
        if errors:
            problems.append(f"line {table.lines[row]}: " + "; ".join(errors))
            continue
        wanted[(*entry, values["amount"][row])] += 1
    if problems:
        heading = "Nothing was imported. Fix these rows:"
        raise refusal(problems, heading, listed=len(problems))
    return wanted


def import_investment(path: Path, *, imported_by: User | None = None) -> InvestmentImportResult:
    """All or nothing. Rows identical to entries already held are skipped (as many times as they
    are already held), so importing the same file twice adds nothing."""
    wanted = _wanted(path)
    held: Wanted = Counter(
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
