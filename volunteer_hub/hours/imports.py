"""Importing approved hours from CSV or XLSX (all or nothing; safe to re-run): a configuration of
:mod:`volunteer_hub.core.imports`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update

from volunteer_hub.accounts.models import User
from volunteer_hub.core.imports import (
    Field,
    Progress,
    Table,
    distinct,
    first_rows,
    insert_rows,
    lined,
    read_columns,
    refusal,
    repeated_refs,
)
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.tabular import past_date, volunteer_columns
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord, HourSource, HourStatus
from volunteer_hub.organisations.models import Organisation, OrganisationKind, Role
from volunteer_hub.organisations.services import create_organisation
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import create_volunteers

if TYPE_CHECKING:
    import numpy as np

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
MAX_SECONDS_A_DAY = 24 * 3600
#: Rows per insert batch.
BATCH = 50_000
#: Large files report progress every this many rows checked.
PROGRESS_EVERY = 50_000


@dataclass
class HoursImportResult:
    imported: int = 0
    skipped: int = 0
    created_volunteers: int = 0
    created_organisations: int = 0
    created_roles: int = 0
    total_hours: Decimal = Decimal(0)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


# --- each cell ----------------------------------------------------------------------------


def _ref(text: str, problems: list[str]) -> str | None:
    if len(text) > 100:
        problems.append("ref is longer than 100 characters")
    return text or None


def _volunteer(email: str, name: str, problems: list[str]) -> tuple[str | None, str, str]:
    """(email, name, the person's key within this file)."""
    found, clean = volunteer_columns({"volunteer_email": email, "volunteer_name": name}, problems)
    return found, clean, found or _key(clean)


def _organisation(text: str, problems: list[str]) -> str:
    organisation = " ".join(text.split())
    if not organisation:
        problems.append("organisation is empty")
    elif len(organisation) > 200:
        problems.append("organisation is longer than 200 characters")
    return organisation


def _role(text: str, problems: list[str]) -> str | None:
    role = " ".join(text.split()) or None
    if role is not None and len(role) > 200:
        problems.append("role is longer than 200 characters")
    return role


def _soc(text: str, problems: list[str]) -> str | None:
    if text and not SOC_RE.match(text):
        problems.append(f"soc_code {text!r} must be 1 to 4 digits (UK SOC 2020)")
    return text or None


def _seconds(text: str, problems: list[str]) -> int:
    try:
        hours = Decimal(text)
        if not hours.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        problems.append(f"hours {text!r} is not a number like 2.5")
        return 0
    if hours <= 0 or hours > 24:
        problems.append(f"hours {text} must be more than 0 and at most 24")
    elif (hours * 3600) != (hours * 3600).to_integral_value():
        problems.append(f"hours {text} is not a whole number of seconds")
    else:
        return int(hours * 3600)
    return 0


def _employer(text: str, problems: list[str]) -> bool:
    if text.lower() not in YES | NO:
        problems.append(f"employer_time {text!r} must be yes or no")
    return text.lower() in YES


def _fields(today: date) -> tuple[Field, ...]:
    return (
        Field(("ref",), _ref),
        Field(("volunteer_email", "volunteer_name"), _volunteer, "volunteer"),
        Field(("organisation",), _organisation),
        Field(("role",), _role),
        Field(("soc_code",), _soc, "soc"),
        Field(("date",), lambda text, problems: past_date(text, "date", today, problems)),
        Field(("hours",), _seconds, "seconds"),
        Field(("employer_time",), _employer),
    )


# --- the file as a whole ------------------------------------------------------------------


@dataclass
class _Checked:
    table: Table
    values: dict[str, np.ndarray]
    codes: dict[str, np.ndarray]
    #: Rows to import or skip (the good ones), in file order.
    rows: np.ndarray
    #: Of ``rows``: refs imported before (skipped).
    skipped: np.ndarray
    problems: list[str]


def _check_file(path: Path, progress: Progress | None) -> _Checked:
    """Each cell, then refs repeated in the file and more than 24 hours a day for one person."""
    import numpy as np
    import pandas as pd

    table = read_columns(path, HOURS_HEADER)
    parsed = table.parse(_fields(datetime.now(LONDON).date()))
    _checked(progress, len(table))
    values = parsed.values
    good = parsed.good()
    found = parsed.joined()
    found += repeated_refs(table, values["ref"], good)
    good[[row for row, _ in found]] = False
    found += _over_a_day(table, values, np.flatnonzero(good))
    good[[row for row, _ in found]] = False
    rows = np.flatnonzero(good)
    held = set(db.session.scalars(select(HourRecord.ref).where(HourRecord.ref.is_not(None))))
    skipped = pd.Series(values["ref"][rows]).isin(held).to_numpy()
    return _Checked(table, values, parsed.codes, rows, skipped, lined(table, sorted(found)))


def _checked(progress: Progress | None, count: int) -> None:
    if progress is None:
        return
    for done in range(PROGRESS_EVERY, count + 1, PROGRESS_EVERY):
        progress("checked", done)
    if count >= PROGRESS_EVERY and count % PROGRESS_EVERY:
        progress("checked", count)


def _over_a_day(table: Table, values: dict[str, Any], rows: np.ndarray) -> list[tuple[int, str]]:
    """Nobody gives more than 24 hours in a day: the rows that take a person past it."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "person": [v[2] for v in values["volunteer"][rows]],
            "day": values["date"][rows],
            "seconds": values["seconds"][rows].astype("int64"),
        },
        index=rows,
    )
    total = frame.groupby(["person", "day"], sort=False)["seconds"].cumsum()
    over = total[total > MAX_SECONDS_A_DAY].index
    return [
        (
            int(row),
            f"{values['volunteer'][row][0] or values['volunteer'][row][1]} would have more than "
            f"24 hours on {values['date'][row].isoformat()} in this file",
        )
        for row in over
    ]


# --- references ---------------------------------------------------------------------------


@dataclass
class _Lookups:
    volunteers_by_email: dict[str, int]
    volunteers_by_name: dict[str, int]
    users_by_email: dict[str, tuple[int, str]]
    #: user id → their volunteer record, when it exists (its email may differ from the account's).
    volunteers_by_user: dict[int, int]
    organisations: dict[str, int]
    roles: dict[tuple[int, str], tuple[int, str | None]]


def _load_lookups() -> _Lookups:
    lookups = _Lookups({}, {}, {}, {}, {}, {})
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


def _reference_problems(
    row: int, values: dict[str, Any], lookups: _Lookups, create_missing: bool
) -> list[str]:
    """What a good row refers to that is not known (or does not match)."""
    organisation, role, soc = values["organisation"][row], values["role"][row], values["soc"][row]
    oid = lookups.organisations.get(_key(organisation))
    if oid is None and not create_missing:
        return [
            f"organisation {organisation!r} is not known "
            "(check the spelling, or use --create-missing)"
        ]
    problems = []
    if not create_missing:
        email, name, _ = values["volunteer"][row]
        known = (
            (email in lookups.volunteers_by_email or email in lookups.users_by_email)
            if email
            else _key(name) in lookups.volunteers_by_name
        )
        if not known:
            problems.append(f"volunteer {email or name!r} is not known (use --create-missing)")
        if role is not None and (oid is None or (oid, _key(role)) not in lookups.roles):
            problems.append(
                f"role {role!r} is not known at {organisation!r} (use --create-missing)"
            )
    known_role = lookups.roles.get((oid, _key(role))) if role is not None and soc and oid else None
    if (
        known_role
        and known_role[1]
        and not soc.startswith(known_role[1])
        and not known_role[1].startswith(soc)
    ):
        problems.append(
            f"soc_code {soc} does not match role {role!r}'s occupation code {known_role[1]}"
        )
    return problems


def _organisation_ids(rows: np.ndarray, checked: _Checked, lookups: _Lookups) -> np.ndarray:
    """Each row's organisation, creating the unknown ones (through organisations' service)."""
    import numpy as np

    firsts, inverse = first_rows(rows, [checked.codes["organisation"]])
    ids = []
    for row in firsts.tolist():
        name = checked.values["organisation"][row]
        if _key(name) not in lookups.organisations:
            created = create_organisation(name=name, kind=OrganisationKind.VCO)
            lookups.organisations[_key(name)] = created.id
        ids.append(lookups.organisations[_key(name)])
    return np.asarray(ids, dtype=np.int64)[inverse]


def _volunteer_ids(
    rows: np.ndarray, checked: _Checked, lookups: _Lookups
) -> tuple[np.ndarray, int]:
    """Each row's volunteer, creating the unknown ones (through volunteers' service); and how
    many were created without a sign-in."""
    import numpy as np

    firsts, inverse = first_rows(rows, [checked.codes["volunteer"]])
    people = [checked.values["volunteer"][row] for row in firsts.tolist()]
    wanted: dict[str, tuple[str | None, str, int | None]] = {}
    for email, name, person in people:
        if person in wanted or _known_volunteer(email, name, lookups) is not None:
            continue
        user = lookups.users_by_email.get(email) if email else None
        fallback = (user[1] if user else email.split("@")[0]) if email else name
        wanted[person] = (email, name or fallback, user[0] if user else None)
    ids = dict(zip(wanted, create_volunteers(list(wanted.values())), strict=True))
    found = [
        ids[person] if person in ids else _known_volunteer(email, name, lookups)
        for email, name, person in people
    ]
    created = sum(1 for _, _, user in wanted.values() if user is None)
    return np.asarray(found, dtype=np.int64)[inverse], created


def _known_volunteer(email: str | None, name: str, lookups: _Lookups) -> int | None:
    if not email:
        return lookups.volunteers_by_name.get(_key(name))
    if email in lookups.volunteers_by_email:
        return lookups.volunteers_by_email[email]
    user = lookups.users_by_email.get(email)
    if user is not None and user[0] in lookups.volunteers_by_user:
        # The account's volunteer record, kept under another email address.
        return lookups.volunteers_by_user[user[0]]
    return None


def _role_ids(
    rows: np.ndarray, organisation_ids: np.ndarray, checked: _Checked, lookups: _Lookups
) -> tuple[np.ndarray, dict[int, str | None], int]:
    """Each row's role (-1 for none), creating unknown roles; each role's code before the import
    (None for new ones); and how many were created."""
    import numpy as np

    values = checked.values
    firsts, inverse = first_rows(rows, [organisation_ids, checked.codes["role"]])
    position = dict(zip(rows.tolist(), range(len(rows)), strict=True))
    keys = [
        None
        if values["role"][row] is None
        else (int(organisation_ids[position[row]]), _key(values["role"][row]))
        for row in firsts.tolist()
    ]
    new: dict[tuple[int, str], Role] = {}
    for row, key in zip(firsts.tolist(), keys, strict=True):
        if key is not None and key not in lookups.roles and key not in new:
            new[key] = Role(organisation_id=key[0], title=values["role"][row], soc_code=None)
    db.session.add_all(new.values())
    db.session.flush()
    lookups.roles.update({key: (role.id, None) for key, role in new.items()})
    ids = [-1 if key is None else lookups.roles[key][0] for key in keys]
    before = {lookups.roles[key][0]: lookups.roles[key][1] for key in keys if key is not None}
    return np.asarray(ids, dtype=np.int64)[inverse], before, len(new)


def _codes(
    rows: np.ndarray, role_ids: np.ndarray, before: dict[int, str | None], checked: _Checked
) -> list[str | None]:
    """Each row's occupation code: its own, else its role's. A role without one takes the first
    code a row gives it (rows before that row have none)."""
    import pandas as pd

    frame = pd.DataFrame({"role": role_ids, "soc": checked.values["soc"][rows]})
    given = frame[(frame.role >= 0) & frame.soc.notna()]
    first = given.groupby("role", sort=False).head(1)
    first_at = dict(zip(first.role.tolist(), first.index.tolist(), strict=True))
    first_code = dict(zip(first.role.tolist(), first.soc.tolist(), strict=True))
    gains = [
        {"key": role_id, "code": code}
        for role_id, code in first_code.items()
        if before.get(role_id) is None
    ]
    if gains:
        db.session.execute(
            update(Role.__table__)
            .where(Role.id == bindparam("key"))
            .values(soc_code=bindparam("code")),
            gains,
        )
        gained = {gain["key"] for gain in gains}
        for held in list(db.session.identity_map.values()):
            if isinstance(held, Role) and held.id in gained:
                db.session.expire(held, ["soc_code"])
    codes = frame.soc.tolist()
    needing = frame.index[(frame.role >= 0) & frame.soc.isna()].tolist()
    roles = frame.role.tolist()
    for at in needing:
        held = before.get(roles[at])
        if held is None and first_at.get(roles[at], at) < at:
            held = first_code[roles[at]]
        codes[at] = held
    return codes


# --- the import -----------------------------------------------------------------------------


def import_hours(
    path: Path,
    *,
    create_missing: bool = False,
    imported_by: User | None = None,
    progress: Progress | None = None,
) -> HoursImportResult:
    """Check every row, then import them all in the caller's transaction, or raise DomainError
    listing every bad row (and write nothing)."""
    checked = _check_file(path, progress)
    values, lookups = checked.values, _load_lookups()
    rows = checked.rows[~checked.skipped]
    keys = [checked.codes[name] for name in ("organisation", "role", "soc", "volunteer")]
    found = distinct(
        rows, keys, lambda row: _reference_problems(row, values, lookups, create_missing)
    )
    problems = checked.problems + lined(checked.table, found)
    if problems:
        raise refusal(problems)
    result = HoursImportResult(skipped=int(checked.skipped.sum()), imported=len(rows))
    before = len(lookups.organisations)
    organisation_ids = _organisation_ids(rows, checked, lookups)
    result.created_organisations = len(lookups.organisations) - before
    volunteer_ids, result.created_volunteers = _volunteer_ids(rows, checked, lookups)
    role_ids, held, result.created_roles = _role_ids(rows, organisation_ids, checked, lookups)
    codes = _codes(rows, role_ids, held, checked)
    seconds = values["seconds"][rows]
    result.total_hours = Decimal(int(seconds.sum())) / 3600
    now = utcnow()
    insert_rows(
        HourRecord.__table__,
        {
            "ref": values["ref"][rows],
            "volunteer_id": volunteer_ids,
            "organisation_id": organisation_ids,
            "role_id": [None if r < 0 else r for r in role_ids.tolist()],
            "date": values["date"][rows],
            "seconds": seconds,
            "status": HourStatus.APPROVED.value,
            "source": HourSource.IMPORTED.value,
            "employer_time": values["employer_time"][rows],
            "soc_code": codes,
            "approved_by_id": imported_by.id if imported_by else None,
            "approved_at": now,
            "created_at": now,
        },
        len(rows),
        progress=progress,
        batch=BATCH,
    )
    return result
