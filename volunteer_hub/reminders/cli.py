"""`flask reminders send`: queue every reminder that is due (safe to run every hour).

It owns every scheduled email, so each is sent by one command under one key: overdue applicants
were also emailed by `flask recruitment remind` under its own marker, so running both sent two
emails about one applicant. `recruitment remind` is now this command under its documented name
(``remind_alias``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

import click
from flask.cli import AppGroup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.outbox import queue_email
from volunteer_hub.core.formatting import plural
from volunteer_hub.core.navigation import external_url
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set_where
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord, HourStatus
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.placements.models import Placement
from volunteer_hub.recruitment.services import coordinators_of, overdue
from volunteer_hub.reminders.models import SentReminder
from volunteer_hub.reminders.queries import wants
from volunteer_hub.supervision.models import SupervisionAction
from volunteer_hub.supervision.queries import due_dates
from volunteer_hub.training.queries import latest_completions

reminders = AppGroup("reminders", help="Reminders through the outbox.")
HOURS_WAITING_DAYS = 14
SUPERVISION_SOON_DAYS = 7
TRAINING_SOON_DAYS = 30


def _once(
    kind: str,
    item: str,
    state: str,
    to: str,
    subject: str,
    body: str,
    send: Callable[[], object] | None = None,
) -> int:
    """Queue one reminder unless the same one was queued before, or the person has turned this
    kind off in their settings; 1 if queued. ``send`` queues a dedicated email instead of the
    plain reminder."""
    if not wants(to, kind):
        return 0
    if db.session.scalar(
        select(SentReminder.id).where(
            SentReminder.kind == kind,
            SentReminder.item == item,
            SentReminder.state == state,
            SentReminder.recipient == to,
        )
    ):
        return 0
    db.session.add(SentReminder(kind=kind, item=item, state=state, recipient=to))
    if send is not None:
        send()
    else:
        queue_email(kind="reminder", to=to, subject=subject, body=body)
    return 1


def _waiting_hours(today: date) -> int:
    queued = 0
    cutoff = datetime.combine(today - timedelta(days=HOURS_WAITING_DAYS), time.min, tzinfo=UTC)
    rows = db.session.execute(
        select(Placement, func.count(HourRecord.id))
        .join(HourRecord, HourRecord.placement_id == Placement.id)
        .where(HourRecord.status == HourStatus.SUBMITTED.value, HourRecord.created_at < cutoff)
        .group_by(Placement.id)
    ).all()
    for placement, count in rows:
        supervisor = db.session.get(User, placement.supervisor_id)
        if supervisor is None:
            continue
        queued += _once(
            "hours_waiting",
            f"placement:{placement.id}",
            f"count:{count}",
            supervisor.email,
            "Hours are waiting for your approval",
            f"{plural(count, 'record')} of hours from {placement.volunteer.name} have waited "
            f"more than {plural(HOURS_WAITING_DAYS, 'day')}: {external_url('hours.queue')}",
        )
    return queued


def _supervision(today: date) -> int:
    queued = 0
    placements = list(db.session.scalars(select(Placement).where(Placement.end_date.is_(None))))
    due_by = due_dates(placements)
    for placement in placements:
        due = due_by.get(placement.id)
        if due is None or due > today + timedelta(days=SUPERVISION_SOON_DAYS):
            continue
        state = f"{'overdue' if due < today else 'due'}:{due.isoformat()}"
        link = external_url("supervision.schedule", placement_id=placement.id)
        supervisor = db.session.get(User, placement.supervisor_id)
        people = [supervisor.email] if supervisor else []
        if placement.volunteer.email:
            people.append(placement.volunteer.email)
        for email in people:
            queued += _once(
                "supervision",
                f"placement:{placement.id}",
                state,
                email,
                "Supervision is due" if due >= today else "Supervision is overdue",
                f"A supervision meeting for {placement.role.title} is due by "
                f"{due:%-d %B %Y}: {link}",
            )
    return queued


def _actions(today: date) -> int:
    queued = 0
    for action in db.session.scalars(
        select(SupervisionAction).where(
            SupervisionAction.done_at.is_(None), SupervisionAction.due_on < today
        )
    ):
        placement = action.record.placement
        if action.owner == "volunteer":
            email = placement.volunteer.email
        else:
            supervisor = db.session.get(User, placement.supervisor_id)
            email = supervisor.email if supervisor else None
        if not email:
            continue
        queued += _once(
            "action_overdue",
            f"action:{action.id}",
            f"overdue:{action.due_on}",
            email,
            "An agreed action is overdue",
            f"\u201c{action.description}\u201d was due by {action.due_on:%-d %B %Y}: "
            f"{external_url('supervision.show', record_id=action.record_id)}",
        )
    return queued


def _applications(today: date) -> int:
    """Applicants nobody contacted by the response deadline: to the organisation's coordinators,
    once each (the reminder's key), in the "applicant overdue" email."""
    queued = 0
    for application in overdue(today):
        # ``overdue_notified_at`` was the once-marker of the old `recruitment remind`: those
        # applicants' coordinators have been told already.
        if application.organisation_id is None or application.overdue_notified_at is not None:
            continue
        link = external_url("recruitment.application", application_id=application.id)
        for coordinator in coordinators_of(application.organisation_id):
            queued += _once(
                "application_overdue",
                f"application:{application.id}",
                f"overdue:{application.respond_by}",
                coordinator.email,
                "An applicant is waiting to hear from you",
                "",
                send=partial(
                    queue_email,
                    kind="applicant_overdue",
                    to=coordinator.email,
                    user=coordinator,
                    subject="An applicant is waiting to hear from you",
                    application=application,
                    link=link,
                ),
            )
    return queued


def _lapsed_checks(today: date) -> int:
    """Tell an organisation's coordinators, once per lapse, why its roles are not published
    (marked by a compare-and-set before anything is queued, so two runs at once tell them once;
    updating the checks clears the mark, so a new lapse is told again)."""
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


def _training(today: date) -> int:
    """Completions expiring within 30 days or expired (and not renewed), for volunteers with an
    active placement: to the volunteer and their organisations' coordinators."""
    queued = 0
    placements = list(db.session.scalars(select(Placement).where(Placement.end_date.is_(None))))
    organisations: dict[int, set[int]] = {}
    for placement in placements:
        organisations.setdefault(placement.volunteer_id, set()).add(placement.organisation_id)
    soon = today + timedelta(days=TRAINING_SOON_DAYS)
    coordinators: dict[int, list[str]] = {}  # organisation → emails, looked up once each
    for completion in latest_completions(list(organisations)).values():
        expires = completion.expires_on
        if expires is None or expires > soon:
            continue
        expired = expires < today
        state = f"{'expired' if expired else 'expiring'}:{expires.isoformat()}"
        people = [completion.volunteer.email] if completion.volunteer.email else []
        for organisation_id in sorted(organisations[completion.volunteer_id]):
            if organisation_id not in coordinators:
                coordinators[organisation_id] = [u.email for u in coordinators_of(organisation_id)]
            people += coordinators[organisation_id]
        subject = (
            f"Training expired: {completion.course.title}"
            if expired
            else f"Training expiring: {completion.course.title}"
        )
        for email in dict.fromkeys(people):
            queued += _once(
                "training_expiry",
                f"completion:{completion.id}",
                state,
                email,
                subject,
                f"{completion.volunteer.name}'s {completion.course.title} "
                f"{'expired' if expired else 'expires'} on {expires:%-d %B %Y}. Book a session: "
                f"{external_url('training.catalogue')}",
            )
    return queued


def queue_due(today: date) -> int:
    """Queue every reminder that is due and commit. Each reminder is recorded once (a unique
    constraint); when another run recorded some of the same ones at the same moment, this run's
    transaction fails on them and is rolled back, then run again: it queues what is left."""
    for attempt in (1, 2):
        try:
            queued = (
                _waiting_hours(today)
                + _supervision(today)
                + _actions(today)
                + _applications(today)
                + _lapsed_checks(today)
                + _training(today)
            )
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise
            continue
        return queued
    return 0  # not reached


@reminders.command("send")
def send_command() -> None:
    """Queue every reminder that is due; run it hourly (see docs/operations.md)."""
    click.echo(f"reminders queued: {queue_due(date.today())}")


@click.command("remind")
def remind_alias() -> None:
    """The same as `flask reminders send` (kept so existing schedules keep working)."""
    click.echo(
        "`recruitment remind` now runs `reminders send`, which sends every reminder once "
        "(overdue applicants, lapsed checks and the rest): schedule that instead."
    )
    click.echo(f"reminders queued: {queue_due(date.today())}")
