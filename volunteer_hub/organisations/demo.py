"""Invented demo organisations (no real bodies or people)."""

from __future__ import annotations

from volunteer_hub.organisations.models import OrganisationKind
from volunteer_hub.organisations.services import get_or_create_organisation

DEMO_ORGANISATIONS: list[tuple[str, OrganisationKind]] = [
    ("Northbridge Volunteer Centre", OrganisationKind.VOLUNTEER_CENTRE),
    ("Riverside Befriending Network", OrganisationKind.VCO),
    ("Greenway Community Garden", OrganisationKind.VCO),
    ("Northbridge Food Share", OrganisationKind.VCO),
    ("Northbridge Borough Council", OrganisationKind.STATUTORY),
    ("Northbridge Community Health NHS Trust", OrganisationKind.STATUTORY),
]


def seed() -> list[str]:
    for name, kind in DEMO_ORGANISATIONS:
        get_or_create_organisation(name=name, kind=kind)
    return []
