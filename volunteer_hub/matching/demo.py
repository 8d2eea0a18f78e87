"""Invented matching demo data: the demo volunteer and a few invented volunteers (without
sign-ins) opted in to being found and to the weekly email, with profiles that fit the demo
roles; a saved search of the centre coordinator's; and one invitation from the garden's
coordinator."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from volunteer_hub.accounts.models import User, UserRole
from volunteer_hub.accounts.services import give_consent
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.matching import queries, services
from volunteer_hub.matching.models import Invitation, SavedSearch
from volunteer_hub.matching.reach import DIGEST, FINDABLE
from volunteer_hub.organisations.models import Organisation, Role, RoleStatus
from volunteer_hub.volunteers.services import volunteer_for

DOMAIN = "demo.volunteerhub.invalid"
#: (email, name, skills, interests, languages, availability, postcode): all invented.
PEOPLE = [
    (
        "volunteer",
        "Sam Lindqvist",
        "Driving, listening",
        "Gardening, befriending older people",
        "English, Swedish",
        ["sat_morning", "sun_morning", "wed_afternoon"],
        "NB1 4AB",
    ),
    (
        "matching-priya",
        "Priya Castellano",
        "Cooking, food hygiene",
        "Food, cooking, community meals",
        "English, Gujarati",
        ["mon_afternoon", "tue_afternoon", "thu_afternoon"],
        "NB2 3CD",
    ),
    (
        "matching-obi",
        "Obi Halvorsen",
        "Coaching, first aid",
        "Football, young people",
        "English, Igbo",
        ["sat_morning", "tue_evening", "thu_evening"],
        "NB5 1EF",
    ),
    (
        "matching-marta",
        "Marta Oyelaran",
        "Carpentry, driving",
        "Gardening, wildlife, growing vegetables",
        "English, Polish",
        ["sat_morning", "sat_afternoon", "sun_morning"],
        "NB3 2GH",
    ),
]
SAVED = {"skill": "", "interest": "gardening", "language": "", "slots": ["sat_morning"],
         "postcode": "NB1", "miles": 5, "course": None, "dbs": False, "months": None,
         "min_hours": None}  # fmt: skip


def _person(slug: str, name: str) -> User:
    email = f"{slug}@{DOMAIN}"
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:  # invented people without a sign-in (no password)
        user = User(email=email, name=name, email_verified_at=utcnow())
        user.roles.append(UserRole(role="volunteer"))
        db.session.add(user)
        db.session.flush()
    return user


def seed() -> list[str]:
    if db.session.scalar(select(SavedSearch.id).limit(1)) is not None:
        return []
    users = []
    for slug, name, skills, interests, languages, slots, postcode in PEOPLE:
        user = _person(slug, name)
        volunteer = volunteer_for(user)
        volunteer.skills = volunteer.skills or skills
        volunteer.interests = volunteer.interests or interests
        volunteer.languages = volunteer.languages or languages
        volunteer.availability = volunteer.availability or slots
        volunteer.postcode = volunteer.postcode or postcode
        give_consent(user, FINDABLE, "demo")
        give_consent(user, DIGEST, "demo")
        users.append(user)
    db.session.flush()
    lines = [f"Demo matching: {len(users)} volunteers agreed to be found and matched."]
    centre = db.session.scalar(select(User).where(User.email == f"centre@{DOMAIN}"))
    if centre is not None:
        db.session.add(
            SavedSearch(owner_id=centre.id, name="Saturday gardeners near NB1", params=SAVED)
        )
        lines.append("Demo matching: one saved search (centre coordinator).")
    lines += _invitation()
    db.session.flush()
    return lines


def _invitation() -> list[str]:
    coordinator = db.session.scalar(select(User).where(User.email == f"garden@{DOMAIN}"))
    role = db.session.scalar(
        select(Role)
        .join(Organisation, Organisation.id == Role.organisation_id)
        .where(
            Organisation.name == "Greenway Community Garden",
            Role.status == RoleStatus.PUBLISHED.value,
        )
        .order_by(Role.id)
        .limit(1)
    )
    if coordinator is None or role is None or db.session.scalar(select(Invitation.id).limit(1)):
        return []
    matches = queries.role_matches(role, coordinator, date.today(), limit=10)
    # The demo volunteer first, so the invitation can be opened by signing in as them.
    matches.sort(key=lambda pair: pair[0].email != f"volunteer@{DOMAIN}")
    for volunteer, match in matches:
        try:
            services.invite(
                actor=coordinator,
                role=role,
                volunteer=volunteer,
                explanation=match.explain(),
                today=date.today(),
            )
        except DomainError:
            continue
        return [f"Demo matching: {volunteer.name} invited to apply for {role.title}."]
    return []
