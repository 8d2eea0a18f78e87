"""Finding volunteers: a coordinator's search over the volunteers they may reach.

Every filter is a bound parameter over the reach condition (``matching.reach``), never over all
volunteers; distance is worked out from outward-code centroids (``core.geo``) after the
database has narrowed the set, since volunteers' postcodes are stored as typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import String, cast, func, or_, select

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import coordinated_organisation_ids
from volunteer_hub.core.dates import add_months
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.geo import Outcode, miles_between, outward_code
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord, HourStatus
from volunteer_hub.matching.reach import connected_ids, dbs_organisations, is_centre, search_reach
from volunteer_hub.recruitment.models import DbsRecord
from volunteer_hub.recruitment.queries import DBS_VALID_DAYS
from volunteer_hub.training.models import Completion, Course
from volunteer_hub.volunteers.models import SLOTS, Volunteer

PAGE_SIZE = 25


@dataclass(frozen=True)
class SearchArgs:
    """A validated search (the form makes one; a saved search keeps the form's arguments)."""

    skill: str = ""
    interest: str = ""
    language: str = ""
    slots: tuple[str, ...] = ()
    #: The centroid of the postcode searched from, and how far (miles) from it.
    origin: tuple[float, float] | None = None
    miles: int | None = None
    course_id: int | None = None
    #: Only volunteers with a clear DBS check in date (only where the viewer may see DBS).
    dbs_clear: bool = False
    #: Activity: at least ``min_hours`` approved hours in the last ``months`` months.
    months: int | None = None
    min_hours: int = 0
    page: int = 1


@dataclass
class Found:
    volunteer: Volunteer
    miles: float | None = None
    hours: float | None = None
    #: True/False where the viewer may see DBS status; None where they may not.
    dbs_clear: bool | None = None
    courses: list[str] = field(default_factory=list)


@dataclass
class SearchResult:
    people: list[Found]
    total: int
    page: int
    pages: int
    may_see_dbs: bool


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _contains(column: Any, text: str) -> Any:
    return func.lower(column).like(_like(text), escape="\\")


def _clear_dbs(today: date) -> Any:
    since = today - timedelta(days=DBS_VALID_DAYS)
    return select(DbsRecord.volunteer_id).where(
        DbsRecord.outcome == "clear",
        (DbsRecord.issue_date >= since)
        | (DbsRecord.update_service.is_(True) & (DbsRecord.update_service_checked_on >= since)),
    )


def _hours_organisations(viewer: User) -> list[int] | None:
    return None if is_centre(viewer) else sorted(coordinated_organisation_ids(viewer))


def _active(viewer: User, args: SearchArgs, today: date) -> Any:
    statement = select(HourRecord.volunteer_id).where(
        HourRecord.status == HourStatus.APPROVED.value,
        HourRecord.date >= add_months(today, -(args.months or 0)),
    )
    organisations = _hours_organisations(viewer)
    if organisations is not None:
        statement = statement.where(HourRecord.organisation_id.in_(organisations))
    return statement.group_by(HourRecord.volunteer_id).having(
        func.sum(HourRecord.seconds) >= args.min_hours * 3600
    )


def _filtered(viewer: User, args: SearchArgs, today: date) -> Any:
    statement = select(Volunteer.id, Volunteer.name, Volunteer.postcode).where(search_reach(viewer))
    for column, text in (
        (Volunteer.skills, args.skill),
        (Volunteer.interests, args.interest),
        (Volunteer.languages, args.language),
    ):
        for word in text.split()[:5]:
            statement = statement.where(_contains(column, word))
    slots = [s for s in args.slots if s in SLOTS]
    if slots:
        stored = cast(Volunteer.availability, String)
        statement = statement.where(or_(*(stored.like(f'%"{s}"%') for s in slots)))
    if args.course_id is not None:
        statement = statement.where(
            Volunteer.id.in_(
                select(Completion.volunteer_id).where(
                    Completion.course_id == args.course_id,
                    or_(Completion.expires_on.is_(None), Completion.expires_on >= today),
                )
            )
        )
    if args.dbs_clear:
        where = dbs_organisations(viewer)
        if where is not None and not where:
            raise DomainError("Only the centre and safeguarding leads may search by DBS checks")
        statement = statement.where(Volunteer.id.in_(_clear_dbs(today)))
        if where is not None:
            statement = statement.where(Volunteer.id.in_(connected_ids(where)))
    if args.months:
        statement = statement.where(Volunteer.id.in_(_active(viewer, args, today)))
    return statement


def centroids(postcodes: Sequence[str | None]) -> dict[str, tuple[float, float]]:
    codes = sorted({c for p in postcodes if (c := outward_code(p))})
    found: dict[str, tuple[float, float]] = {}
    for start in range(0, len(codes), 500):
        for row in db.session.execute(
            select(Outcode.outcode, Outcode.latitude, Outcode.longitude).where(
                Outcode.outcode.in_(codes[start : start + 500])
            )
        ):
            found[row[0]] = (row[1], row[2])
    return found


def _ranked(viewer: User, args: SearchArgs, today: date) -> list[tuple[int, float | None]]:
    """Every matching volunteer id with their distance, in the order shown."""
    rows = list(db.session.execute(_filtered(viewer, args, today)))
    if args.origin is None:
        rows.sort(key=lambda r: (r[1].lower(), r[0]))
        return [(r[0], None) for r in rows]
    places = centroids([r[2] for r in rows])
    ranked: list[tuple[float, str, int]] = []
    for volunteer_id, name, postcode in rows:
        place = places.get(outward_code(postcode) or "")
        miles = miles_between(args.origin, place) if place else None
        if args.miles is not None and (miles is None or miles > args.miles):
            continue
        ranked.append((miles if miles is not None else float("inf"), name.lower(), volunteer_id))
    ranked.sort()
    return [(vid, None if m == float("inf") else m) for m, _, vid in ranked]


def volunteer_ids(viewer: User, args: SearchArgs, today: date) -> set[int]:
    """Every volunteer the search finds for ``viewer`` now (saved searches as segments)."""
    return {vid for vid, _ in _ranked(viewer, args, today)}


def details(viewer: User, found: list[Found], args: SearchArgs, today: date) -> bool:
    """Fill in hours, courses and (where the viewer may see it) DBS status for a page of
    results; True when the viewer may see DBS status for some of them."""
    ids = [f.volunteer.id for f in found]
    by_id = {f.volunteer.id: f for f in found}
    for volunteer_id, title in db.session.execute(
        select(Completion.volunteer_id, Course.title)
        .join(Course, Course.id == Completion.course_id)
        .where(
            Completion.volunteer_id.in_(ids),
            or_(Completion.expires_on.is_(None), Completion.expires_on >= today),
        )
        .order_by(Course.title)
    ):
        if title not in by_id[volunteer_id].courses:
            by_id[volunteer_id].courses.append(title)
    if args.months:
        totals = select(HourRecord.volunteer_id, func.sum(HourRecord.seconds)).where(
            HourRecord.volunteer_id.in_(ids),
            HourRecord.status == HourStatus.APPROVED.value,
            HourRecord.date >= add_months(today, -args.months),
        )
        organisations = _hours_organisations(viewer)
        if organisations is not None:
            totals = totals.where(HourRecord.organisation_id.in_(organisations))
        for volunteer_id, seconds in db.session.execute(totals.group_by(HourRecord.volunteer_id)):
            by_id[volunteer_id].hours = int(seconds or 0) / 3600
    where = dbs_organisations(viewer)
    if where is not None and not where:
        return False
    visible = set(ids)
    if where is not None:
        visible &= set(db.session.scalars(connected_ids(where)))
    clear = set(db.session.scalars(_clear_dbs(today).where(DbsRecord.volunteer_id.in_(ids))))
    for f in found:
        if f.volunteer.id in visible:
            f.dbs_clear = f.volunteer.id in clear
    return True


def run(viewer: User, args: SearchArgs, today: date) -> SearchResult:
    """One page of the search for ``viewer``."""
    ranked = _ranked(viewer, args, today)
    total = len(ranked)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, args.page), pages)
    chosen = ranked[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    volunteers = {
        v.id: v
        for v in db.session.scalars(
            select(Volunteer).where(Volunteer.id.in_([vid for vid, _ in chosen]))
        )
    }
    found = [Found(volunteer=volunteers[vid], miles=miles) for vid, miles in chosen]
    may_see_dbs = details(viewer, found, args, today)
    return SearchResult(people=found, total=total, page=page, pages=pages, may_see_dbs=may_see_dbs)
