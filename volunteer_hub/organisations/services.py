"""Organisation services: they flush, never commit."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from volunteer_hub.core.errors import DomainError
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation, OrganisationKind


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or "organisation"


def create_organisation(*, name: str, kind: OrganisationKind | str) -> Organisation:
    name = " ".join(name.split())
    if not name:
        raise DomainError("Enter the organisation's name", field="name")
    try:
        kind = OrganisationKind(kind)
    except ValueError:
        raise DomainError("Choose what kind of organisation this is", field="kind") from None
    if db.session.scalar(select(Organisation.id).where(Organisation.name == name)):
        raise DomainError(f"An organisation called {name} already exists", field="name")
    if kind is OrganisationKind.VOLUNTEER_CENTRE and db.session.scalar(
        select(Organisation.id).where(Organisation.kind == OrganisationKind.VOLUNTEER_CENTRE)
    ):
        raise DomainError("There is already a volunteer centre", field="kind")
    base = slugify(name)
    slug, n = base, 2
    while db.session.scalar(select(Organisation.id).where(Organisation.slug == slug)):
        slug, n = f"{base}-{n}", n + 1
    organisation = Organisation(name=name, slug=slug, kind=kind.value)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def get_or_create_organisation(*, name: str, kind: OrganisationKind | str) -> Organisation:
    existing = db.session.scalar(select(Organisation).where(Organisation.name == name))
    return existing or create_organisation(name=name, kind=kind)
