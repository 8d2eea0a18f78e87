"""Organisation services: they flush, never commit."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.transitions import compare_and_set_where
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Category, Organisation, OrganisationKind

#: The organisation's own profile, kept by its coordinators.
PROFILE_FIELDS = (
    "charity_number",
    "company_number",
    "address",
    "postcode",
    "website",
    "contact_name",
    "contact_email",
    "contact_phone",
    "description",
)
#: Due diligence, kept by the volunteer centre.
CHECK_FIELDS = ("safeguarding_lead", "safeguarding_review_date", "insurance_expiry")


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


def add_organisation(*, actor: User, name: str, kind: OrganisationKind | str) -> Organisation:
    """The centre adds an organisation (audited)."""
    organisation = create_organisation(name=name, kind=kind)
    audit("organisation.created", actor=actor, target=organisation)
    return organisation


def update_profile(
    *,
    actor: User,
    organisation: Organisation,
    values: dict[str, Any],
    auto_approve_coordinator_hours: bool,
    shift_settings: dict[str, Any] | None = None,
) -> None:
    """Save the organisation's profile (blank answers are cleared); the audit event says when
    coordinators' hours switch to or from automatic approval, and any change of the shift
    settings (``auto_approve_check_ins``, ``shift_cutoff_hours``: 0 to 336)."""
    for field in PROFILE_FIELDS:
        setattr(organisation, field, (values.get(field) or "").strip() or None)
    changed = auto_approve_coordinator_hours != organisation.auto_approve_coordinator_hours
    organisation.auto_approve_coordinator_hours = auto_approve_coordinator_hours
    details: dict[str, Any] = (
        {"auto_approve_coordinator_hours": auto_approve_coordinator_hours} if changed else {}
    )
    details |= _shift_settings(organisation, shift_settings or {})
    audit("organisation.profile_updated", actor=actor, target=organisation, details=details or None)


def _shift_settings(organisation: Organisation, settings: dict[str, Any]) -> dict[str, Any]:
    """Apply the shift settings given; returns those that changed."""
    cutoff = settings.get("shift_cutoff_hours")
    cutoff = organisation.shift_cutoff_hours if cutoff is None else cutoff
    if not isinstance(cutoff, int) or isinstance(cutoff, bool) or not 0 <= cutoff <= 336:
        raise DomainError("Enter the cut-off in hours, from 0 to 336", field="shift_cutoff_hours")
    auto = bool(settings.get("auto_approve_check_ins", organisation.auto_approve_check_ins))
    changed = {
        key: value
        for key, value in (("shift_cutoff_hours", cutoff), ("auto_approve_check_ins", auto))
        if getattr(organisation, key) != value
    }
    organisation.shift_cutoff_hours, organisation.auto_approve_check_ins = cutoff, auto
    return changed


def update_checks(
    *,
    actor: User,
    organisation: Organisation,
    values: dict[str, Any],
    safeguarding_lead_user_id: int | None,
) -> None:
    """Save the organisation's due diligence; a lapse after this is told again."""
    for field in CHECK_FIELDS:
        value = values.get(field)
        setattr(organisation, field, value.strip() or None if isinstance(value, str) else value)
    organisation.safeguarding_lead_user_id = safeguarding_lead_user_id
    organisation.lapse_notified_on = None  # a new lapse will be told again
    audit(
        "organisation.checks_updated",
        actor=actor,
        target=organisation,
        details={f: str(getattr(organisation, f)) for f in CHECK_FIELDS},
    )


def add_category(*, actor: User, name: str) -> Category:
    """A new category in the managed list (its key made from its name)."""
    name = " ".join(name.split())
    key = slugify(name).replace("-", "_")[:40]
    if db.session.scalar(
        select(Category.id).where((Category.key == key) | (Category.name == name))
    ):
        raise DomainError(f"There is already a category called {name}", field="name")
    category = Category(key=key, name=name, active=True)
    db.session.add(category)
    db.session.flush()
    audit("category.added", actor=actor, target=category, details={"name": name})
    return category


def offer_category(*, actor: User, category: Category, active: bool) -> None:
    """Offer a category again or stop offering it, once (raises AlreadyDone if it already is)."""
    compare_and_set_where(
        category,
        Category.active.is_(not active),
        values={"active": active},
        message=f"{category.name} is {'already offered' if active else 'already not offered'}.",
    )
    audit("category.toggled", actor=actor, target=category, details={"active": category.active})
