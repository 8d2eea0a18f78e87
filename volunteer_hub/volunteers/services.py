"""Volunteer records and profiles. Services flush, never commit."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import insert, select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.transitions import lock
from volunteer_hub.extensions import db
from volunteer_hub.volunteers.models import HEARD_ABOUT, SLOTS, Volunteer

PROFILE_FIELDS = (
    "phone",
    "date_of_birth",
    "postcode",
    "emergency_contact_name",
    "emergency_contact_phone",
    "skills",
    "interests",
    "availability",
    "languages",
    "access_needs",
    "heard_about",
)


def volunteer_for(user: User) -> Volunteer:
    """The volunteer record of a signed-in person, made on first use."""
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
    if volunteer is not None:
        return volunteer
    # Two first uses at once (a double click) make one record: the second waits, then finds it.
    lock(db.session.get(User, user.id))  # the row, not a current_user proxy
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
    if volunteer is not None:
        return volunteer
    existing = db.session.scalar(select(Volunteer).where(Volunteer.email == user.email))
    if existing is not None and existing.user_id is None and user.email_verified_at is not None:
        # A record kept for them before they signed up (e.g. imported hours): theirs, now that
        # they have proved the address is theirs.
        existing.user_id = user.id
        volunteer = existing
    else:
        # Never someone else's record, and never by an unproved address: a record of their own
        # (without the email when another record already holds it).
        volunteer = Volunteer(
            user_id=user.id, name=user.name, email=None if existing is not None else user.email
        )
        db.session.add(volunteer)
    db.session.flush()
    return volunteer


def create_volunteers(people: list[tuple[str | None, str, int | None]]) -> list[int]:
    """Volunteer records kept for people, e.g. by an import: ``(email or None, name, user id or
    None)`` each, inserted in bulk; their ids, in the same order."""
    if not people:
        return []
    return list(
        db.session.scalars(
            insert(Volunteer).returning(Volunteer.id, sort_by_parameter_order=True),
            [{"email": email, "name": name, "user_id": user} for email, name, user in people],
        )
    )


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def update_profile(*, user: User, values: dict[str, Any], today: date) -> Volunteer:
    volunteer = volunteer_for(user)
    clean: dict[str, Any] = {}
    for field in PROFILE_FIELDS:
        value = values.get(field)
        if isinstance(value, str):
            value = value.strip() or None
        clean[field] = value
    born = clean["date_of_birth"]
    if born is not None and not (14 <= age_on(born, today) <= 110):
        raise DomainError(
            "Volunteers must be 14 or over; check the date of birth", field="date_of_birth"
        )
    slots = [s for s in (clean["availability"] or []) if s in SLOTS]
    if len(slots) != len(clean["availability"] or []):
        raise DomainError("Choose times from the grid", field="availability")
    clean["availability"] = slots
    if clean["heard_about"] and clean["heard_about"] not in HEARD_ABOUT:
        raise DomainError("Choose how you heard about us from the list", field="heard_about")
    if clean["postcode"]:
        clean["postcode"] = " ".join(clean["postcode"].upper().split())[:10]
    for field, value in clean.items():
        setattr(volunteer, field, value)
    db.session.flush()
    audit("volunteer.profile_updated", actor=user, target=volunteer)
    return volunteer
