"""Importing claims kept in an older system (all or nothing; safe to re-run).

Each row is one item of its own claim. Mileage rows are priced by the organisation's mileage
policy in date order, the 10,000-mile car band counted across every organisation (claims already
held and earlier rows of the file). A row's amount is what was claimed and, for approved and paid
rows, what was decided — never more than was claimed, the same rule as deciding on screen. For a
mileage row the claim is what the miles come to: an empty amount is exactly that, a smaller
amount on an approved or paid row is a part approval, and a larger amount is a line error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from volunteer_hub.accounts.models import User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import plural
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.tabular import iso_date, past_date, read_table, volunteer_columns
from volunteer_hub.expenses import mileage
from volunteer_hub.expenses.models import (
    ITEM_TYPES,
    MILEAGE_TYPES,
    ClaimStatus,
    ExpenseClaim,
    ExpenseItem,
    ItemDecision,
)
from volunteer_hub.expenses.queries import current_policy, prior_car_tenths
from volunteer_hub.expenses.rules import MAX_ITEM_PENCE, MAX_ITEM_TENTHS, pounds_to_pence
from volunteer_hub.expenses.services import price_mileage
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation, OrganisationKind
from volunteer_hub.organisations.services import slugify
from volunteer_hub.volunteers.models import Volunteer

EXPENSES_HEADER = (
    "ref",
    "volunteer_email",
    "volunteer_name",
    "organisation",
    "date",
    "type",
    "miles",
    "amount",
    "status",
    "paid_on",
    "description",
)
STATUSES = ("submitted", "approved", "paid")
LONDON = ZoneInfo("Europe/London")
MAX_PROBLEMS_LISTED = 1000


@dataclass
class ExpensesImportResult:
    imported: int = 0
    skipped: int = 0
    created_volunteers: int = 0
    created_organisations: int = 0
    total_pence: int = 0


@dataclass
class _Row:
    line: int
    ref: str | None
    email: str | None
    name: str
    organisation: str
    day: date
    type: str
    tenths: int | None
    pence: int | None
    status: str
    paid_on: date | None
    description: str


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _parse(line: int, row: dict[str, str], today: date) -> _Row:
    problems: list[str] = []
    ref = row["ref"] or None
    if ref is not None and len(ref) > 100:
        problems.append("ref is longer than 100 characters")
    email, name = volunteer_columns(row, problems)
    organisation = " ".join(row["organisation"].split())
    if not organisation or len(organisation) > 200:
        problems.append("organisation is empty or longer than 200 characters")
    day = past_date(row["date"], "date", today, problems)
    kind = row["type"].strip().lower()
    if kind not in ITEM_TYPES:
        problems.append(f"type {row['type']!r} must be one of {', '.join(ITEM_TYPES)}")
    tenths: int | None = None
    pence: int | None = None
    if row["miles"]:
        try:
            miles = Decimal(row["miles"])
            if not miles.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            problems.append(f"miles {row['miles']!r} is not a number like 12.5")
        else:
            # Range first: arithmetic on a huge number (1e999999999) would overflow.
            if not 0 < miles <= Decimal(MAX_ITEM_TENTHS) / 10:
                problems.append(f"miles {row['miles']} must be more than 0 and at most 2000")
            elif miles * 10 != (miles * 10).to_integral_value():
                problems.append(f"miles {row['miles']} has more than one decimal place")
            else:
                tenths = int(miles * 10)
    if row["amount"]:
        try:
            pence = pounds_to_pence(row["amount"])
        except ValueError as error:
            problems.append(str(error))
        else:
            if not 0 < pence <= MAX_ITEM_PENCE:
                problems.append(f"amount {row['amount']} must be more than 0 and at most 5000.00")
    if kind in MILEAGE_TYPES and row["miles"] == "":
        problems.append(f"miles is required for {kind}")
    if kind in ITEM_TYPES and kind not in MILEAGE_TYPES:
        if row["miles"]:
            problems.append(f"miles is only for mileage types, not {kind}")
        if row["amount"] == "":
            problems.append(f"amount is required for {kind}")
    status = row["status"].strip().lower()
    if status not in STATUSES:
        problems.append(f"status {row['status']!r} must be submitted, approved or paid")
    paid_on: date | None = None
    if row["paid_on"]:
        try:
            paid_on = iso_date(row["paid_on"], "paid_on")
        except ValueError as error:
            problems.append(str(error))
        else:
            if status != "paid":
                problems.append("paid_on is only for paid rows")
            elif paid_on > today:
                problems.append(f"paid_on {row['paid_on']} is in the future")
            elif paid_on < day:
                problems.append(f"paid_on {row['paid_on']} is before the expense's date")
    elif status == "paid":
        problems.append("paid_on is required for paid rows")
    description = " ".join(row["description"].split()) or ITEM_TYPES.get(kind, "Expense")
    if len(description) > 500:
        problems.append("description is longer than 500 characters")
    if problems:
        raise ValueError("; ".join(problems))
    return _Row(
        line, ref, email, name, organisation, day, kind, tenths, pence, status, paid_on, description
    )


def import_expenses(path: Path, *, create_missing: bool = False) -> ExpensesImportResult:
    """Check every row, then import them all in the caller's transaction, or raise DomainError
    listing every bad row by line number (and write nothing)."""
    today = datetime.now(LONDON).date()
    problems: list[str] = []
    rows: list[_Row] = []
    refs_in_file: dict[str, int] = {}
    for line, raw in read_table(path, EXPENSES_HEADER):
        try:
            parsed = _parse(line, raw, today)
        except ValueError as error:
            problems.append(f"line {line}: {error}")
            continue
        if parsed.ref is not None:
            first = refs_in_file.setdefault(parsed.ref, line)
            if first != line:
                problems.append(f"line {line}: ref {parsed.ref!r} is also on line {first}")
                continue
        rows.append(parsed)

    organisations = {
        _key(name): oid
        for oid, name in db.session.execute(select(Organisation.id, Organisation.name))
    }
    volunteers_by_email: dict[str, int] = {}
    volunteers_by_name: dict[str, int] = {}
    for vid, email, name in db.session.execute(
        select(Volunteer.id, Volunteer.email, Volunteer.name)
    ):
        if email:
            volunteers_by_email[email.lower()] = vid
        else:
            volunteers_by_name.setdefault(_key(name), vid)
    for email, vid in db.session.execute(
        select(User.email, Volunteer.id).join(Volunteer, Volunteer.user_id == User.id)
    ):
        volunteers_by_email.setdefault(email.lower(), vid)
    existing_refs = set(
        db.session.scalars(select(ExpenseClaim.ref).where(ExpenseClaim.ref.is_not(None)))
    )
    for row in rows:
        if row.ref is not None and row.ref in existing_refs:
            continue
        if _key(row.organisation) not in organisations and not create_missing:
            problems.append(
                f"line {row.line}: organisation {row.organisation!r} is not known "
                "(check the spelling, or use --create-missing)"
            )
        known = (
            row.email in volunteers_by_email if row.email else _key(row.name) in volunteers_by_name
        )
        if not known and not create_missing:
            problems.append(
                f"line {row.line}: volunteer {row.email or row.name!r} is not known "
                "(use --create-missing)"
            )
    if problems:
        raise _refused(problems)

    result = ExpensesImportResult()
    rates: dict[int, mileage.HmrcRates] = {}
    now = utcnow()
    for row in sorted(rows, key=lambda r: (r.day, r.line)):
        if row.ref is not None and row.ref in existing_refs:
            result.skipped += 1
            continue
        org_id = _organisation_id(row, organisations, result)
        volunteer_id = _volunteer_id(row, volunteers_by_email, volunteers_by_name, result)
        policy = current_policy(org_id)
        year = mileage.tax_year_of(row.day)
        decided = row.status in ("approved", "paid")
        pence = row.pence
        claimed = pence
        if row.type in MILEAGE_TYPES:
            assert row.tenths is not None
            # Rows already imported from this file (earlier in date order) are in the session:
            # flushed, the database total counts them once.
            db.session.flush()
            prior = prior_car_tenths(volunteer_id, row.day)
            if year not in rates:
                rates[year] = mileage.hmrc_rates(year)
            priced = price_mileage(
                policy=policy,
                item_type=row.type,
                tenths=row.tenths,
                passengers=1,
                day=row.day,
                prior_tenths=prior,
                rates=rates[year],
            )
            if pence is not None and pence > priced:
                problems.append(
                    f"line {row.line}: amount {_pounds(pence)} is more than the "
                    f"{_pounds(priced)} that {_miles(row.tenths)} miles come to under the "
                    f"mileage policy of {row.organisation}: nothing is paid above the claim"
                )
                continue
            pence = priced if pence is None else pence
            claimed = priced if decided else pence
        assert pence is not None and claimed is not None
        # Decided rows: paid in full, or (mileage paid below what the miles come to) in part.
        decision = reason = None
        status = ClaimStatus(row.status).value
        if decided:
            decision, reason = ItemDecision.APPROVED.value, "Imported from the previous system"
            if pence < claimed:
                decision = ItemDecision.PART_APPROVED.value
                reason += ": part of the mileage paid"
                if row.status == "approved":
                    status = ClaimStatus.PART_APPROVED.value
        claim = ExpenseClaim(
            ref=row.ref,
            volunteer_id=volunteer_id,
            organisation_id=org_id,
            status=status,
            source="imported",
            policy_version=policy.version,
            submitted_at=now,
            decided_at=now if decided else None,
            paid_on=row.paid_on,
        )
        claim.items.append(
            ExpenseItem(
                type=row.type,
                date=row.day,
                description=row.description,
                miles_tenths=row.tenths if row.type in MILEAGE_TYPES else None,
                passengers=1 if row.type == "passenger_mileage" else 0,
                claimed_pence=claimed,
                decision=decision,
                approved_pence=pence if decided else None,
                decision_reason=reason,
            )
        )
        db.session.add(claim)
        result.imported += 1
        result.total_pence += pence
        if result.imported % 500 == 0:
            db.session.flush()
    if problems:
        raise _refused(problems)
    db.session.flush()
    return result


def _refused(problems: list[str]) -> DomainError:
    shown = problems[:MAX_PROBLEMS_LISTED]
    more = len(problems) - len(shown)
    return DomainError(
        f"Nothing was imported: {plural(len(problems), 'row needs', 'rows need')} fixing.\n"
        + "\n".join(shown)
        + (f"\n… and {more} more" if more else "")
    )


def _pounds(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def _miles(tenths: int) -> str:
    whole, tenth = divmod(tenths, 10)
    return f"{whole:,}" if tenth == 0 else f"{whole:,}.{tenth}"


def _organisation_id(row: _Row, organisations: dict[str, int], result: ExpensesImportResult) -> int:
    key = _key(row.organisation)
    if key not in organisations:
        base = slugify(row.organisation)
        slug, n = base, 2
        while db.session.scalar(
            select(func.count(Organisation.id)).where(Organisation.slug == slug)
        ):
            slug, n = f"{base}-{n}", n + 1
        organisation = Organisation(
            name=row.organisation, slug=slug, kind=OrganisationKind.VCO.value
        )
        db.session.add(organisation)
        db.session.flush()
        organisations[key] = organisation.id
        result.created_organisations += 1
    return organisations[key]


def _volunteer_id(
    row: _Row,
    by_email: dict[str, int],
    by_name: dict[str, int],
    result: ExpensesImportResult,
) -> int:
    if row.email:
        if row.email not in by_email:
            volunteer = Volunteer(email=row.email, name=row.name or row.email.split("@")[0])
            db.session.add(volunteer)
            db.session.flush()
            by_email[row.email] = volunteer.id
            result.created_volunteers += 1
        return by_email[row.email]
    key = _key(row.name)
    if key not in by_name:
        volunteer = Volunteer(email=None, name=row.name)
        db.session.add(volunteer)
        db.session.flush()
        by_name[key] = volunteer.id
        result.created_volunteers += 1
    return by_name[key]
