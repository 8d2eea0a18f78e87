"""Invented demo recruitment: applicants in every stage of the demo roles (one overdue, one
placed), the demo volunteer's own application, and one unanswered reference request, so a
coordinator sees one waiting and the referee's page (a signed link) has one to show. Nothing here
describes a real person."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from sqlalchemy import select

from volunteer_hub.accounts.queries import find_user_by_email
from volunteer_hub.core.dates import add_working_days
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation, Role
from volunteer_hub.organisations.queries import role_named
from volunteer_hub.recruitment.models import Application, ApplicationEvent, Reference, Stage
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import volunteer_for

#: The demo roles that have applicants (organisation, title); organisations.demo creates them.
DEMO_ROLES = (
    ("Riverside Befriending Network", "Befriender"),
    ("Riverside Befriending Network", "Lunch club host"),
    ("Greenway Community Garden", "Garden volunteer"),
    ("Northbridge Food Share", "Warehouse volunteer"),
    ("Northbridge Food Share", "Delivery driver"),
    ("Northbridge Volunteer Centre", "Office support"),
)


def seed() -> list[str]:
    """Invented applicants in every stage of the demo roles (placements.demo places the one
    marked placed), the demo volunteer's own application, and one unanswered reference."""
    if db.session.scalar(select(Application.id).limit(1)):
        return _reference()
    today = date.today()
    if find_user_by_email("centre@demo.volunteerhub.invalid") is None:
        return []
    roles = {
        title: role
        for organisation, title in DEMO_ROLES
        if (role := role_named(organisation, title)) is not None
    }
    _applications(roles, today)
    return _reference()


def _applications(roles: dict[str, Role], today: date) -> None:
    """Invented applicants in every stage, one overdue, one placed."""
    volunteers = list(
        db.session.scalars(
            select(Volunteer)
            .where(Volunteer.email.like("volunteer0%@demo.volunteerhub.invalid"))
            .limit(12)
        )
    )
    stages = [
        ("Befriender", Stage.APPLIED),
        ("Befriender", Stage.SCREENING),
        ("Garden volunteer", Stage.INTERVIEW),
        ("Garden volunteer", Stage.OFFERED),
        ("Warehouse volunteer", Stage.PLACED),
        ("Delivery driver", Stage.DECLINED),
        ("Office support", Stage.WITHDRAWN),
        ("Lunch club host", Stage.APPLIED),
        (None, Stage.ENQUIRY),
    ]
    centre = next(
        o for o in db.session.scalars(select(Organisation)) if o.kind == "volunteer_centre"
    )
    for volunteer, (title, stage) in zip(volunteers, stages, strict=False):
        role = roles.get(title) if title else None
        created = today - timedelta(days=12)
        application = Application(
            volunteer_id=volunteer.id,
            role_id=role.id if role else None,
            organisation_id=role.organisation_id if role else centre.id,
            stage=Stage.ENQUIRY.value if role is None else Stage.APPLIED.value,
            message="I would love to help out (invented demo applicant).",
            respond_by=add_working_days(created, 5),
            declined_reason="role_filled" if stage is Stage.DECLINED else None,
        )
        application.events.append(ApplicationEvent(from_stage=None, to_stage=application.stage))
        if stage not in {Stage.APPLIED, Stage.ENQUIRY}:
            application.events.append(
                ApplicationEvent(from_stage=application.stage, to_stage=stage.value)
            )
            application.stage = stage.value
            application.contacted_at = application.created_at
        db.session.add(application)
        db.session.flush()
    # The demo volunteer has applied to one role, so "My volunteering" shows something.
    demo = find_user_by_email("volunteer@demo.volunteerhub.invalid")
    if demo is not None and "Lunch club host" in roles:
        volunteer = volunteer_for(demo)
        application = Application(
            volunteer_id=volunteer.id,
            role_id=roles["Lunch club host"].id,
            organisation_id=roles["Lunch club host"].organisation_id,
            stage=Stage.APPLIED.value,
            message="Wednesdays suit me well.",
            respond_by=add_working_days(today, 5),
        )
        application.events.append(ApplicationEvent(from_stage=None, to_stage=Stage.APPLIED.value))
        db.session.add(application)
    db.session.flush()


def _reference() -> list[str]:
    application = db.session.scalar(
        select(Application)
        .where(Application.stage == Stage.SCREENING.value)
        .order_by(Application.id)
        .limit(1)
    )
    if application is None or db.session.scalar(
        select(Reference.id).where(Reference.application_id == application.id)
    ):
        return []
    db.session.add(
        Reference(
            application_id=application.id,
            referee_name="Morag Ellison",
            referee_email="referee@demo.volunteerhub.invalid",
            relationship_to_applicant="Former manager at a community café",
            nonce=secrets.token_hex(16),
        )
    )
    db.session.flush()
    return []
