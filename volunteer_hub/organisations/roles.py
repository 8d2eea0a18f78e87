"""Task descriptions: drafting, submitting, approving (publishing) and returning roles.

Services flush, never commit. Coordinators of the organisation draft and submit; the volunteer
centre approves (publishing a new frozen version) or returns with a reason.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select, update

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import (
    Action,
    coordinated_organisation_ids,
    register_rule,
    sees_all_organisations,
)
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.geo import centroid
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import (
    Category,
    Commitment,
    DbsLevel,
    LocationType,
    Organisation,
    Role,
    RoleStatus,
    RoleVersion,
)
from volunteer_hub.organisations.queries import active_categories, latest_version
from volunteer_hub.organisations.services import slugify

__all__ = ["active_categories", "latest_version"]  # read from queries; kept importable here

#: The task-description fields a coordinator edits (and a version freezes).
TASK_FIELDS = (
    "title",
    "purpose",
    "activities",
    "skills",
    "hours_per_week",
    "commitment",
    "days_and_times",
    "location_type",
    "address",
    "postcode",
    "start_date",
    "closing_date",
    "places",
    "minimum_age",
    "under_18_welcome",
    "training_given",
    "support_given",
    "supervised_by",
    "supervision_every_weeks",
    "expenses_policy",
    "dbs_level",
    "dbs_reason",
    "accessibility",
    "soc_code",
)


def role_rule(user: User, role: Role, action: Action) -> bool:
    """The centre sees and decides every role; an organisation's coordinators their own."""
    if sees_all_organisations(user):
        return True
    return role.organisation_id in coordinated_organisation_ids(user)


register_rule(Role, role_rule)


#: The managed list shipped with the product (also inserted by the task-description migration).
DEFAULT_CATEGORIES = (
    ("befriending", "Befriending and mentoring"),
    ("driving", "Driving and transport"),
    ("admin", "Office and administration"),
    ("environment", "Environment and gardening"),
    ("sport", "Sport and physical activity"),
    ("health_care", "Health and care"),
    ("children_young_people", "Children and young people"),
    ("trustees", "Trustees and committees"),
    ("food", "Food and community meals"),
    ("advice", "Advice and advocacy"),
    ("arts", "Arts, culture and heritage"),
    ("events", "Events and fundraising"),
    ("digital", "Digital skills and IT"),
)


def ensure_default_categories() -> int:
    """Add any shipped category that is missing (for databases built without migrations)."""
    have = set(db.session.scalars(select(Category.key)))
    added = [Category(key=k, name=n) for k, n in DEFAULT_CATEGORIES if k not in have]
    db.session.add_all(added)
    db.session.flush()
    return len(added)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for field in TASK_FIELDS:
        value = values.get(field)
        if isinstance(value, str):
            value = value.strip() or None
        clean[field] = value
    clean["title"] = " ".join((clean["title"] or "").split())
    if not clean["title"]:
        raise DomainError("Enter the role's title", field="title")
    if len(clean["title"]) > 200:
        raise DomainError("The title must be 200 characters or fewer", field="title")
    if clean["postcode"]:
        clean["postcode"] = normalise_postcode(clean["postcode"])
        if not POSTCODE_RE.match(clean["postcode"]):
            raise DomainError("Enter a UK postcode, like NB1 4RT", field="postcode")
    for field, enum_type in (
        ("commitment", Commitment),
        ("location_type", LocationType),
        ("dbs_level", DbsLevel),
    ):
        try:
            clean[field] = enum_type(clean[field] or next(iter(enum_type)).value).value
        except ValueError:
            raise DomainError(f"Choose a valid {field.replace('_', ' ')}", field=field) from None
    hours = clean["hours_per_week"]
    if hours is not None and not (Decimal(0) < Decimal(hours) <= Decimal(60)):
        raise DomainError("Hours a week must be more than 0 and at most 60", field="hours_per_week")
    if (
        clean["start_date"]
        and clean["closing_date"]
        and clean["closing_date"] < clean["start_date"]
    ):
        raise DomainError(
            "The closing date must be on or after the start date", field="closing_date"
        )
    if clean["soc_code"] and not (
        clean["soc_code"].isascii() and clean["soc_code"].isdigit() and len(clean["soc_code"]) <= 4
    ):
        raise DomainError("The occupation code must be 1 to 4 digits (SOC 2020)", field="soc_code")
    clean["under_18_welcome"] = bool(clean["under_18_welcome"])
    if clean["under_18_welcome"] and clean["minimum_age"] and clean["minimum_age"] >= 18:
        raise DomainError(
            "A role that welcomes under-18s cannot have a minimum age of 18 or more",
            field="minimum_age",
        )
    return clean


SEARCH_COLUMNS = ("title", "purpose", "activities", "skills")


def search_text(role: Role, organisation_name: str) -> str:
    parts = [getattr(role, c) or "" for c in SEARCH_COLUMNS] + [organisation_name]
    return " ".join(" ".join(parts).split())


def search_document(text: str) -> Any:
    """The stored search document: a tsvector on PostgreSQL (so a GIN index answers keyword
    searches), lower-case text elsewhere (matched with LIKE)."""
    if db.engine.dialect.name == "postgresql":
        return func.to_tsvector("english", text)
    return text.lower()


def refresh_search_documents() -> None:
    """Recompute every role's search document in one statement (after bulk loads)."""
    organisation_name = (
        select(Organisation.name).where(Organisation.id == Role.organisation_id).scalar_subquery()
    )
    text: ColumnElement[str] = func.coalesce(Role.title, "")
    for column in SEARCH_COLUMNS[1:]:
        text = text + " " + func.coalesce(getattr(Role, column), "")
    text = text + " " + func.coalesce(organisation_name, "")
    value = (
        func.to_tsvector("english", text)
        if db.engine.dialect.name == "postgresql"
        else func.lower(text)
    )
    db.session.execute(update(Role).values(search_document=value))


#: A full UK postcode ("NB1 4RT") or just its outward code ("NB1").
POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?( [0-9][A-Z]{2})?$")


def normalise_postcode(text: str) -> str:
    """'sw1a1aa' → 'SW1A 1AA'; an outward code alone ('SW1A') is kept as it is."""
    compact = "".join(text.split()).upper()
    if len(compact) > 4 and compact[-3:-2].isdigit():
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def save_role(
    *,
    actor: User,
    organisation: Organisation,
    values: dict[str, Any],
    category_ids: list[int],
    role: Role | None = None,
) -> Role:
    """Create or edit a role's task description. Editing a published role sends it back to draft
    (its approved version stays on its public page until the change is approved)."""
    clean = _clean(values)
    clash = db.session.scalar(
        select(Role.id).where(
            Role.organisation_id == organisation.id,
            Role.title == clean["title"],
            *([Role.id != role.id] if role is not None else []),
        )
    )
    if clash:
        raise DomainError(
            f"{organisation.name} already has a role called {clean['title']}", field="title"
        )
    categories = list(db.session.scalars(select(Category).where(Category.id.in_(category_ids))))
    if len(categories) != len(set(category_ids)):
        raise DomainError("Choose categories from the list", field="categories")
    if role is None:
        role = Role(organisation_id=organisation.id, status=RoleStatus.DRAFT.value, version=0)
        db.session.add(role)
    elif role.status == RoleStatus.CLOSED.value:
        raise DomainError("This role is closed; it cannot be edited")
    for field, value in clean.items():
        setattr(role, field, value)
    located = centroid(role.postcode)
    role.latitude, role.longitude = located if located else (None, None)
    role.search_document = search_document(search_text(role, organisation.name))
    role.categories = categories
    if role.status in {RoleStatus.PUBLISHED.value, RoleStatus.RETURNED.value}:
        role.status = RoleStatus.DRAFT.value
    db.session.flush()
    audit("role.saved", actor=actor, target=role, details={"title": role.title})
    return role


def missing_for_publication(role: Role) -> list[str]:
    """What a task description still needs before the centre can publish it."""
    missing = []
    for field, label in (
        ("purpose", "the purpose of the role"),
        ("activities", "what the volunteer will do"),
        ("days_and_times", "days and times"),
        ("support_given", "the support given"),
        ("supervised_by", "who supervises"),
        ("supervision_every_weeks", "how often supervision happens"),
        ("expenses_policy", "the expenses policy"),
    ):
        if not getattr(role, field):
            missing.append(label)
    if role.location_type != LocationType.REMOTE.value and not role.postcode:
        missing.append("the postcode where the volunteering happens")
    if role.dbs_level != DbsLevel.NONE.value and not role.dbs_reason:
        missing.append("why a DBS check is needed")
    if not role.categories:
        missing.append("at least one category")
    return missing


def submit_role(*, actor: User, role: Role) -> Role:
    if role.status not in {RoleStatus.DRAFT.value, RoleStatus.RETURNED.value}:
        raise DomainError(f"This role is {role.status}; only a draft can be submitted")
    missing = missing_for_publication(role)
    if missing:
        raise DomainError("Before submitting, add " + ", ".join(missing))
    compare_and_set(
        role,
        expected=(RoleStatus.DRAFT.value, RoleStatus.RETURNED.value),
        values={
            "status": RoleStatus.SUBMITTED.value,
            "submitted_at": utcnow(),
            "returned_reason": None,
        },
        message="This role was already submitted.",
    )
    audit("role.submitted", actor=actor, target=role)
    db.session.flush()
    return role


def snapshot(role: Role) -> dict[str, Any]:
    content: dict[str, Any] = {}
    for field in TASK_FIELDS:
        value = getattr(role, field)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        content[field] = value
    content["categories"] = [c.name for c in role.categories]
    content["organisation"] = role.organisation.name
    return content


def approve_role(*, actor: User, role: Role, today: date) -> RoleVersion:
    """The centre publishes a submitted role as a new frozen version."""
    if not sees_all_organisations(actor):
        raise DomainError("Only the volunteer centre approves roles")
    if role.status != RoleStatus.SUBMITTED.value:
        raise DomainError(f"This role is {role.status}; only a submitted role can be approved")
    lapsed = role.organisation.lapsed_checks(today)
    if lapsed:
        raise DomainError(
            f"{role.organisation.name} cannot publish roles: " + "; ".join(lapsed) + "."
        )
    # Submitted → published once (one new version, one audit event); a colleague approving or
    # returning it at the same moment is told it was already decided.
    compare_and_set(
        role,
        expected=RoleStatus.SUBMITTED.value,
        values={
            "status": RoleStatus.PUBLISHED.value,
            "version": Role.version + 1,
            "published_at": utcnow(),
        },
        message="This role was already decided.",
    )
    version = RoleVersion(
        role_id=role.id, version=role.version, content=snapshot(role), approved_by_id=actor.id
    )
    db.session.add(version)
    if role.slug is None:
        base = f"{slugify(role.title)}-{role.organisation.slug}"[:200]
        slug, n = base, 2
        while db.session.scalar(select(Role.id).where(Role.slug == slug)):
            slug, n = f"{base}-{n}", n + 1
        role.slug = slug
    audit("role.approved", actor=actor, target=role, details={"version": role.version})
    db.session.flush()
    return version


def return_role(*, actor: User, role: Role, reason: str) -> Role:
    if not sees_all_organisations(actor):
        raise DomainError("Only the volunteer centre returns roles")
    if role.status != RoleStatus.SUBMITTED.value:
        raise DomainError(f"This role is {role.status}; only a submitted role can be sent back")
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError("Say what needs changing", field="reason")
    if len(reason) > 1000:
        raise DomainError("The reason must be 1,000 characters or fewer", field="reason")
    compare_and_set(
        role,
        expected=RoleStatus.SUBMITTED.value,
        values={"status": RoleStatus.RETURNED.value, "returned_reason": reason},
        message="This role was already decided.",
    )
    audit("role.returned", actor=actor, target=role, details={"reason": reason})
    db.session.flush()
    return role


def close_role(*, actor: User, role: Role) -> Role:
    """Stop recruiting: the role leaves search and its page; placements are unaffected."""
    if role.status == RoleStatus.CLOSED.value:
        raise AlreadyDone("This role is already closed.")
    compare_and_set(
        role,
        expected=[s.value for s in RoleStatus if s is not RoleStatus.CLOSED],
        values={"status": RoleStatus.CLOSED.value},
        message="This role is already closed.",
    )
    audit("role.closed", actor=actor, target=role)
    db.session.flush()
    return role
