"""Making, agreeing and ending placements. Services flush, never commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.outbox import queue_email
from volunteer_hub.accounts.permissions import (
    Action,
    coordinated_organisation_ids,
    register_rule,
    sees_all_organisations,
)
from volunteer_hub.accounts.queries import coordinators_of
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.navigation import external_url
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set, compare_and_set_where
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import RoleVersion
from volunteer_hub.organisations.queries import latest_version
from volunteer_hub.placements.models import END_REASONS, Placement
from volunteer_hub.placements.queries import placements_of as placements_of  # read by hours
from volunteer_hub.recruitment.models import (
    Application,
    ApplicationEvent,
    Reference,
    Stage,
)
from volunteer_hub.recruitment.queries import dbs_check_needed, dbs_needed_words


def placement_rule(user: User, placement: Placement, action: Action) -> bool:
    if sees_all_organisations(user) or placement.organisation_id in coordinated_organisation_ids(
        user
    ):
        return True
    if action == "view":
        return placement.supervisor_id == user.id or placement.volunteer.user_id == user.id
    return False


register_rule(Placement, placement_rule)


#: Further conditions for placing someone, registered by the domains above this one (training):
#: each is called with the application, the task description and the first day the placement
#: must satisfy, and raises DomainError when the volunteer cannot be placed yet.
PlaceCheck = Callable[[Application, RoleVersion, date], None]
_place_checks: list[PlaceCheck] = []


def register_place_check(check: PlaceCheck) -> None:
    if check not in _place_checks:
        _place_checks.append(check)


def supervisors_for(organisation_id: int) -> list[User]:
    """Who can be named supervisor: the organisation's coordinators."""
    return coordinators_of(organisation_id)


def place(
    *, actor: User, application: Application, start_date: date, supervisor: User, today: date
) -> Placement:
    if not placement_rule(actor, _draft(application), "change"):
        raise DomainError("Only the organisation's coordinators or the centre can place")
    if application.stage == Stage.PLACED.value:
        raise AlreadyDone("This applicant has already been placed.")
    if application.stage != Stage.OFFERED.value:
        raise DomainError("Only an applicant who has been offered the role can be placed")
    if application.role is None or application.organisation_id is None:
        raise DomainError("Choose a role for this enquiry before placing the volunteer")
    if application.under_18 and application.guardian_consent_on is None:
        raise DomainError(
            "The applicant is under 18: record their parent's or guardian's consent first"
        )
    version = latest_version(application.role)
    if version is None:
        raise DomainError("The role has no approved task description to agree to")
    _screening_done(application, today)
    for check in _place_checks:
        check(application, version, max(today, start_date))
    if supervisor.id not in {u.id for u in supervisors_for(application.organisation_id)}:
        raise DomainError(
            "Choose a supervisor from the organisation's coordinators", field="supervisor"
        )
    if start_date < today - timedelta(days=365):
        raise DomainError("The start date is more than a year ago", field="start_date")
    # Offered → placed once: of two clicks (or a colleague declining at the same moment) one
    # acts, the other is told, before any placement, email or audit event is written.
    compare_and_set(
        application,
        expected=Stage.OFFERED.value,
        values={"stage": Stage.PLACED.value},
        column="stage",
        message="This applicant has already been placed or their application has moved on.",
    )
    placement = Placement(
        application_id=application.id,
        volunteer_id=application.volunteer_id,
        role_id=application.role.id,
        organisation_id=application.organisation_id,
        role_version_id=version.id,
        supervisor_id=supervisor.id,
        start_date=start_date,
    )
    db.session.add(placement)
    application.events.append(
        ApplicationEvent(
            from_stage=Stage.OFFERED.value, to_stage=Stage.PLACED.value, actor_id=actor.id
        )
    )
    db.session.flush()
    link = external_url("placements.placement", placement_id=placement.id)
    if placement.volunteer.email:
        queue_email(
            kind="placement_volunteer",
            to=placement.volunteer.email,
            subject=f"Your placement: {placement.role.title}",
            placement=placement,
            link=link,
        )
    queue_email(
        kind="placement_supervisor",
        to=supervisor.email,
        user=supervisor,
        subject=f"You are supervising {placement.volunteer.name}",
        placement=placement,
    )
    audit("placement.created", actor=actor, target=placement, details={"version": version.version})
    return placement


def _screening_done(application: Application, today: date) -> None:
    """Screening must be finished: every requested reference marked satisfactory, and for a role
    that needs a DBS check, a clear one recorded within three years (or kept on the Update
    Service and checked in that time). Not about any field of the placing form: ``screening``."""
    references = list(
        db.session.scalars(select(Reference).where(Reference.application_id == application.id))
    )
    if any(r.satisfactory is not True for r in references):
        raise DomainError(
            "Every reference requested must be back and marked satisfactory before placing",
            field="screening",
        )
    needed = dbs_check_needed(application, today)
    if needed is not None:
        raise DomainError(
            f"This role needs {dbs_needed_words(needed)}: record a clear one before placing "
            "the volunteer",
            field="dbs",
        )


def _draft(application: Application) -> Placement:
    """An unsaved placement for the permission check before one exists."""
    return Placement(organisation_id=application.organisation_id or 0)


def agree(*, user: User, placement: Placement) -> Placement:
    if placement.volunteer.user_id != user.id:
        raise DomainError("Only the volunteer agrees to their task description")
    compare_and_set_where(
        placement,
        Placement.agreed_at.is_(None),
        values={"agreed_at": utcnow()},
        message="You have already agreed to this task description.",
    )
    audit("placement.agreed", actor=user, target=placement)
    db.session.flush()
    return placement


def end(*, actor: User, placement: Placement, end_date: date, reason: str) -> Placement:
    if not placement_rule(actor, placement, "change"):
        raise DomainError("Only the organisation's coordinators or the centre can end a placement")
    if placement.end_date is not None:
        raise AlreadyDone("This placement has already ended.")
    if reason not in END_REASONS:
        raise DomainError("Choose why the placement ended", field="reason")
    if end_date < placement.start_date:
        raise DomainError("The end date is before the placement started", field="end_date")
    compare_and_set_where(
        placement,
        Placement.end_date.is_(None),
        values={"end_date": end_date, "end_reason": reason},
        message="This placement has already ended.",
    )
    audit("placement.ended", actor=actor, target=placement, details={"reason": reason})
    db.session.flush()
    return placement
