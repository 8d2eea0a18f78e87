"""Read-side queries for organisations."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation, Role


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
