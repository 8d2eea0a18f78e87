"""Read-side queries for the public opportunity search."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import coordinated_organisation_ids, sees_all_organisations
from volunteer_hub.core.geo import MILES_PER_DEGREE
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import (
    Category,
    Commitment,
    DbsLevel,
    LocationType,
    Organisation,
    OrganisationKind,
    Role,
    RoleStatus,
    role_categories,
)
from volunteer_hub.organisations.queries import latest_version
from volunteer_hub.recruitment.models import Application, DbsRecord, Reference, Stage

PAGE_SIZE = 20
SORTS = {
    "newest": "Newest first",
    "nearest": "Nearest first (with a postcode)",
    "starting": "Starting soonest",
    "title": "Title A to Z",
}
DISTANCES = (1, 3, 5, 10, 25)
HOURS_LIMITS = (1, 2, 4, 8)
STARTING_SOON_DAYS = 30


@dataclass
class SearchFilters:
    keyword: str = ""
    category: str = ""
    commitment: str = ""  # "", "regular", "one_off"
    remote: bool = False
    under_18: bool = False
    starting_soon: bool = False
    sort: str = "newest"
    page: int = 1
    #: At most this many hours a week (roles without a figure are kept).
    max_hours: int | None = None
    #: The searcher's outward-code centroid and how far they will travel, when given.
    origin: tuple[float, float] | None = None
    miles: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class SearchPage:
    roles: list[Role]
    total: int
    page: int
    pages: int


def organisation_in_good_standing(today: date) -> ColumnElement[bool]:
    """SQL for Organisation.lapsed_checks(today) == [] (see models.py)."""
    return or_(
        Organisation.kind != OrganisationKind.VCO.value,
        and_(
            Organisation.safeguarding_lead.is_not(None),
            Organisation.safeguarding_review_date >= today,
            Organisation.insurance_expiry >= today,
        ),
    )


def published(today: date, *, pending_edits: bool = False) -> Select[Any]:
    """Roles the public may see. With ``pending_edits``, also roles whose approved version is
    live while a change waits for approval (their page shows the approved version)."""
    statuses = [RoleStatus.PUBLISHED.value]
    if pending_edits:
        statuses += [RoleStatus.DRAFT.value, RoleStatus.SUBMITTED.value, RoleStatus.RETURNED.value]
    return (
        select(Role)
        .join(Organisation, Organisation.id == Role.organisation_id)
        .where(
            Role.status.in_(statuses),
            Role.version >= 1,
            Role.slug.is_not(None),
            or_(Role.closing_date.is_(None), Role.closing_date >= today),
            organisation_in_good_standing(today),
        )
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _keyword(statement: Select[Any], keyword: str) -> Select[Any]:
    """Every word must appear: PostgreSQL full-text search over the stored tsvector (GIN
    index), or LIKE over the stored lower-case text on SQLite. Words are bound parameters."""
    words = [w for w in keyword.split() if w][:10]
    if not words:
        return statement
    if db.engine.dialect.name == "postgresql":
        return statement.where(
            Role.search_document.op("@@")(func.plainto_tsquery("english", " ".join(words)))
        )
    for word in words:
        statement = statement.where(Role.search_document.like(_like(word), escape="\\"))
    return statement


def search(filters: SearchFilters, today: date) -> SearchPage:
    statement = published(today)
    statement = _keyword(statement, filters.keyword)
    if filters.category:
        statement = statement.where(
            Role.id.in_(
                select(role_categories.c.role_id)
                .join(Category, Category.id == role_categories.c.category_id)
                .where(Category.key == filters.category)
            )
        )
    if filters.commitment in {c.value for c in Commitment}:
        statement = statement.where(Role.commitment == filters.commitment)
    if filters.max_hours:
        statement = statement.where(
            or_(Role.hours_per_week.is_(None), Role.hours_per_week <= filters.max_hours)
        )
    if filters.remote:
        statement = statement.where(
            Role.location_type.in_([LocationType.REMOTE.value, LocationType.HYBRID.value])
        )
    if filters.under_18:
        statement = statement.where(Role.under_18_welcome.is_(True))
    if filters.starting_soon:
        statement = statement.where(
            Role.start_date.is_not(None),
            Role.start_date >= today,
            Role.start_date <= today + timedelta(days=STARTING_SOON_DAYS),
        )
    distance: ColumnElement[Any] | None = None
    if filters.origin is not None:
        latitude, longitude = filters.origin
        shrink = math.cos(math.radians(latitude))
        dy = Role.latitude - latitude
        dx = (Role.longitude - longitude) * shrink
        distance = dx * dx + dy * dy  # squared degrees: monotonic in miles, no SQL trigonometry
        if filters.miles:
            limit = (filters.miles / MILES_PER_DEGREE) ** 2
            statement = statement.where(
                or_(
                    Role.location_type == LocationType.REMOTE.value,
                    and_(Role.latitude.is_not(None), distance <= limit),
                )
            )
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    nearest = (Role.latitude.is_(None), distance, Role.id) if distance is not None else (Role.id,)
    order = {
        "nearest": nearest,
        "newest": (Role.published_at.desc(), Role.id.desc()),
        "starting": (Role.start_date.is_(None), Role.start_date, Role.id),
        "title": (func.lower(Role.title), Role.id),
    }[filters.sort if filters.sort in SORTS else "newest"]
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    roles = list(
        db.session.scalars(
            statement.order_by(*order).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        )
    )
    return SearchPage(roles=roles, total=total, page=page, pages=pages)


def visible_role(slug: str, today: date) -> Role | None:
    """A role's public page: its approved version decides (an edit waiting for approval cannot
    extend the closing date)."""
    from volunteer_hub.organisations.queries import latest_version

    statement = (
        select(Role)
        .join(Organisation, Organisation.id == Role.organisation_id)
        .where(
            Role.slug == slug,
            Role.version >= 1,
            Role.status != RoleStatus.CLOSED.value,
            organisation_in_good_standing(today),
        )
    )
    role = db.session.scalar(statement)
    if role is None:
        return None
    version = latest_version(role)
    closing = (version.content.get("closing_date") if version else None) or None
    if version is None or (closing and date.fromisoformat(closing) < today):
        return None
    return role


def unanswered_count(user: User) -> int:
    """Applications (and expressions of interest) nobody has answered yet that ``user``
    answers: their organisations' (everyone's for the centre)."""
    statement = select(func.count(Application.id)).where(
        Application.contacted_at.is_(None),
        Application.stage.in_([Stage.ENQUIRY.value, Stage.APPLIED.value]),
    )
    if not sees_all_organisations(user):
        statement = statement.where(
            Application.organisation_id.in_(coordinated_organisation_ids(user))
        )
    return int(db.session.scalar(statement) or 0)


def applications_of(volunteer_id: int) -> list[Application]:
    """The volunteer's applications, newest first."""
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.volunteer_id == volunteer_id)
            .order_by(Application.created_at.desc())
        )
    )


def overdue(today: date) -> list[Application]:
    """Applications nobody has contacted by their response deadline."""
    return list(
        db.session.scalars(
            select(Application)
            .where(
                Application.contacted_at.is_(None),
                Application.respond_by < today,
                Application.stage.in_([Stage.ENQUIRY.value, Stage.APPLIED.value]),
            )
            .order_by(Application.respond_by)
        )
    )


#: How long a DBS check counts for placing someone (the Update Service aside).
DBS_VALID_DAYS = 3 * 365


def dbs_check_needed(application: Application, today: date) -> DbsLevel | None:
    """The DBS level the application's role needs when no clear check counts yet (recorded
    within three years, or kept on the Update Service and checked in that time); None when the
    role needs none or one is on record. Says only yes or no: never the check's details."""
    version = latest_version(application.role) if application.role else None
    level = (version.content.get("dbs_level") if version else None) or DbsLevel.NONE.value
    if level == DbsLevel.NONE.value:
        return None
    since = today - timedelta(days=DBS_VALID_DAYS)
    clear = db.session.scalar(
        select(DbsRecord.id)
        .where(
            DbsRecord.volunteer_id == application.volunteer_id,
            DbsRecord.outcome == "clear",
            (DbsRecord.issue_date >= since)
            | (DbsRecord.update_service.is_(True) & (DbsRecord.update_service_checked_on >= since)),
        )
        .limit(1)
    )
    return None if clear is not None else DbsLevel(level)


def dbs_needed_words(level: DbsLevel) -> str:
    """ "an enhanced DBS check", "a basic DBS check": for sentences."""
    words = level.label[0].lower() + level.label[1:]
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def may_see_dbs(user: User, application: Application) -> bool:
    """Centre coordinators, and the organisation's named safeguarding lead; nobody else (not
    administrators, not other coordinators)."""
    if user.is_centre_coordinator:
        return True
    organisation = application.organisation
    return organisation is not None and organisation.safeguarding_lead_user_id == user.id


def applications_at(organisation_id: int) -> Sequence[Application]:
    """The organisation's applications, newest first."""
    return db.session.scalars(
        select(Application)
        .where(Application.organisation_id == organisation_id)
        .order_by(Application.created_at.desc())
    ).all()


def stage_counts() -> dict[str, int]:
    """How many applications are in each stage, across the borough."""
    return {
        stage: int(n)
        for stage, n in db.session.execute(
            select(Application.stage, func.count()).group_by(Application.stage)
        )
    }


def references_of(application_id: int) -> Sequence[Reference]:
    return db.session.scalars(
        select(Reference).where(Reference.application_id == application_id).order_by(Reference.id)
    ).all()
