"""Importing approved hours from CSV or XLSX (all or nothing; safe to re-run)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from volunteer_hub.accounts.models import User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import plural
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.tabular import past_date, read_table, volunteer_columns
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord, HourSource, HourStatus
from volunteer_hub.organisations.models import Organisation, OrganisationKind, Role
from volunteer_hub.organisations.services import slugify
from volunteer_hub.volunteers.models import Volunteer

HOURS_HEADER = (
    "ref",
    "volunteer_email",
    "volunteer_name",
    "organisation",
    "role",
    "soc_code",
    "date",
    "hours",
    "employer_time",
)
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
SOC_RE = re.compile(r"^\d{1,4}$")
LONDON = ZoneInfo("Europe/London")
MAX_PROBLEMS_LISTED = 1000
BATCH = 5000
MAX_SECONDS_A_DAY = 24 * 3600
#: Large files report progress every this many rows (checked, then saved).
PROGRESS_EVERY = 50_000


@dataclass
class HoursImportResult:
    imported: int = 0
    skipped: int = 0
    created_volunteers: int = 0
    created_organisations: int = 0
    created_roles: int = 0
    total_hours: Decimal = Decimal(0)


@dataclass(slots=True)
class _Row:
    line: int
    ref: str | None
    email: str | None
    name: str
    organisation: str
    role: str | None
    soc_code: str | None
    day: date
    seconds: int
    employer_time: bool


@dataclass
class _Lookups:
    volunteers_by_email: dict[str, int] = field(default_factory=dict)
    volunteers_by_name: dict[str, int] = field(default_factory=dict)
    users_by_email: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: user id → their volunteer record, when it exists (its email may differ from the account's).
    volunteers_by_user: dict[int, int] = field(default_factory=dict)
    organisations: dict[str, int] = field(default_factory=dict)
    roles: dict[tuple[int, str], tuple[int, str | None]] = field(default_factory=dict)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _parse(line: int, row: dict[str, str], today: date) -> _Row:
    problems = []
    ref = row["ref"] or None
    if ref is not None and len(ref) > 100:
        problems.append("ref is longer than 100 characters")
    email, name = volunteer_columns(row, problems)
    organisation = " ".join(row["organisation"].split())
    if not organisation:
        problems.append("organisation is empty")
    elif len(organisation) > 200:
        problems.append("organisation is longer than 200 characters")
    role = " ".join(row["role"].split()) or None
    if role is not None and len(role) > 200:
        problems.append("role is longer than 200 characters")
    soc_code = row["soc_code"] or None
    if soc_code is not None and not SOC_RE.match(soc_code):
        problems.append(f"soc_code {soc_code!r} must be 1 to 4 digits (UK SOC 2020)")
    day = past_date(row["date"], "date", today, problems)
    seconds = 0
    try:
        hours = Decimal(row["hours"])
        if not hours.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        problems.append(f"hours {row['hours']!r} is not a number like 2.5")
    else:
        if hours <= 0 or hours > 24:
            problems.append(f"hours {row['hours']} must be more than 0 and at most 24")
        elif (hours * 3600) != (hours * 3600).to_integral_value():
            problems.append(f"hours {row['hours']} is not a whole number of seconds")
        else:
            seconds = int(hours * 3600)
    employer = row["employer_time"].lower()
    if employer not in YES | NO:
        problems.append(f"employer_time {row['employer_time']!r} must be yes or no")
    if problems:
        raise ValueError("; ".join(problems))
    return _Row(line, ref, email, name, organisation, role, soc_code, day, seconds, employer in YES)


def _load_lookups() -> _Lookups:
    lookups = _Lookups()
    for vid, email, name, user_id in db.session.execute(
        select(Volunteer.id, Volunteer.email, Volunteer.name, Volunteer.user_id)
    ):
        if user_id is not None:
            lookups.volunteers_by_user[user_id] = vid
        if email:
            lookups.volunteers_by_email[email] = vid
        else:
            lookups.volunteers_by_name.setdefault(_key(name), vid)
    for uid, email, name in db.session.execute(select(User.id, User.email, User.name)):
        lookups.users_by_email[email] = (uid, name)
    for oid, name in db.session.execute(select(Organisation.id, Organisation.name)):
        lookups.organisations[_key(name)] = oid
    for rid, oid, title, soc in db.session.execute(
        select(Role.id, Role.organisation_id, Role.title, Role.soc_code)
    ):
        lookups.roles[(oid, _key(title))] = (rid, soc)
    return lookups


def import_hours(
    path: Path,
    *,
    create_missing: bool = False,
    imported_by: User | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> HoursImportResult:
    """Check every row, then import them all in the caller's transaction, or raise DomainError
    listing every bad row (and write nothing)."""
    today = datetime.now(LONDON).date()
    problems: list[str] = []
    rows: list[_Row] = []
    refs_in_file: dict[str, int] = {}
    #: (volunteer, date) → seconds in this file: nobody gives more than 24 hours in a day.
    day_totals: dict[tuple[str, date], int] = {}
    count = 0
    for line, raw in read_table(path, HOURS_HEADER):
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress("checked", count)
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
        person_day = (parsed.email or _key(parsed.name), parsed.day)
        day_totals[person_day] = day_totals.get(person_day, 0) + parsed.seconds
        if day_totals[person_day] > MAX_SECONDS_A_DAY:
            problems.append(
                f"line {line}: {parsed.email or parsed.name} would have more than 24 hours on "
                f"{parsed.day.isoformat()} in this file"
            )
            continue
        rows.append(parsed)
    if progress and count >= PROGRESS_EVERY and count % PROGRESS_EVERY:
        progress("checked", count)

    lookups = _load_lookups()
    existing_refs = set(
        db.session.scalars(select(HourRecord.ref).where(HourRecord.ref.is_not(None)))
    )
    result = HoursImportResult()
    missing_org: set[str] = set()
    for row in rows:
        if row.ref is not None and row.ref in existing_refs:
            continue
        org_key = _key(row.organisation)
        if org_key not in lookups.organisations:
            if not create_missing:
                problems.append(
                    f"line {row.line}: organisation {row.organisation!r} is not known "
                    "(check the spelling, or use --create-missing)"
                )
                continue
            missing_org.add(org_key)
        if not create_missing:
            known = (
                (row.email in lookups.volunteers_by_email or row.email in lookups.users_by_email)
                if row.email
                else _key(row.name) in lookups.volunteers_by_name
            )
            if not known:
                who = row.email or row.name
                problems.append(
                    f"line {row.line}: volunteer {who!r} is not known (use --create-missing)"
                )
            if row.role is not None:
                oid = lookups.organisations.get(org_key)
                if oid is None or (oid, _key(row.role)) not in lookups.roles:
                    problems.append(
                        f"line {row.line}: role {row.role!r} is not known at "
                        f"{row.organisation!r} (use --create-missing)"
                    )
        if row.role is not None and row.soc_code:
            oid = lookups.organisations.get(org_key)
            known_role = lookups.roles.get((oid, _key(row.role))) if oid else None
            if (
                known_role
                and known_role[1]
                and not row.soc_code.startswith(known_role[1])
                and not known_role[1].startswith(row.soc_code)
            ):
                problems.append(
                    f"line {row.line}: soc_code {row.soc_code} does not match role "
                    f"{row.role!r}'s occupation code {known_role[1]}"
                )
    if problems:
        shown = problems[:MAX_PROBLEMS_LISTED]
        more = len(problems) - len(shown)
        raise DomainError(
            f"Nothing was imported: {plural(len(problems), 'row needs', 'rows need')} fixing.\n"
            + "\n".join(shown)
            + (f"\n… and {more} more" if more else "")
        )

    now = utcnow()
    batch: list[dict[str, object]] = []
    for row in rows:
        if row.ref is not None and row.ref in existing_refs:
            result.skipped += 1
            continue
        org_id = _organisation_id(row, lookups, result)
        volunteer_id = _volunteer_id(row, lookups, result)
        role_id, soc_code = _role(row, org_id, lookups, result)
        batch.append(
            {
                "ref": row.ref,
                "volunteer_id": volunteer_id,
                "organisation_id": org_id,
                "role_id": role_id,
                "date": row.day,
                "seconds": row.seconds,
                "status": HourStatus.APPROVED.value,
                "source": HourSource.IMPORTED.value,
                "employer_time": row.employer_time,
                "soc_code": row.soc_code or soc_code,
                "approved_by_id": imported_by.id if imported_by else None,
                "approved_at": now,
                "created_at": now,
            }
        )
        result.imported += 1
        result.total_hours += Decimal(row.seconds) / 3600
        if len(batch) >= BATCH:
            _insert(batch)
            batch = []
            if progress and result.imported % PROGRESS_EVERY == 0:
                progress("saved", result.imported)
    if batch:
        _insert(batch)
    db.session.flush()
    return result


def _insert(batch: list[dict[str, object]]) -> None:
    """Insert in the session's transaction: COPY on PostgreSQL (several times faster than
    multi-row INSERT for a million rows), executemany elsewhere."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        db.session.execute(insert(HourRecord), batch)
        return
    columns = list(batch[0])
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        statement = f"COPY hours_record ({', '.join(columns)}) FROM STDIN"
        with cursor.copy(statement) as copy:
            for row in batch:
                copy.write_row([row[c] for c in columns])


def _organisation_id(row: _Row, lookups: _Lookups, result: HoursImportResult) -> int:
    key = _key(row.organisation)
    if key not in lookups.organisations:
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
        lookups.organisations[key] = organisation.id
        result.created_organisations += 1
    return lookups.organisations[key]


def _volunteer_id(row: _Row, lookups: _Lookups, result: HoursImportResult) -> int:
    if row.email:
        if row.email in lookups.volunteers_by_email:
            return lookups.volunteers_by_email[row.email]
        user = lookups.users_by_email.get(row.email)
        if user is not None and user[0] in lookups.volunteers_by_user:
            # The account's volunteer record, kept under another email address.
            lookups.volunteers_by_email[row.email] = lookups.volunteers_by_user[user[0]]
            return lookups.volunteers_by_email[row.email]
        volunteer = Volunteer(
            email=row.email,
            name=row.name or (user[1] if user else row.email.split("@")[0]),
            user_id=user[0] if user else None,
        )
        db.session.add(volunteer)
        db.session.flush()
        lookups.volunteers_by_email[row.email] = volunteer.id
        if user is not None:
            lookups.volunteers_by_user[user[0]] = volunteer.id
        if user is None:
            result.created_volunteers += 1
        return volunteer.id
    key = _key(row.name)
    if key not in lookups.volunteers_by_name:
        volunteer = Volunteer(email=None, name=row.name)
        db.session.add(volunteer)
        db.session.flush()
        lookups.volunteers_by_name[key] = volunteer.id
        result.created_volunteers += 1
    return lookups.volunteers_by_name[key]


def _role(
    row: _Row, org_id: int, lookups: _Lookups, result: HoursImportResult
) -> tuple[int | None, str | None]:
    if row.role is None:
        return None, None
    key = (org_id, _key(row.role))
    if key not in lookups.roles:
        role = Role(organisation_id=org_id, title=row.role, soc_code=row.soc_code)
        db.session.add(role)
        db.session.flush()
        lookups.roles[key] = (role.id, row.soc_code)
        result.created_roles += 1
    role_id, soc = lookups.roles[key]
    if soc is None and row.soc_code:
        db.session.get(Role, role_id).soc_code = row.soc_code  # type: ignore[union-attr]
        lookups.roles[key] = (role_id, row.soc_code)
        soc = row.soc_code
    return role_id, soc
