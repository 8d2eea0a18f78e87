"""Whom a coordinator may reach: the one place the rule is written, for search, saved
searches, a role's matches and the volunteer page alike (fail closed: no rule, nobody).

- Connected: the volunteer applied to (at any stage, past ones included) or was placed at one of
  the coordinator's organisations.
- Findable: the volunteer's consent to be found by partner organisations stands now (a
  withdrawal takes effect on the next query: it is read, never copied).
- Organisation coordinators search their connected volunteers; for their own roles they also
  see findable ones. The centre (centre coordinators and administrators) searches every
  volunteer connected to any organisation and every findable one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, or_, select, union

from volunteer_hub.accounts.models import ConsentRecord, User
from volunteer_hub.accounts.permissions import coordinated_organisation_ids, sees_all_organisations
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.placements.models import Placement
from volunteer_hub.recruitment.models import Application
from volunteer_hub.volunteers.models import Volunteer

#: The consent to be found by partner organisations (off until the volunteer gives it).
FINDABLE = "found_by_partners"
#: The consent to the weekly email of roles that match (the privacy page's existing purpose).
DIGEST = "contact_opportunities"


def connected_ids(organisation_ids: set[int] | None) -> Select[Any]:
    """Volunteer ids connected to these organisations (None: to any organisation)."""
    applied = select(Application.volunteer_id)
    placed = select(Placement.volunteer_id)
    if organisation_ids is not None:
        ids = sorted(organisation_ids)
        applied = applied.where(Application.organisation_id.in_(ids))
        placed = placed.where(Placement.organisation_id.in_(ids))
    else:
        applied = applied.where(Application.organisation_id.is_not(None))
    return select(union(applied, placed).subquery().c[0])


def consenting_ids(purpose: str) -> Select[Any]:
    """Volunteer ids whose consent for ``purpose`` stands now."""
    return (
        select(Volunteer.id)
        .join(ConsentRecord, ConsentRecord.user_id == Volunteer.user_id)
        .where(ConsentRecord.purpose == purpose, ConsentRecord.withdrawn_at.is_(None))
    )


def is_centre(viewer: User) -> bool:
    return bool(getattr(viewer, "is_authenticated", False)) and sees_all_organisations(viewer)


def search_reach(viewer: User) -> Any:
    """A condition on ``Volunteer.id``: the volunteers ``viewer`` may search."""
    if not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return false()
    if is_centre(viewer):
        return or_(
            Volunteer.id.in_(connected_ids(None)), Volunteer.id.in_(consenting_ids(FINDABLE))
        )
    organisations = coordinated_organisation_ids(viewer)
    if not organisations:
        return false()
    return Volunteer.id.in_(connected_ids(organisations))


def role_reach(viewer: User, organisation_id: int) -> Any:
    """A condition on ``Volunteer.id``: whom ``viewer`` may see among a role's matches (the
    role's organisation's connected volunteers and the findable ones), when ``viewer`` may act
    for that organisation; nobody otherwise."""
    if not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return false()
    if not is_centre(viewer) and organisation_id not in coordinated_organisation_ids(viewer):
        return false()
    return or_(
        Volunteer.id.in_(connected_ids({organisation_id})),
        Volunteer.id.in_(consenting_ids(FINDABLE)),
    )


def page_reach(viewer: User) -> Any:
    """A condition on ``Volunteer.id``: whose page ``viewer`` may open (anyone they can
    search, and, for coordinators, the findable volunteers their roles' matches show)."""
    if not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return false()
    if is_centre(viewer) or not coordinated_organisation_ids(viewer):
        return search_reach(viewer)
    return or_(search_reach(viewer), Volunteer.id.in_(consenting_ids(FINDABLE)))


def dbs_organisations(viewer: User) -> set[int] | None:
    """Where ``viewer`` may see DBS status (as ``recruitment.queries.may_see_dbs``): None for
    everyone (centre coordinators), the organisations whose safeguarding lead they are, or
    an empty set (administrators and other coordinators see none)."""
    if not getattr(viewer, "is_authenticated", False):
        return set()
    if viewer.is_centre_coordinator:
        return None
    from volunteer_hub.extensions import db

    return set(
        db.session.scalars(
            select(Organisation.id).where(Organisation.safeguarding_lead_user_id == viewer.id)
        )
    )
