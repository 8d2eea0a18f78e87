"""Each domain's privacy hooks: where ``volunteer_hub.privacy`` meets the domains.

A domain's ``privacy.py`` registers, when the app factory imports it, what it does with its own
personal data: a section of the subject access export, a step of erasure, the dates that count
as a volunteer's activity for retention, the retention steps for its records, and what
withdrawing a consent stops at once. The privacy
package walks the registry and never reads or writes another domain's tables itself; its
metadata walk (``privacy.redaction``) then checks that nothing was missed.

Why a registry rather than blinker signals: the export's key order and the lines of an erasure's
report are contracts, so each hook has an explicit position (not the order the modules happened
to be imported in); each hook returns a typed value (a signal's receivers would have to be
collected and sorted by hand); and a missing retention step is an error, not silence.

Positions are numbers, spaced by ten, read in ascending order; the domains' choices are listed
in ``volunteer_hub.privacy``'s docstring.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select

from volunteer_hub.core.dates import add_months
from volunteer_hub.core.formatting import long_date
from volunteer_hub.extensions import db

#: Replaces free text in columns that may not be empty.
ERASED_TEXT = "[erased]"
#: The domain of every placeholder email address.
ERASED_DOMAIN = "erased.invalid"
#: What retention writes over a referee's details.
REMOVED = "[removed]"
REMOVED_EMAIL = "removed@erased.invalid"


def start_of(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def as_date(value: Any) -> date | None:
    """The UTC day of a date or datetime (a naive datetime is UTC); None for anything else."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).date()
    if isinstance(value, date):
        return value
    return None


def json_value(value: Any) -> Any:
    """A column's value as the export writes it: ISO dates, decimals as strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def row_dict(obj: Any, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every column of a row, except ``drop``, as the export writes it."""
    return {
        column.key: json_value(getattr(obj, column.key))
        for column in obj.__table__.columns
        if column.key not in drop
    }


def rows(statement: Any, *, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every row the statement selects, as the export writes it."""
    return [row_dict(obj, drop=drop) for obj in db.session.scalars(statement)]


def count_or_delete(model: Any, conditions: list[Any], dry_run: bool) -> int:
    """Delete the rows of ``model`` that meet ``conditions`` (with ``dry_run``: count them)."""
    if dry_run:
        total = db.session.scalar(select(func.count()).select_from(model).where(*conditions))
        return int(total or 0)
    # Core statements: the audit log refuses ORM deletes, and nothing here needs the ORM.
    result = db.session.execute(delete(model.__table__).where(*conditions))
    return int(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Subject:
    """The person an export is about: their sign-in (``accounts.models.User``) and volunteer
    record (``volunteers.models.Volunteer``), either may be missing."""

    user: Any | None
    volunteer: Any | None
    #: A formal request's export, for an administrator to review (confidential notes included).
    full: bool = False


@dataclass(frozen=True)
class Hold:
    """A record kept under a legal hold: what it is and until when."""

    kind: str
    what: str
    until: date

    def line(self) -> str:
        return f"{self.what}: kept until {long_date(self.until)}"


@dataclass
class Erasure:
    """One erasure in progress, handed to every hook in turn. Identify hooks add what the person
    was known by; erase hooks change their domain's rows and say what they did (one short line
    each, no personal data) in ``erased``."""

    user: Any | None
    volunteer: Any | None
    today: date
    #: The placeholder name that replaces theirs everywhere, and the placeholder address.
    name: str
    email: str
    #: The retention schedule in force (kind → months, None: for ever).
    schedule: Mapping[str, int | None]
    #: Empty the free text of this row and the rows under it; True if anything was left.
    empty_rows: Callable[[str, int], bool]
    #: Their own addresses (sign-in and volunteer record), lower case, not placeholders.
    emails: set[str] = field(default_factory=set)
    #: Every name, address and number they were known by (what redaction looks for).
    names: set[str] = field(default_factory=set)
    addresses: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    #: Their rows, from which redaction finds every row attached to them (table → ids).
    start: dict[str, set[int]] = field(default_factory=dict)
    erased: list[str] = field(default_factory=list)
    #: Kinds of free text emptied by the domains ("applications", "hours"…), for one line.
    free_text: list[str] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    #: Rows kept under a legal hold (table name → ids): their text is only redacted.
    held_rows: dict[str, set[int]] = field(default_factory=dict)

    def held_until(self, kind: str, start: date) -> date | None:
        """The end of a hold of ``kind`` that started on ``start`` if it is still in force today
        (``date.max``: no end), else None."""
        months = self.schedule[kind]
        until = None if months is None else add_months(start, months)
        if until is None or until > self.today:
            return until or date.max
        return None

    def add_email(self, address: str | None) -> None:
        """One of their own addresses (placeholders aside)."""
        if address and not address.lower().endswith("@" + ERASED_DOMAIN):
            self.emails.add(address.strip().lower())

    def hold(self, kind: str, what: str, until: date, *, table: str, row_id: int) -> None:
        self.holds.append(Hold(kind, what, until))
        self.held_rows.setdefault(table, set()).add(row_id)


@dataclass
class Purge:
    """One step of ``flask retention purge``, handed to the domain's retention hook."""

    today: date
    #: This kind's setting (never None: a kind kept for ever is not purged).
    months: int
    dry_run: bool
    schedule: Mapping[str, int | None]
    #: Volunteers a dry run would erase (their records are counted as erased, not here).
    leaving: set[int]
    #: Ids of volunteer records that are erased stubs.
    erased: set[int]
    #: Empty the other free text of these rows (and the rows under them) in one go; how many of
    #: them changed, counting the ones the hook says it changed itself.
    empty_rows: Callable[[str, list[int], list[bool]], int]

    @property
    def cutoff(self) -> date:
        return add_months(self.today, -self.months)


ExportHook = Callable[[Subject], dict[str, Any]]
EraseHook = Callable[[Erasure], None]
#: Rows of (volunteer id, date or datetime, …): each value is a day they were active.
ActivityHook = Callable[[date], Iterable[tuple[Any, ...]]]
PurgeHook = Callable[[Purge], int]


@dataclass
class Registry:
    identify: list[tuple[int, EraseHook]] = field(default_factory=list)
    export: list[tuple[int, ExportHook]] = field(default_factory=list)
    erase: list[tuple[int, EraseHook]] = field(default_factory=list)
    activity: list[ActivityHook] = field(default_factory=list)
    #: Sign-ins of people who work for the centre or an organisation (never erased by retention).
    staff: list[Callable[[], set[int]]] = field(default_factory=list)
    #: Volunteers who were placed at some time (retention's "volunteers", not "applicants").
    placed: list[Callable[[], set[int]]] = field(default_factory=list)
    purge: dict[str, PurgeHook] = field(default_factory=dict)
    #: What withdrawing a consent stops at once, by purpose: the hook gets the sign-in.
    withdrawn: dict[str, Callable[[Any], None]] = field(default_factory=dict)


#: The hooks registered so far (domains register at import; importing twice changes nothing).
registry = Registry()


def _add(entries: list[Any], position: int, hook: Any) -> None:
    entry = (position, hook)
    if all(e[1] is not hook for e in entries):
        entries.append(entry)
        entries.sort(key=lambda e: e[0])


def identify(position: int) -> Callable[[EraseHook], EraseHook]:
    """Register a hook that adds what the person was known by (before anything is erased)."""

    def register(hook: EraseHook) -> EraseHook:
        _add(registry.identify, position, hook)
        return hook

    return register


def export(position: int) -> Callable[[ExportHook], ExportHook]:
    """Register a section of the export: the hook returns top-level keys to add (a dict value
    under a key that is already there, such as ``profile``, is merged into it)."""

    def register(hook: ExportHook) -> ExportHook:
        _add(registry.export, position, hook)
        return hook

    return register


def erase(position: int) -> Callable[[EraseHook], EraseHook]:
    """Register a step of erasure."""

    def register(hook: EraseHook) -> EraseHook:
        _add(registry.erase, position, hook)
        return hook

    return register


def _once(entries: list[Any], hook: Any) -> Any:
    if hook not in entries:
        entries.append(hook)
    return hook


def activity(hook: ActivityHook) -> ActivityHook:
    """Register the dates that count as a volunteer's activity."""
    return _once(registry.activity, hook)


def staff(hook: Callable[[], set[int]]) -> Callable[[], set[int]]:
    return _once(registry.staff, hook)


def placed(hook: Callable[[], set[int]]) -> Callable[[], set[int]]:
    return _once(registry.placed, hook)


def purge(kind: str) -> Callable[[PurgeHook], PurgeHook]:
    """Register the retention step of ``kind`` (a key of ``privacy.retention.DEFAULTS``)."""

    def register(hook: PurgeHook) -> PurgeHook:
        registry.purge[kind] = hook
        return hook

    return register


def on_withdrawal(purpose: str) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    """Register what withdrawing the consent ``purpose`` stops at once (the hook gets the
    sign-in, flushes, never commits)."""

    def register(hook: Callable[[Any], None]) -> Callable[[Any], None]:
        registry.withdrawn[purpose] = hook
        return hook

    return register
