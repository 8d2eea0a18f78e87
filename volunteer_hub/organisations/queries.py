"""Read-side queries for organisations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import func, select

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import coordinated_organisation_ids
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Category, Organisation, Role, RoleStatus, RoleVersion


def all_organisations() -> Sequence[Organisation]:
    return db.session.scalars(select(Organisation).order_by(Organisation.name)).all()


def by_name(name: str) -> Organisation | None:
    """The organisation with this name, ignoring case and extra spaces in any script (SQLite's
    ``lower()`` only folds ASCII, so names are compared in Python)."""
    wanted = " ".join(name.split()).casefold()
    if not wanted:
        return None
    for organisation in db.session.scalars(select(Organisation)):
        if " ".join(organisation.name.split()).casefold() == wanted:
            return organisation
    return None


def by_slug(slug: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug))


def names_by_id() -> dict[int, str]:
    """Every organisation's name, by id."""
    return {
        row.id: row.name for row in db.session.execute(select(Organisation.id, Organisation.name))
    }


def role_titles(role_ids: set[int]) -> dict[int, str]:
    """The titles of these roles, by id."""
    if not role_ids:
        return {}
    return {
        row.id: row.title
        for row in db.session.execute(select(Role.id, Role.title).where(Role.id.in_(role_ids)))
    }


def role_named(organisation_name: str, title: str) -> Role | None:
    """The role with this title at the organisation with this (exact) name."""
    return db.session.scalar(
        select(Role)
        .join(Organisation, Organisation.id == Role.organisation_id)
        .where(Organisation.name == organisation_name, Role.title == title)
    )


def managed_by(user: User) -> list[Organisation]:
    """The organisations whose roles this person manages: every one for the centre's staff,
    their own for an organisation's coordinator."""
    statement = select(Organisation).order_by(Organisation.name)
    if not (user.is_admin or user.is_centre_coordinator):
        statement = statement.where(Organisation.id.in_(coordinated_organisation_ids(user)))
    return list(db.session.scalars(statement))


def roles_of(organisation: Organisation) -> Sequence[Role]:
    return db.session.scalars(
        select(Role).where(Role.organisation_id == organisation.id).order_by(Role.title)
    ).all()


def submitted_roles() -> Sequence[Role]:
    """Roles waiting for the centre's approval, oldest first."""
    return db.session.scalars(
        select(Role).where(Role.status == RoleStatus.SUBMITTED.value).order_by(Role.submitted_at)
    ).all()


def all_categories() -> Sequence[Category]:
    return db.session.scalars(select(Category).order_by(Category.name)).all()


def submitted_count() -> int:
    """How many roles wait for the centre's approval."""
    return (
        db.session.scalar(
            select(func.count(Role.id)).where(Role.status == RoleStatus.SUBMITTED.value)
        )
        or 0
    )


def with_lapsed_checks(today: date) -> list[tuple[Organisation, list[str]]]:
    """Organisations (by name) whose due diligence is missing or past, with what has lapsed."""
    return [(o, lapsed) for o in all_organisations() if (lapsed := o.lapsed_checks(today))]


def organisations_with_ids(ids: Iterable[int]) -> Sequence[Organisation]:
    """The organisations with these ids, in name order."""
    statement = select(Organisation).where(Organisation.id.in_(list(ids)))
    return db.session.scalars(statement.order_by(Organisation.name)).all()


def latest_version(role: Role) -> RoleVersion | None:
    """The role's latest approved version (what volunteers see), if any."""
    return db.session.scalar(
        select(RoleVersion)
        .where(RoleVersion.role_id == role.id)
        .order_by(RoleVersion.version.desc())
        .limit(1)
    )


def active_categories() -> list[Category]:
    """The categories roles can be filed under, by name."""
    return list(
        db.session.scalars(
            select(Category).where(Category.active.is_(True)).order_by(Category.name)
        )
    )
