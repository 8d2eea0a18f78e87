"""Segments: who a bulk message goes to, as a small registry.

A segment is a kind ("role", "shift", "search": a coordinator's saved search) and a
key (a role's id; a shift's id, ``"12-waiting"`` with its waiting list). Each kind says what it
is called, which organisation it belongs to and which role it is about (``describe``), who may
use it (``allowed``: fail closed) and which volunteers it holds (``resolve``, a set of volunteer
ids, so a person who matches twice is one recipient).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import coordinated_organisation_ids, sees_all_organisations
from volunteer_hub.extensions import db
from volunteer_hub.matching import queries as matching
from volunteer_hub.organisations.models import Role
from volunteer_hub.placements.models import Placement
from volunteer_hub.scheduling.models import HOLDING, Shift, SignUp

#: Keys are short and plain: digits, letters, hyphens (never anything a URL could hide).
KEY_RE = re.compile(r"[0-9A-Za-z-]{1,60}")
#: Ids the database can hold (a larger number is simply not found).
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class About:
    """What a segment is: its label for people, its organisation (None: centre-wide) and the
    role its messages are about (for the ``{role}`` merge field), if any."""

    label: str
    organisation_id: int | None
    role_title: str | None = None


@dataclass(frozen=True)
class SegmentKind:
    label: str
    #: key → what it is, or None when there is no such thing (→ 404).
    describe: Callable[[str], About | None]
    #: (viewer, key) → the volunteer ids in it.
    resolve: Callable[[User, str], set[int]]
    #: (viewer, key) → may this person message it.
    allowed: Callable[[User, str], bool]


SEGMENTS: dict[str, SegmentKind] = {}


def register(kind: str, segment: SegmentKind) -> None:
    SEGMENTS[kind] = segment


def kind_of(kind: str) -> SegmentKind | None:
    return SEGMENTS.get(kind)


def about(kind: str, key: str) -> About | None:
    """What the segment is, or None for an unknown kind, a malformed key or no such thing."""
    segment = SEGMENTS.get(kind)
    if segment is None or not KEY_RE.fullmatch(key or ""):
        return None
    return segment.describe(key)


def may_use(user: User, kind: str, key: str) -> bool:
    """Fail closed: an unknown kind, a malformed key or a refusal is False."""
    segment = SEGMENTS.get(kind)
    if segment is None or about(kind, key) is None or not user.is_authenticated:
        return False
    return bool(segment.allowed(user, key))


def resolve(user: User, kind: str, key: str) -> set[int]:
    segment = SEGMENTS.get(kind)
    if segment is None or not may_use(user, kind, key):
        return set()
    return set(segment.resolve(user, key))


def manages(user: User, organisation_id: int | None) -> bool:
    """The organisation's coordinators, the centre and administrators; a centre-wide segment
    (no organisation) only the centre and administrators."""
    if sees_all_organisations(user):
        return True
    return organisation_id is not None and organisation_id in coordinated_organisation_ids(user)


def _id(text: str) -> int | None:
    if not text.isascii() or not text.isdigit() or int(text) > MAX_ID:
        return None
    return int(text)


# --- A role's placed volunteers --------------------------------------------------------------


def _role(key: str) -> Role | None:
    role_id = _id(key)
    return db.session.get(Role, role_id) if role_id is not None else None


def _describe_role(key: str) -> About | None:
    role = _role(key)
    if role is None:
        return None
    return About(f"Volunteers placed in {role.title}", role.organisation_id, role.title)


def _resolve_role(user: User, key: str) -> set[int]:
    today = date.today()
    return set(
        db.session.scalars(
            select(Placement.volunteer_id).where(
                Placement.role_id == int(key),
                Placement.start_date <= today,
                or_(Placement.end_date.is_(None), Placement.end_date >= today),
            )
        )
    )


def _allowed_role(user: User, key: str) -> bool:
    role = _role(key)
    return role is not None and manages(user, role.organisation_id)


# --- A shift's sign-ups ----------------------------------------------------------------------

SHIFT_KEY_RE = re.compile(r"(\d{1,10})(-waiting)?")


def _shift(key: str) -> tuple[Shift | None, bool]:
    match = SHIFT_KEY_RE.fullmatch(key)
    shift_id = _id(match.group(1)) if match else None
    if match is None or shift_id is None:
        return None, False
    return db.session.get(Shift, shift_id), bool(match.group(2))


def _describe_shift(key: str) -> About | None:
    shift, waiting = _shift(key)
    if shift is None:
        return None
    from volunteer_hub.core.formatting import date_time

    who = "Sign-ups and waiting list" if waiting else "Sign-ups"
    label = f"{who} for the {shift.role.title} shift, {date_time(shift.starts_at)}"
    return About(label, shift.role.organisation_id, shift.role.title)


def _resolve_shift(user: User, key: str) -> set[int]:
    shift, waiting = _shift(key)
    if shift is None:
        return set()
    statuses = (*HOLDING, "waiting") if waiting else HOLDING
    return set(
        db.session.scalars(
            select(SignUp.volunteer_id).where(
                SignUp.shift_id == shift.id, SignUp.status.in_(statuses)
            )
        )
    )


def _allowed_shift(user: User, key: str) -> bool:
    shift, _ = _shift(key)
    return shift is not None and manages(user, shift.role.organisation_id)


register(
    "role", SegmentKind("A role's placed volunteers", _describe_role, _resolve_role, _allowed_role)
)
register(
    "shift", SegmentKind("A shift's sign-ups", _describe_shift, _resolve_shift, _allowed_shift)
)


# --- A coordinator's saved search (the matching domain) ---------------------------------------


def _describe_search(key: str) -> About | None:
    """A saved search, labelled by its name; its organisation is its owner's when they run
    exactly one (so it is on that organisation's "Sent messages"), otherwise centre-wide."""
    search_id = _id(key)
    summary = matching.saved_search_summary(search_id) if search_id is not None else None
    if summary is None:
        return None
    name, owner_id = summary
    owner = db.session.get(User, owner_id)
    organisations = coordinated_organisation_ids(owner) if owner is not None else set()
    organisation_id = next(iter(organisations)) if len(organisations) == 1 else None
    return About(f"Volunteers found by your saved search “{name}”", organisation_id)


def _resolve_search(user: User, key: str) -> set[int]:
    """The search run again now, with the sender's reach now (never a stored list)."""
    return matching.saved_search_volunteer_ids(int(key), user)


def _allowed_search(user: User, key: str) -> bool:
    """Only the search's owner, and only while they still coordinate (or are the centre)."""
    search_id = _id(key)
    return (
        search_id is not None
        and matching.saved_search(search_id, user) is not None
        and (sees_all_organisations(user) or bool(coordinated_organisation_ids(user)))
    )


register(
    "search",
    SegmentKind("A saved search", _describe_search, _resolve_search, _allowed_search),
)
