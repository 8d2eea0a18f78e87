"""`flask recruitment ...`: scheduled reminders."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from volunteer_hub.accounts.outbox import queue_email
from volunteer_hub.core.geo import centroid, load_outcodes
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.navigation import external_url
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set_where
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation, Role
from volunteer_hub.recruitment.models import Application
from volunteer_hub.recruitment.services import coordinators_of, overdue

recruitment = AppGroup("recruitment", help="Recruitment: response deadlines.")


@recruitment.command("remind")
def remind_command() -> None:
    """Email each organisation's coordinators about applicants not contacted by their deadline
    (once per application), and about lapsed checks that unpublish their roles (once per lapse).
    Run daily."""
    sent = remind(date.today())
    db.session.commit()
    click.echo(f"Queued {sent} reminder(s).")


def remind(today: date) -> int:
    """Queue the overdue-applicant and lapsed-check emails (flushes, never commits). Each is
    marked sent by a compare-and-set before it is queued, so two runs at once queue it once."""
    sent = 0
    for application in overdue(today):
        if application.overdue_notified_at is not None or application.organisation_id is None:
            continue
        try:
            compare_and_set_where(
                application,
                Application.overdue_notified_at.is_(None),
                values={"overdue_notified_at": utcnow()},
            )
        except AlreadyDone:
            continue  # another run has just told them
        link = external_url("recruitment.application", application_id=application.id)
        for coordinator in coordinators_of(application.organisation_id):
            queue_email(
                kind="applicant_overdue",
                to=coordinator.email,
                user=coordinator,
                subject="An applicant is waiting to hear from you",
                application=application,
                link=link,
            )
            sent += 1
    return sent + _lapsed_checks(today)


def _lapsed_checks(today: date) -> int:
    """Tell an organisation's coordinators, once per lapse, why its roles are not published."""
    sent = 0
    for organisation in db.session.scalars(select(Organisation)):
        reasons = organisation.lapsed_checks(today)
        if not reasons or organisation.lapse_notified_on is not None:
            continue
        try:
            compare_and_set_where(
                organisation,
                Organisation.lapse_notified_on.is_(None),
                values={"lapse_notified_on": today},
            )
        except AlreadyDone:
            continue  # another run has just told them
        link = external_url("organisations.roles", slug=organisation.slug)
        for coordinator in coordinators_of(organisation.id):
            queue_email(
                kind="checks_lapsed",
                to=coordinator.email,
                user=coordinator,
                subject=f"{organisation.name}: your roles are not published",
                organisation=organisation,
                reasons=reasons,
                link=link,
            )
            sent += 1
    return sent


@recruitment.command("load-outcodes")
@click.argument("file", type=click.Path(path_type=Path))
def load_outcodes_command(file: Path) -> None:
    """Load outward-code centroids (header outcode,latitude,longitude), e.g. from the ONS
    Postcode Directory, then place every role on the map again."""
    try:
        count = load_outcodes(file)
    except (ValueError, OSError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    located = 0
    for role in db.session.scalars(select(Role)):
        point = centroid(role.postcode)
        role.latitude, role.longitude = point if point else (None, None)
        located += point is not None
    db.session.commit()
    click.echo(f"Loaded {count:,} outward codes; {located:,} roles placed on the map.")
