"""Matching's read side: what its pages read, and what other domains may ask.

For the messaging domain's segments: :func:`saved_searches_for` (a coordinator's saved
searches) and :func:`saved_search_volunteer_ids` (whom one finds now, with the viewer's reach at
that moment: a volunteer who withdrew consent or is no longer connected drops out).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.queries import consent_stands
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.geo import centroid, outward_code
from volunteer_hub.extensions import db
from volunteer_hub.matching import search
from volunteer_hub.matching.models import DigestSent, Invitation, SavedSearch
from volunteer_hub.matching.reach import DIGEST, FINDABLE, page_reach, role_reach
from volunteer_hub.matching.scoring import Match, Opening, Person, best, score
from volunteer_hub.organisations.models import LocationType, Role
from volunteer_hub.recruitment.models import Application, Stage
from volunteer_hub.recruitment.queries import published
from volunteer_hub.training.models import Course
from volunteer_hub.volunteers.models import SLOTS, Volunteer

#: How many suggestions a page shows.
RECOMMENDED = 10
ROLE_MATCHES = 20


# Consents -----------------------------------------------------------------------------------


def preferences_of(user: User) -> dict[str, bool]:
    """The volunteer's two choices, as they stand now."""
    return {
        "findable": consent_stands(user.id, FINDABLE),
        "digest": consent_stands(user.id, DIGEST),
    }


# Search -------------------------------------------------------------------------------------


def course_choices() -> list[tuple[int, str]]:
    return [
        (c.id, c.title)
        for c in db.session.scalars(
            select(Course).where(Course.active.is_(True)).order_by(Course.title)
        )
    ]


def _text(params: Mapping[str, Any], key: str) -> str:
    value = params.get(key)
    return " ".join(value.split())[:100] if isinstance(value, str) else ""


def _number(params: Mapping[str, Any], key: str, low: int, high: int) -> int | None:
    value = params.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if low <= value <= high else None


def args_from(params: Mapping[str, Any], *, page: int = 1) -> search.SearchArgs:
    """A search from the form's cleaned arguments (or a saved search's, checked again): a
    postcode whose area is unknown is a DomainError on ``postcode``."""
    postcode = _text(params, "postcode")
    origin = None
    if postcode:
        if outward_code(postcode) is None:
            raise DomainError("Enter a postcode like NB1 4RT", field="postcode")
        origin = centroid(postcode)
        if origin is None:
            raise DomainError(f"We do not know where {postcode.upper()} is", field="postcode")
    slots = params.get("slots")
    return search.SearchArgs(
        skill=_text(params, "skill"),
        interest=_text(params, "interest"),
        language=_text(params, "language"),
        slots=tuple(s for s in slots if s in SLOTS)[:21] if isinstance(slots, list) else (),
        origin=origin,
        miles=_number(params, "miles", 1, 100) if origin else None,
        course_id=_number(params, "course", 1, 2**31 - 1),
        dbs_clear=params.get("dbs") is True,
        months=_number(params, "months", 1, 60),
        min_hours=_number(params, "min_hours", 0, 10000) or 0,
        page=page,
    )


def run_search(
    viewer: User, params: Mapping[str, Any], today: date, page: int = 1
) -> search.SearchResult:
    return search.run(viewer, args_from(params, page=page), today)


def saved_searches_for(viewer: User) -> list[SavedSearch]:
    """The coordinator's own saved searches, by name."""
    return list(
        db.session.scalars(
            select(SavedSearch).where(SavedSearch.owner_id == viewer.id).order_by(SavedSearch.name)
        )
    )


def saved_search(saved_search_id: int, viewer: User) -> SavedSearch | None:
    """A saved search, only for its owner."""
    found = db.session.get(SavedSearch, saved_search_id)
    return found if found is not None and found.owner_id == viewer.id else None


def saved_search_summary(saved_search_id: int) -> tuple[str, int] | None:
    """A saved search's name and owner, for the messaging domain's segment label (the search
    itself is run only for its owner: :func:`saved_search_volunteer_ids`)."""
    found = db.session.get(SavedSearch, saved_search_id)
    return (found.name, found.owner_id) if found is not None else None


def saved_search_volunteer_ids(
    saved_search_id: int, viewer: User, today: date | None = None
) -> set[int]:
    """The volunteers a saved search finds for ``viewer`` now (an empty set when the search is
    not theirs, or its postcode's area is no longer known)."""
    found = saved_search(saved_search_id, viewer)
    if found is None:
        return set()
    try:
        args = args_from(found.params)
    except DomainError:
        return set()
    return search.volunteer_ids(viewer, args, today or date.today())


# The volunteer's page -----------------------------------------------------------------------


def volunteer_in_reach(volunteer_id: int, viewer: User) -> Volunteer | None:
    """A volunteer's record when ``viewer`` may open their page; None otherwise (a 404)."""
    return db.session.scalar(
        select(Volunteer).where(Volunteer.id == volunteer_id, page_reach(viewer))
    )


def invitations_of(volunteer_id: int, viewer: User) -> list[Invitation]:
    """Invitations to this volunteer for roles ``viewer`` may act for, newest first."""
    from volunteer_hub.accounts.permissions import (
        coordinated_organisation_ids,
        sees_all_organisations,
    )

    statement = (
        select(Invitation)
        .join(Role, Role.id == Invitation.role_id)
        .where(Invitation.volunteer_id == volunteer_id)
        .order_by(Invitation.created_at.desc())
    )
    if not sees_all_organisations(viewer):
        statement = statement.where(
            Role.organisation_id.in_(sorted(coordinated_organisation_ids(viewer)))
        )
    return list(db.session.scalars(statement))


# Matching -----------------------------------------------------------------------------------


def _person(volunteer: Volunteer, places: Mapping[str, tuple[float, float]]) -> Person:
    return Person(
        volunteer_id=volunteer.id,
        interests=volunteer.interests,
        skills=volunteer.skills,
        availability=[s for s in (volunteer.availability or []) if isinstance(s, str)],
        place=places.get(outward_code(volunteer.postcode) or ""),
    )


def opening_of(role: Role) -> Opening:
    categories = " ".join(c.name for c in role.categories)
    return Opening(
        role_id=role.id,
        text=" ".join(filter(None, [role.title, role.purpose, role.activities, categories])),
        skills_text=" ".join(filter(None, [role.title, role.skills, role.activities])),
        days_and_times=role.days_and_times,
        remote=role.location_type == LocationType.REMOTE.value,
        place=(role.latitude, role.longitude)
        if role.latitude is not None and role.longitude is not None
        else None,
    )


def _applied_role_ids(volunteer_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(Application.role_id).where(
                Application.volunteer_id == volunteer_id,
                Application.role_id.is_not(None),
                Application.stage.not_in([Stage.DECLINED.value, Stage.WITHDRAWN.value]),
            )
        )
    )


def matching_roles(
    volunteer: Volunteer, today: date, *, since: datetime | None = None, limit: int = RECOMMENDED
) -> list[tuple[Role, Match]]:
    """Open, published roles that match the volunteer, best first (only those published since
    ``since`` when given), leaving out roles they have an open application for."""
    statement = published(today)
    if since is not None:
        statement = statement.where(Role.published_at >= since)
    roles = {r.id: r for r in db.session.scalars(statement)}
    person = _person(volunteer, search.centroids([volunteer.postcode]))
    applied = _applied_role_ids(volunteer.id)
    matches = best(
        (score(person, opening_of(r)) for r in roles.values() if r.id not in applied), limit
    )
    return [(roles[m.role_id], m) for m in matches]


def role_matches(
    role: Role, viewer: User, today: date, limit: int = ROLE_MATCHES
) -> list[tuple[Volunteer, Match]]:
    """The volunteers who fit ``role`` best among those ``viewer`` may see for it (connected to
    the role's organisation, or findable), leaving out anyone with an open application."""
    applied = select(Application.volunteer_id).where(
        Application.role_id == role.id,
        Application.stage.not_in([Stage.DECLINED.value, Stage.WITHDRAWN.value]),
    )
    candidates = list(
        db.session.scalars(
            select(Volunteer).where(
                role_reach(viewer, role.organisation_id),
                Volunteer.id.not_in(applied),
                or_(Volunteer.interests.is_not(None), Volunteer.skills.is_not(None)),
            )
        )
    )
    places = search.centroids([v.postcode for v in candidates])
    opening = opening_of(role)
    by_id = {v.id: v for v in candidates}
    matches = best((score(_person(v, places), opening) for v in candidates), limit)
    return [(by_id[m.volunteer_id], m) for m in matches]


def may_see_match(role: Role, volunteer_id: int, viewer: User) -> bool:
    """Whether ``viewer`` may see (and invite) this volunteer for this role."""
    return (
        db.session.scalar(
            select(Volunteer.id).where(
                Volunteer.id == volunteer_id, role_reach(viewer, role.organisation_id)
            )
        )
        is not None
    )


def invited_ids(role_id: int) -> dict[int, Invitation]:
    return {
        i.volunteer_id: i
        for i in db.session.scalars(select(Invitation).where(Invitation.role_id == role_id))
    }


def digest_sent(volunteer_id: int, week_of: date) -> bool:
    return (
        db.session.scalar(
            select(DigestSent.id).where(
                DigestSent.volunteer_id == volunteer_id, DigestSent.week_of == week_of
            )
        )
        is not None
    )


def digest_recipients() -> list[Volunteer]:
    """Volunteers whose consent to the weekly email stands, with an account to send it to."""
    from volunteer_hub.matching.reach import consenting_ids

    return list(
        db.session.scalars(
            select(Volunteer)
            .where(Volunteer.id.in_(consenting_ids(DIGEST)), Volunteer.user_id.is_not(None))
            .order_by(Volunteer.id)
        )
    )


def profile_for(volunteer: Volunteer, viewer: User, today: date) -> tuple[search.Found, bool]:
    """What ``viewer`` may see of a volunteer in reach: training in date, approved hours in the
    last 12 months at their organisations, and DBS status only where they may see it."""
    found = search.Found(volunteer=volunteer)
    may_see_dbs = search.details(viewer, [found], search.SearchArgs(months=12), today)
    return found, may_see_dbs
