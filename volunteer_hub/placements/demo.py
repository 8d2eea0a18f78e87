"""Invented demo placements: the applicant the recruitment demo marked placed, and the demo
volunteer placed as a garden volunteer (hours.demo.seed_logged adds their logged hours). Nothing
here describes a real person."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from volunteer_hub.accounts.queries import find_user_by_email
from volunteer_hub.extensions import db
from volunteer_hub.organisations.queries import latest_version, role_named
from volunteer_hub.placements.models import Placement
from volunteer_hub.recruitment.models import Application, Stage
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import volunteer_for


def seed() -> list[str]:
    today = date.today()
    _placed_applicants(today)
    _demo_volunteer_placement(today)
    db.session.flush()
    return []


def _placed_applicants(today: date) -> None:
    """Demo applicants in the placed stage get their placement, supervised by the centre's demo
    coordinator."""
    supervisor = find_user_by_email("centre@demo.volunteerhub.invalid")
    placed = db.session.scalars(
        select(Application)
        .join(Volunteer, Volunteer.id == Application.volunteer_id)
        .where(
            Application.stage == Stage.PLACED.value,
            Application.role_id.is_not(None),
            Volunteer.email.like("volunteer0%@demo.volunteerhub.invalid"),
            ~select(Placement.id).where(Placement.application_id == Application.id).exists(),
        )
        .order_by(Application.id)
    ).all()
    for application in placed:
        role = application.role
        version = latest_version(role) if role is not None else None
        if role is None or version is None or supervisor is None:
            continue
        db.session.add(
            Placement(
                application_id=application.id,
                volunteer_id=application.volunteer_id,
                role_id=role.id,
                organisation_id=role.organisation_id,
                role_version_id=version.id,
                supervisor_id=supervisor.id,
                start_date=today - timedelta(days=5),
            )
        )
    db.session.flush()


def _demo_volunteer_placement(today: date) -> None:
    """The demo volunteer is placed as a garden volunteer, supervised by the garden's demo
    coordinator (hours.demo.seed_logged adds their logged hours)."""

    demo = find_user_by_email("volunteer@demo.volunteerhub.invalid")
    supervisor = find_user_by_email("garden@demo.volunteerhub.invalid")
    role = role_named("Greenway Community Garden", "Garden volunteer")
    version = latest_version(role) if role is not None else None
    if demo is None or supervisor is None or role is None or version is None:
        return
    volunteer = volunteer_for(demo)
    if db.session.scalar(select(Placement.id).where(Placement.volunteer_id == volunteer.id)):
        return
    start = today - timedelta(days=63)
    placement = Placement(
        volunteer_id=volunteer.id,
        role_id=role.id,
        organisation_id=role.organisation_id,
        role_version_id=version.id,
        supervisor_id=supervisor.id,
        start_date=start,
        agreed_at=None,
    )
    db.session.add(placement)
    db.session.flush()
