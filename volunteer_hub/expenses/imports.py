"""Importing claims kept in an older system (all or nothing; safe to re-run): a configuration of
:mod:`volunteer_hub.core.imports`.

Each row is one item of its own claim. Mileage rows are priced by the organisation's mileage
policy in date order, the 10,000-mile car band counted across every organisation (claims already
held and earlier rows of the file). A row's amount is what was claimed and, for approved and paid
rows, what was decided — never more than was claimed, the same rule as deciding on screen. For a
mileage row the claim is what the miles come to: an empty amount is exactly that, a smaller
amount on an approved or paid row is a part approval, and a larger amount is a line error.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from volunteer_hub.accounts.models import User
from volunteer_hub.core.imports import (
    Field,
    Progress,
    Table,
    distinct,
    insert_returning_ids,
    insert_rows,
    lined,
    read_columns,
    refusal,
    repeated_refs,
)
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.tabular import iso_date, past_date, volunteer_columns
from volunteer_hub.expenses import mileage
from volunteer_hub.expenses.models import (
    ITEM_TYPES,
    MILEAGE_TYPES,
    ClaimStatus,
    ExpenseClaim,
    ExpenseItem,
    ItemDecision,
)
from volunteer_hub.expenses.queries import LIVE, current_policy
from volunteer_hub.expenses.rules import MAX_ITEM_PENCE, MAX_ITEM_TENTHS, pounds_to_pence
from volunteer_hub.expenses.services import price_mileage
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation, OrganisationKind
from volunteer_hub.organisations.services import create_organisation
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import create_volunteers

if TYPE_CHECKING:
    import numpy as np

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


@dataclass
class ExpensesImportResult:
    imported: int = 0
    skipped: int = 0
    created_volunteers: int = 0
    created_organisations: int = 0
    total_pence: int = 0


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


# --- each cell ----------------------------------------------------------------------------


def _ref(text: str, problems: list[str]) -> str | None:
    if len(text) > 100:
        problems.append("ref is longer than 100 characters")
    return text or None


def _volunteer(email: str, name: str, problems: list[str]) -> tuple[str | None, str]:
    return volunteer_columns({"volunteer_email": email, "volunteer_name": name}, problems)


def _organisation(text: str, problems: list[str]) -> str:
    organisation = " ".join(text.split())
    if not organisation or len(organisation) > 200:
        problems.append("organisation is empty or longer than 200 characters")
    return organisation


def _tenths(text: str, problems: list[str]) -> int | None:
    try:
        miles = Decimal(text)
        if not miles.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        problems.append(f"miles {text!r} is not a number like 12.5")
        return None
    # Range first: arithmetic on a huge number (1e999999999) would overflow.
    if not 0 < miles <= Decimal(MAX_ITEM_TENTHS) / 10:
        problems.append(f"miles {text} must be more than 0 and at most 2000")
    elif miles * 10 != (miles * 10).to_integral_value():
        problems.append(f"miles {text} has more than one decimal place")
    else:
        return int(miles * 10)
    return None


def _pence(text: str, problems: list[str]) -> int | None:
    try:
        pence = pounds_to_pence(text)
    except ValueError as error:
        problems.append(str(error))
        return None
    if not 0 < pence <= MAX_ITEM_PENCE:
        problems.append(f"amount {text} must be more than 0 and at most 5000.00")
    return pence


def _item(kind_text: str, miles: str, amount: str, problems: list[str]) -> tuple[Any, ...]:
    """(type, tenths, pence)."""
    kind = kind_text.strip().lower()
    if kind not in ITEM_TYPES:
        problems.append(f"type {kind_text!r} must be one of {', '.join(ITEM_TYPES)}")
    tenths = _tenths(miles, problems) if miles else None
    pence = _pence(amount, problems) if amount else None
    if kind in MILEAGE_TYPES and miles == "":
        problems.append(f"miles is required for {kind}")
    if kind in ITEM_TYPES and kind not in MILEAGE_TYPES:
        if miles:
            problems.append(f"miles is only for mileage types, not {kind}")
        if amount == "":
            problems.append(f"amount is required for {kind}")
    return kind, tenths, pence


def _status(
    status_text: str, paid_text: str, day_text: str, today: date, problems: list[str]
) -> tuple[str, date | None]:
    """(status, paid_on)."""
    status = status_text.strip().lower()
    if status not in STATUSES:
        problems.append(f"status {status_text!r} must be submitted, approved or paid")
    if not paid_text:
        if status == "paid":
            problems.append("paid_on is required for paid rows")
        return status, None
    try:
        paid_on = iso_date(paid_text, "paid_on")
    except ValueError as error:
        problems.append(str(error))
        return status, None
    try:
        day = iso_date(day_text, "date")
    except ValueError:
        day = date.min
    if status != "paid":
        problems.append("paid_on is only for paid rows")
    elif paid_on > today:
        problems.append(f"paid_on {paid_text} is in the future")
    elif paid_on < day:
        problems.append(f"paid_on {paid_text} is before the expense's date")
    return status, paid_on


def _description(text: str, kind_text: str, problems: list[str]) -> str:
    description = " ".join(text.split()) or ITEM_TYPES.get(kind_text.strip().lower(), "Expense")
    if len(description) > 500:
        problems.append("description is longer than 500 characters")
    return description


def _fields(today: date) -> tuple[Field, ...]:
    return (
        Field(("ref",), _ref),
        Field(("volunteer_email", "volunteer_name"), _volunteer, "volunteer"),
        Field(("organisation",), _organisation),
        Field(("date",), lambda text, problems: past_date(text, "date", today, problems)),
        Field(("type", "miles", "amount"), _item, "item"),
        Field(
            ("status", "paid_on", "date"),
            lambda s, p, d, problems: _status(s, p, d, today, problems),
            "status",
        ),
        Field(("description", "type"), _description),
    )


# --- references ---------------------------------------------------------------------------


@dataclass
class _Lookups:
    organisations: dict[str, int]
    by_email: dict[str, int]
    by_name: dict[str, int]


def _load_lookups() -> _Lookups:
    organisations = {
        _key(name): oid
        for oid, name in db.session.execute(select(Organisation.id, Organisation.name))
    }
    lookups = _Lookups(organisations, {}, {})
    for vid, email, name in db.session.execute(
        select(Volunteer.id, Volunteer.email, Volunteer.name)
    ):
        if email:
            lookups.by_email[email.lower()] = vid
        else:
            lookups.by_name.setdefault(_key(name), vid)
    for email, vid in db.session.execute(
        select(User.email, Volunteer.id).join(Volunteer, Volunteer.user_id == User.id)
    ):
        lookups.by_email.setdefault(email.lower(), vid)
    return lookups


def _unknown(row: int, values: dict[str, Any], lookups: _Lookups) -> list[str]:
    problems = []
    organisation = values["organisation"][row]
    if _key(organisation) not in lookups.organisations:
        problems.append(
            f"organisation {organisation!r} is not known "
            "(check the spelling, or use --create-missing)"
        )
    email, name = values["volunteer"][row]
    if not (email in lookups.by_email if email else _key(name) in lookups.by_name):
        problems.append(f"volunteer {email or name!r} is not known (use --create-missing)")
    return problems


def _check(
    path: Path, create_missing: bool
) -> tuple[Table, dict[str, Any], np.ndarray, int, _Lookups]:
    """The rows to import, in date order (then file order), and how many are skipped; or
    DomainError listing every bad row."""
    import numpy as np
    import pandas as pd

    table = read_columns(path, EXPENSES_HEADER)
    parsed = table.parse(_fields(datetime.now(LONDON).date()))
    values, good = parsed.values, parsed.good()
    found = parsed.joined() + repeated_refs(table, values["ref"], good)
    good[[row for row, _ in found]] = False
    problems = lined(table, sorted(found))
    held = set(db.session.scalars(select(ExpenseClaim.ref).where(ExpenseClaim.ref.is_not(None))))
    rows = np.flatnonzero(good)
    skipped = pd.Series(values["ref"][rows]).isin(held).to_numpy()
    rows = rows[~skipped]
    lookups = _load_lookups()
    if not create_missing:
        keys = [parsed.codes["organisation"], parsed.codes["volunteer"]]
        problems += lined(table, distinct(rows, keys, lambda r: _unknown(r, values, lookups)))
    if problems:
        raise refusal(problems)
    order = np.lexsort((table.lines[rows], pd.Series(values["date"][rows]).map(date.toordinal)))
    return table, values, rows[order], int(skipped.sum()), lookups


def _organisation_ids(rows: np.ndarray, values: dict[str, Any], lookups: _Lookups) -> list[int]:
    """Each row's organisation, creating the unknown ones (through organisations' service)."""
    ids = []
    for row in rows:
        key = _key(values["organisation"][row])
        if key not in lookups.organisations:
            created = create_organisation(
                name=values["organisation"][row], kind=OrganisationKind.VCO
            )
            lookups.organisations[key] = created.id
        ids.append(lookups.organisations[key])
    return ids


def _volunteer_ids(
    rows: np.ndarray, values: dict[str, Any], lookups: _Lookups
) -> tuple[list[int], int]:
    """Each row's volunteer, creating the unknown ones (through volunteers' service)."""
    wanted: dict[tuple[str, str], tuple[str | None, str, None]] = {}
    for email, name in values["volunteer"][rows]:
        known = email in lookups.by_email if email else _key(name) in lookups.by_name
        person = ("email", email) if email else ("name", _key(name))
        if not known and person not in wanted:
            wanted[person] = (
                (email, name or email.split("@")[0], None) if email else (None, name, None)
            )
    for (kind, key), vid in zip(wanted, create_volunteers(list(wanted.values())), strict=True):
        (lookups.by_email if kind == "email" else lookups.by_name)[key] = vid
    return [
        lookups.by_email[email] if email else lookups.by_name[_key(name)]
        for email, name in values["volunteer"][rows]
    ], len(wanted)


# --- mileage, priced in date order ----------------------------------------------------------


class _Pricing:
    """Each mileage row priced as if entered in date order: the car miles already claimed in its
    tax year (claims held, and earlier rows of this file) decide the HMRC band."""

    def __init__(self, first_day: date) -> None:
        self.policies: dict[int, Any] = {}
        self.rates: dict[int, mileage.HmrcRates] = {}
        self.from_file: dict[tuple[int, int], int] = {}
        self.held: dict[tuple[int, int], tuple[list[date], list[int]]] = {}
        start, _ = mileage.tax_year_bounds(mileage.tax_year_of(first_day))
        for vid, day, tenths in db.session.execute(
            select(ExpenseClaim.volunteer_id, ExpenseItem.date, ExpenseItem.miles_tenths)
            .join(ExpenseClaim, ExpenseClaim.id == ExpenseItem.claim_id)
            .where(
                ExpenseClaim.status.in_(LIVE),
                ExpenseItem.type == "car_mileage",
                ExpenseItem.date >= start,
                or_(ExpenseItem.decision.is_(None), ExpenseItem.decision != "rejected"),
            )
            .order_by(ExpenseItem.date)
        ):
            days, totals = self.held.setdefault((vid, mileage.tax_year_of(day)), ([], []))
            days.append(day)
            totals.append((totals[-1] if totals else 0) + (tenths or 0))

    def policy(self, organisation_id: int) -> Any:
        if organisation_id not in self.policies:
            self.policies[organisation_id] = current_policy(organisation_id)
        return self.policies[organisation_id]

    def price(
        self, organisation_id: int, volunteer_id: int, kind: str, tenths: int, day: date
    ) -> int:
        year = mileage.tax_year_of(day)
        days, totals = self.held.get((volunteer_id, year), ([], []))
        at = bisect.bisect_right(days, day)
        prior = (totals[at - 1] if at else 0) + self.from_file.get((volunteer_id, year), 0)
        if year not in self.rates:
            self.rates[year] = mileage.hmrc_rates(year)
        return price_mileage(
            policy=self.policy(organisation_id),
            item_type=kind,
            tenths=tenths,
            passengers=1,
            day=day,
            prior_tenths=prior,
            rates=self.rates[year],
        )

    def counted(self, volunteer_id: int, kind: str, tenths: int, day: date) -> None:
        if kind == "car_mileage":
            key = (volunteer_id, mileage.tax_year_of(day))
            self.from_file[key] = self.from_file.get(key, 0) + tenths


def _pounds(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def _miles(tenths: int) -> str:
    whole, tenth = divmod(tenths, 10)
    return f"{whole:,}" if tenth == 0 else f"{whole:,}.{tenth}"


def _decided(
    status: str, kind: str, tenths: int | None, pence: int | None, priced: int | None
) -> tuple[Any, ...]:
    """(claim status, claimed, approved, decision, reason) of a row whose amount is allowed."""
    decided = status in ("approved", "paid")
    claimed = pence
    if kind in MILEAGE_TYPES:
        pence = priced if pence is None else pence
        claimed = priced if decided else pence
    assert pence is not None and claimed is not None
    if not decided:
        return ClaimStatus(status).value, claimed, None, None, None
    # Paid in full, or (mileage paid below what the miles come to) in part.
    decision, reason = ItemDecision.APPROVED.value, "Imported from the previous system"
    if pence < claimed:
        decision = ItemDecision.PART_APPROVED.value
        reason += ": part of the mileage paid"
        if status == "approved":
            status = ClaimStatus.PART_APPROVED.value
    return ClaimStatus(status).value, claimed, pence, decision, reason


# --- the import -----------------------------------------------------------------------------


def import_expenses(
    path: Path, *, create_missing: bool = False, progress: Progress | None = None
) -> ExpensesImportResult:
    """Check every row, then import them all in the caller's transaction, or raise DomainError
    listing every bad row by line number (and write nothing). ``progress`` hears the rows
    checked, then the rows saved."""
    table, values, rows, skipped, lookups = _check(path, create_missing)
    if progress:
        progress("checked", len(table))
    result = ExpensesImportResult(skipped=skipped)
    before = len(lookups.organisations)
    organisation_ids = _organisation_ids(rows, values, lookups)
    result.created_organisations = len(lookups.organisations) - before
    volunteer_ids, result.created_volunteers = _volunteer_ids(rows, values, lookups)
    pricing = _Pricing(min(values["date"][rows], default=date.today()))
    claims: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    problems: list[str] = []
    now = utcnow()
    for row, oid, vid in zip(rows.tolist(), organisation_ids, volunteer_ids, strict=True):
        kind, tenths, pence = values["item"][row]
        day, (status, paid_on) = values["date"][row], values["status"][row]
        priced = None
        if kind in MILEAGE_TYPES:
            priced = pricing.price(oid, vid, kind, tenths, day)
            if pence is not None and pence > priced:
                problems.append(
                    f"line {table.lines[row]}: amount {_pounds(pence)} is more than the "
                    f"{_pounds(priced)} that {_miles(tenths)} miles come to under the "
                    f"mileage policy of {values['organisation'][row]}: nothing is paid above "
                    "the claim"
                )
                continue
            pricing.counted(vid, kind, tenths, day)
        state, claimed, approved, decision, reason = _decided(status, kind, tenths, pence, priced)
        claims.append(
            {
                "ref": values["ref"][row],
                "volunteer_id": vid,
                "organisation_id": oid,
                "status": state,
                "source": "imported",
                "policy_version": pricing.policy(oid).version,
                "submitted_at": now,
                "decided_at": now if approved is not None else None,
                "paid_on": paid_on,
                "created_at": now,
                "updated_at": now,
            }
        )
        items.append(
            {
                "type": kind,
                "date": day,
                "description": values["description"][row],
                "miles_tenths": tenths if kind in MILEAGE_TYPES else None,
                "passengers": 1 if kind == "passenger_mileage" else 0,
                "claimed_pence": claimed,
                "decision": decision,
                "approved_pence": approved,
                "decision_reason": reason,
            }
        )
        result.total_pence += approved if approved is not None else claimed
    if problems:
        raise refusal(problems)
    _insert(claims, items, progress)
    result.imported = len(claims)
    return result


def _insert(
    claims: list[dict[str, Any]], items: list[dict[str, Any]], progress: Progress | None
) -> None:
    """Claims (their ids in order), then their items, in batches."""
    if not claims:
        return
    ids = insert_returning_ids(
        ExpenseClaim.__table__, {name: [c[name] for c in claims] for name in claims[0]}, len(claims)
    )
    columns: dict[str, Any] = {"claim_id": ids}
    for name in items[0]:
        columns[name] = [item[name] for item in items]
    insert_rows(ExpenseItem.__table__, columns, len(items), progress=progress)
