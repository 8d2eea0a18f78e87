"""`flask privacy erase` leaves no trace of the person in any free text: a dump of the whole
database (SQLite's iterdump, PostgreSQL's pg_dump) holds no part of their name, their email or
its local part, nor their phone number in any spacing or prefix."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import make_url, select

from tests.factories import UserFactory
from tests.privacy.test_erasure import figures
from tests.timebank.conftest import make_bank, member
from volunteer_hub.accounts.models import AuditEvent, OutboxMessage, User
from volunteer_hub.core.models import utcnow
from volunteer_hub.expenses.models import ExpenseClaim, ExpenseItem
from volunteer_hub.extensions import db
from volunteer_hub.hours import services as hours_services
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.organisations.roles import latest_version
from volunteer_hub.placements.models import Placement
from volunteer_hub.privacy.erasure import ERASED_TEXT
from volunteer_hub.privacy.models import PrivacyRequest
from volunteer_hub.recruitment import services as recruitment_services
from volunteer_hub.recruitment.models import Application, ApplicationEvent
from volunteer_hub.supervision.models import SupervisionAction, SupervisionRecord
from volunteer_hub.timebank import services as timebank_services
from volunteer_hub.timebank.models import Account, Exchange, Listing, Match, Transfer
from volunteer_hub.training.models import Completion, Course, TrainingException
from volunteer_hub.volunteers.services import volunteer_for

TODAY = date.today()
NAME = "Sam Lindqvist"
EMAIL = "slindq77@example.test"
PHONE = "07700 900123"
#: What another volunteer wrote: a longer word starting with the first name is not the name.
OTHER_NOTE = "Ran the stall with Samantha; Samuel brought the urn"


def _dump(database_url: str) -> str:
    """The whole database as SQL text, read by a separate client after the command committed."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database
        connection = sqlite3.connect(url.database)
        try:
            return "\n".join(connection.iterdump())
        finally:
            connection.close()
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is needed to check erasure on PostgreSQL"
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    done = subprocess.run(
        [pg_dump, "--no-owner", "--no-privileges", "--dbname", libpq],
        capture_output=True,
        check=True,
        text=True,
        timeout=120,
    )
    return done.stdout


def _leaks(dump: str) -> list[str]:
    found = []
    if "lindqvist" in dump.lower():
        found.append("the surname")
    if re.search(r"(?<![^\W_])sam(?![^\W_])", dump, re.IGNORECASE):
        found.append("the first name as a word")
    if EMAIL in dump.lower():
        found.append("the email")
    if "slindq77" in dump.lower():
        found.append("the email's local part")
    # The phone however it was written: runs of spaces and dashes between digits removed.
    squeezed = re.sub(r"(?<=\d)[ \-]+(?=\d)", "", dump)
    if "07700900123" in squeezed or "7700900123" in squeezed:
        found.append("the phone number")
    return found


def _person_with_free_text(personas: Any, publish: Any) -> dict[str, Any]:
    coordinator = personas.coordinator_a
    role = publish(personas.org_a, "Driver")
    user = UserFactory(email=EMAIL, name=NAME)
    volunteer = volunteer_for(user)
    volunteer.phone = PHONE

    # Recruitment: the coordinator's note of a phone call, the phone in another format.
    application = Application(
        volunteer_id=volunteer.id,
        role_id=role.id,
        organisation_id=role.organisation_id,
        stage="applied",
        message="I would like to drive",
    )
    db.session.add(application)
    db.session.flush()
    recruitment_services.move(
        actor=coordinator,
        application=application,
        to="screening",
        note="Called Sam on 07700 900 123, Mr Lindqvist keen",
    )
    placement = Placement(
        application_id=application.id,
        volunteer_id=volunteer.id,
        role_id=role.id,
        organisation_id=role.organisation_id,
        role_version_id=latest_version(role).id,
        supervisor_id=coordinator.id,
        start_date=TODAY - timedelta(days=60),
    )
    db.session.add(placement)
    db.session.flush()

    # Hours: approved ones that count, and rejected ones whose reason names them (and its audit).
    for days, status in ((20, "approved"), (10, "submitted")):
        db.session.add(
            HourRecord(
                volunteer_id=volunteer.id,
                organisation_id=placement.organisation_id,
                role_id=role.id,
                placement_id=placement.id,
                date=TODAY - timedelta(days=days),
                seconds=5400,
                status=status,
                soc_code=role.soc_code,
                approved_by_id=coordinator.id if status == "approved" else None,
                approved_at=utcnow() if status == "approved" else None,
            )
        )
    db.session.flush()
    submitted = db.session.scalar(select(HourRecord).where(HourRecord.status == "submitted"))
    assert submitted is not None
    hours_services.reject(
        submitted, approver=coordinator, reason="Mr Lindqvist logged the wrong day, ask slindq77"
    )

    # Supervision: one ordinary meeting, one with a concern (kept under a legal hold).
    quiet = SupervisionRecord(
        placement_id=placement.id,
        supervisor_id=coordinator.id,
        met_on=TODAY - timedelta(days=30),
        format="one_to_one",
        wellbeing=4,
        went_well="Sam drove well",
        confidential_notes="LINDQVIST mentioned a sore back",
        volunteer_comment="Happy, text me on 07700-900-123",
    )
    worrying = SupervisionRecord(
        placement_id=placement.id,
        supervisor_id=coordinator.id,
        met_on=TODAY - timedelta(days=15),
        format="phone_video",
        wellbeing=2,
        concerns="A client shouted at Sam; Mr Lindqvist was upset (+44 7700 900123)",
    )
    db.session.add_all([quiet, worrying])
    db.session.flush()
    db.session.add(
        SupervisionAction(record_id=quiet.id, description="Sam to rest", owner="volunteer")
    )

    # Expenses: a rejected taxi fare whose description and reason name them.
    claim = ExpenseClaim(
        volunteer_id=volunteer.id,
        organisation_id=placement.organisation_id,
        placement_id=placement.id,
        status="approved",
        submitted_at=utcnow(),
        decided_at=utcnow(),
    )
    db.session.add(claim)
    db.session.flush()
    db.session.add(
        ExpenseItem(
            claim_id=claim.id,
            type="other",
            date=TODAY - timedelta(days=20),
            description="Taxi home for Sam",
            claimed_pence=1200,
            decision="rejected",
            approved_pence=0,
            decision_reason="Lindqvist has no receipt",
        )
    )

    # Training: evidence and an exception, naming them.
    course = Course(title="First aid", provider_id=role.organisation_id, duration_minutes=180)
    db.session.add(course)
    db.session.flush()
    db.session.add(
        Completion(
            volunteer_id=volunteer.id,
            course_id=course.id,
            completed_on=TODAY - timedelta(days=100),
            source="external",
            evidence="Certificate 123 for S. Lindqvist",
        )
    )
    db.session.add(
        TrainingException(
            volunteer_id=volunteer.id,
            role_id=role.id,
            course_id=course.id,
            reason="Sam is a paramedic",
        )
    )

    # The other volunteer: hours and a note that must stay as they are.
    other = volunteer_for(personas.volunteer)
    db.session.add(
        HourRecord(
            volunteer_id=other.id,
            organisation_id=role.organisation_id,
            role_id=role.id,
            date=TODAY - timedelta(days=8),
            seconds=7200,
            status="approved",
            soc_code=role.soc_code,
            note=OTHER_NOTE,
        )
    )

    # The time bank: an exchange with a neighbour, reversed with a reason naming them; a grant
    # from the pot to them alone; a neighbour's answer to their listing.
    timebank = make_bank("Riverside Time Bank", coordinator, {})
    mine = member(timebank, user)
    mine.phone = PHONE
    neighbour = member(timebank, personas.stranger)
    exchange = timebank_services.record_for_both(
        actor=coordinator,
        timebank=timebank,
        giver=mine,
        receiver=neighbour,
        done_on=TODAY - timedelta(days=12),
        minutes=90,
        description="Shopping run, Sam drove",
        key="free-text-exchange",
        today=TODAY,
    )
    kept = timebank_services.record_for_both(
        actor=coordinator,
        timebank=timebank,
        giver=neighbour,
        receiver=mine,
        done_on=TODAY - timedelta(days=11),
        minutes=60,
        description="Hedge trimmed",
        key="free-text-kept",
        today=TODAY,
    )
    transfer = db.session.get(Transfer, exchange.transfer_id)
    assert transfer is not None
    timebank_services.reverse(
        actor=coordinator,
        transfer=transfer,
        reason="Recorded twice: Lindqvist phoned from 07700 900123",
        today=TODAY,
    )
    timebank_services.donate(
        user=personas.stranger, timebank=timebank, minutes=60, key="free-text-gift", today=TODAY
    )
    timebank_services.grant(
        actor=coordinator,
        timebank=timebank,
        account=mine,
        minutes=60,
        reason="Sam has been unwell and cannot give time",
        key="free-text-grant",
        today=TODAY,
    )
    listing = Listing(
        timebank_id=timebank.id,
        account_id=mine.id,
        kind="offer",
        category="lifts",
        title="Lifts to the shops",
    )
    db.session.add(listing)
    db.session.flush()
    db.session.add(
        Match(listing_id=listing.id, account_id=neighbour.id, message="Thanks Sam, Tuesday?")
    )

    # Emails to them, and about them to the coordinator.
    db.session.add(
        OutboxMessage(
            to_address=EMAIL,
            user_id=user.id,
            kind="note",
            subject="Hello Sam",
            body_text="Dear Sam, we have 07700900123 on file.",
            body_html="<p>Dear Sam</p>",
            status="sent",
        )
    )
    db.session.add(
        OutboxMessage(
            to_address=coordinator.email,
            user_id=coordinator.id,
            kind="note",
            subject=f"New applicant: {NAME}",
            body_text=f"{NAME} ({EMAIL}) applied. Sam can start on Monday.",
            body_html=f"<p>{NAME} applied.</p>",
            status="sent",
        )
    )
    request = PrivacyRequest(
        kind="erasure",
        user_id=user.id,
        volunteer_id=volunteer.id,
        received_on=TODAY - timedelta(days=2),
        due_on=TODAY + timedelta(days=28),
        channel="phone",
        notes="Sam phoned from 0 7 7 0 0 9 0 0 1 2 3 asking to be forgotten",
        logged_by_id=personas.admin.id,
    )
    db.session.add(request)
    db.session.commit()
    return {
        "user": user,
        "volunteer": volunteer,
        "kept_exchange": kept.id,
        "neighbour": neighbour.id,
        "request": request.id,
        "rejected": submitted.id,
        "supervision": (quiet.id, worrying.id),
    }


def test_erase_leaves_no_name_part_email_or_phone_in_a_dump_of_the_database(
    app: Flask,
    runner: FlaskCliRunner,
    database_url: str,
    personas,
    publish,
    default_rates,
) -> None:
    person = _person_with_free_text(personas, publish)
    assert set(_leaks(_dump(database_url))) == {
        "the surname",
        "the first name as a word",
        "the email",
        "the email's local part",
        "the phone number",
    }, "the dump must see the person before erasure"
    coordinator_name = personas.coordinator_a.name
    neighbour_name = db.session.get(Account, person["neighbour"]).name
    before = figures(runner)

    result = runner.invoke(args=["privacy", "erase", "--email", EMAIL, "--yes"])
    assert result.exit_code == 0, result.output
    placeholder = f"Erased person {person['volunteer'].id}"
    assert result.output.startswith(f"Erased volunteer {person['volunteer'].id} as '{placeholder}'")

    assert _leaks(_dump(database_url)) == []

    # Every figure stays: hours, value, mileage and the ledger.
    after = figures(runner)
    assert after["value"] == before["value"]
    assert after["ledger"] == before["ledger"]
    assert after["mileage"]["totals"] == before["mileage"]["totals"]

    # Other people's data is untouched.
    db.session.expire_all()
    assert db.session.scalar(select(HourRecord.note).where(HourRecord.note.is_not(None))) == (
        OTHER_NOTE
    )
    assert db.session.scalar(select(User.name).where(User.id == personas.coordinator_a.id)) == (
        coordinator_name
    )
    assert db.session.get(Account, person["neighbour"]).name == neighbour_name
    kept = db.session.get(Exchange, person["kept_exchange"])
    assert kept is not None and kept.description == "Hedge trimmed"

    # Structured fields stay; the person's own free text is emptied, shared text redacted.
    rejected = db.session.get(HourRecord, person["rejected"])
    assert rejected is not None
    assert (rejected.status, rejected.decision_reason) == ("rejected", None)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "hours.rejected"))
    assert event is not None and event.details == {"reason": ERASED_TEXT}
    notes = db.session.scalars(select(ApplicationEvent.note)).all()
    assert notes and all(note is None for note in notes)
    stages = db.session.execute(select(ApplicationEvent.from_stage, ApplicationEvent.to_stage))
    assert ("applied", "screening") in {tuple(row) for row in stages}
    quiet_id, worrying_id = person["supervision"]
    quiet = db.session.get(SupervisionRecord, quiet_id)
    assert quiet is not None and quiet.confidential_notes is None
    worrying = db.session.get(SupervisionRecord, worrying_id)
    assert worrying is not None
    assert worrying.concerns == (
        f"A client shouted at {placeholder}; Mr {placeholder} was upset ({ERASED_TEXT})"
    )
    reversal = db.session.scalar(select(Transfer).where(Transfer.kind == "reversal"))
    assert reversal is not None
    assert reversal.reason == f"Recorded twice: {placeholder} phoned from {ERASED_TEXT}"
    grant = db.session.scalar(select(Transfer).where(Transfer.kind == "grant"))
    assert grant is not None and (grant.reason, grant.description) == (None, None)
    request = db.session.get(PrivacyRequest, person["request"])
    assert request is not None and request.status == "erased"
    assert request.notes == f"{placeholder} phoned from {ERASED_TEXT} asking to be forgotten"
    about = db.session.scalar(
        select(OutboxMessage.body_text).where(OutboxMessage.user_id == personas.coordinator_a.id)
    )
    assert about == f"{placeholder} (erased-{person['user'].id}@erased.invalid) applied. " + (
        f"{placeholder} can start on Monday."
    )

    # Erasing again (by the placeholder address) changes nothing and leaves nothing.
    again = runner.invoke(
        args=["privacy", "erase", "--email", f"erased-{person['user'].id}@erased.invalid", "--yes"]
    )
    assert again.exit_code == 0, again.output
    assert "already erased" in again.output
    assert _leaks(_dump(database_url)) == []
    assert figures(runner)["ledger"] == before["ledger"]
