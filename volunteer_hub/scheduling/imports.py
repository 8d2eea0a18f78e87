"""Importing shifts and sign-ups from an older rota system (CSV or XLSX): every row is checked
first and a file with any bad row imports nothing, naming each bad line and why; a shift
``ref`` imported before is skipped, and sign-ups already recorded are left as they are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from volunteer_hub.accounts.models import User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import plural
from volunteer_hub.core.tabular import read_table
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation, OrganisationKind, Role
from volunteer_hub.organisations.services import create_organisation
from volunteer_hub.scheduling import services
from volunteer_hub.scheduling.attendance import mark
from volunteer_hub.scheduling.models import Shift, SignUp
from volunteer_hub.scheduling.shifts import MAX_CAPACITY, MAX_SHIFT
from volunteer_hub.scheduling.times import parse_local, to_utc
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import volunteer_for

SHIFTS_HEADER = ("ref", "organisation", "role", "start", "end", "capacity", "location")
SIGNUPS_HEADER = ("shift_ref", "volunteer_email", "status")
IMPORT_STATUSES = ("confirmed", "attended", "no_show")
MAX_LISTED = 1000


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _fail(problems: list[str]) -> None:
    """Nothing is imported when any row is bad: say which, by line (the first 1,000)."""
    if not problems:
        return
    more = len(problems) - MAX_LISTED
    listed = "\n".join(problems[:MAX_LISTED]) + (f"\n… and {more} more" if more > 0 else "")
    need = plural(len(problems), "row needs", "rows need")
    raise DomainError(f"Nothing was imported: {need} fixing.\n{listed}")


@dataclass
class ShiftsResult:
    imported: int = 0
    skipped: int = 0
    created_organisations: int = 0
    created_roles: int = 0


@dataclass
class _ShiftRow:
    line: int
    ref: str
    organisation: str
    role: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    location: str | None


def _parse_shift(line: int, row: dict[str, str]) -> _ShiftRow:
    ref = row["ref"]
    if not ref or len(ref) > 100:
        raise DomainError("ref is needed (up to 100 characters)")
    if not row["organisation"] or not row["role"]:
        raise DomainError("organisation and role are needed")
    start, end = parse_local(row["start"]), parse_local(row["end"])
    starts_at, ends_at = to_utc(start), to_utc(end)
    if ends_at <= starts_at:
        raise DomainError("end must be after start")
    if ends_at - starts_at > MAX_SHIFT:
        raise DomainError("a shift lasts at most 24 hours")
    try:
        capacity = int(row["capacity"])
    except ValueError:
        raise DomainError(f"capacity {row['capacity']!r} is not a whole number") from None
    if not 1 <= capacity <= MAX_CAPACITY:
        raise DomainError("capacity must be from 1 to 500")
    location = " ".join(row["location"].split()) or None
    if location is not None and len(location) > 300:
        raise DomainError("location is longer than 300 characters")
    return _ShiftRow(
        line, ref, row["organisation"], row["role"], starts_at, ends_at, capacity, location
    )


@dataclass
class _Places:
    organisations: dict[str, int] = field(default_factory=dict)
    roles: dict[tuple[int, str], int] = field(default_factory=dict)


def _places() -> _Places:
    places = _Places()
    for oid, name in db.session.execute(select(Organisation.id, Organisation.name)):
        places.organisations.setdefault(_key(name), oid)
    for rid, oid, title in db.session.execute(
        select(Role.id, Role.organisation_id, Role.title).order_by(Role.id)
    ):
        places.roles.setdefault((oid, _key(title)), rid)
    return places


def _check_places(row: _ShiftRow, places: _Places, create_missing: bool) -> str | None:
    oid = places.organisations.get(_key(row.organisation))
    if oid is None:
        if create_missing:
            return None
        return (
            f"organisation {row.organisation!r} is not known "
            "(check the spelling, or use --create-missing)"
        )
    if (oid, _key(row.role)) not in places.roles and not create_missing:
        return f"role {row.role!r} is not known at {row.organisation!r} (use --create-missing)"
    return None


def import_shifts(path: Path, *, create_missing: bool = False) -> ShiftsResult:
    problems: list[str] = []
    rows: list[_ShiftRow] = []
    refs: dict[str, int] = {}
    places = _places()
    for line, raw in read_table(path, SHIFTS_HEADER):
        try:
            row = _parse_shift(line, raw)
        except DomainError as error:
            problems.append(f"line {line}: {error.message}")
            continue
        first = refs.setdefault(row.ref, line)
        if first != line:
            problems.append(f"line {line}: ref {row.ref!r} is also on line {first}")
            continue
        problem = _check_places(row, places, create_missing)
        if problem:
            problems.append(f"line {line}: {problem}")
            continue
        rows.append(row)
    _fail(problems)
    result = ShiftsResult()
    existing = set(db.session.scalars(select(Shift.ref).where(Shift.ref.in_(list(refs)))))
    for row in rows:
        if row.ref in existing:
            result.skipped += 1
            continue
        role_id = _role_id(row, places, result)
        db.session.add(
            Shift(
                ref=row.ref,
                role_id=role_id,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                capacity=row.capacity,
                location=row.location,
                who="placed",
            )
        )
        result.imported += 1
    db.session.flush()
    return result


def _role_id(row: _ShiftRow, places: _Places, result: ShiftsResult) -> int:
    key = _key(row.organisation)
    if key not in places.organisations:
        organisation = create_organisation(name=row.organisation, kind=OrganisationKind.VCO)
        places.organisations[key] = organisation.id
        result.created_organisations += 1
    oid = places.organisations[key]
    if (oid, _key(row.role)) not in places.roles:
        role = Role(organisation_id=oid, title=row.role)
        db.session.add(role)
        db.session.flush()
        places.roles[(oid, _key(row.role))] = role.id
        result.created_roles += 1
    return places.roles[(oid, _key(row.role))]


# --- sign-ups ---------------------------------------------------------------------------------


@dataclass
class SignUpsResult:
    confirmed: int = 0
    waiting: int = 0
    attended: int = 0
    no_show: int = 0
    skipped: int = 0

    @property
    def imported(self) -> int:
        return self.confirmed + self.waiting + self.attended + self.no_show


def _volunteers_by_email(emails: set[str]) -> dict[str, Volunteer | User]:
    """Each known email's volunteer record, or the account whose record is made on first use."""
    found: dict[str, Volunteer | User] = {
        (v.email or "").lower(): v
        for v in db.session.scalars(
            select(Volunteer).where(func.lower(Volunteer.email).in_(emails))
        )
    }
    for user in db.session.scalars(select(User).where(func.lower(User.email).in_(emails))):
        found.setdefault(user.email.lower(), user)
    return found


def _volunteer(found: Volunteer | User) -> Volunteer:
    return found if isinstance(found, Volunteer) else volunteer_for(found)


def import_signups(path: Path, *, now: datetime) -> SignUpsResult:
    table = list(read_table(path, SIGNUPS_HEADER))
    refs = {row["shift_ref"] for _, row in table}
    emails = {row["volunteer_email"].lower() for _, row in table}
    shifts = {s.ref: s for s in db.session.scalars(select(Shift).where(Shift.ref.in_(refs)))}
    volunteers = _volunteers_by_email(emails)
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in table:
        ref, email, status = row["shift_ref"], row["volunteer_email"].lower(), row["status"]
        shift = shifts.get(ref)
        why = (
            f"shift {ref!r} is not known (import the shifts first)"
            if shift is None
            else f"volunteer {email!r} is not known"
            if email not in volunteers
            else f"status {status!r} must be confirmed, attended or no_show"
            if status not in IMPORT_STATUSES
            else "attendance cannot be recorded for a shift that has not started"
            if status != "confirmed" and shift.starts_at > now
            else None
        )
        first = seen.setdefault((ref, email), line)
        if why is None and first != line:
            why = f"{email} on shift {ref!r} is also on line {first}"
        if why:
            problems.append(f"line {line}: {why}")
    _fail(problems)
    result = SignUpsResult()
    for _line, row in table:
        _apply(
            shifts[row["shift_ref"]],
            _volunteer(volunteers[row["volunteer_email"].lower()]),
            row["status"],
            now,
            result,
        )
    db.session.flush()
    return result


def _apply(
    shift: Shift, volunteer: Volunteer, status: str, now: datetime, result: SignUpsResult
) -> None:
    shift = services.locked(shift)
    signup = next((s for s in shift.signups if s.volunteer_id == volunteer.id), None)
    if signup is None or signup.status == "cancelled":
        if status == "confirmed":
            signup = _join_as_given(shift, volunteer, signup)
            setattr(result, signup.status, getattr(result, signup.status) + 1)
            return
        signup = _join_as_given(shift, volunteer, signup, place=True)
    elif status == "confirmed" or signup.status == status:
        result.skipped += 1
        return
    elif signup.status == "waiting":  # the old system says they came: they held a place
        signup.status, signup.position = "confirmed", None
        db.session.flush()
    mark(actor=None, signup=signup, status=status, now=now)
    setattr(result, status, getattr(result, status) + 1)


def _join_as_given(
    shift: Shift, volunteer: Volunteer, signup: SignUp | None, *, place: bool = False
) -> SignUp:
    """The old system's record taken as given: no overlap or who-may-sign-up rules; a confirmed
    row beyond capacity joins the waiting list (``place``: attendance holds a place anyway)."""
    return services.place_or_queue(shift, volunteer, signup, place=place or shift.places_left > 0)
