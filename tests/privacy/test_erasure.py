"""Erasure keeps every reported figure and leaves no trace of the person in any text column."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import JSON, String, Text, cast, func, inspect, select, table, text
from sqlalchemy.sql import column

from tests.factories import UserFactory
from tests.timebank.conftest import make_bank, member
from volunteer_hub.accounts import audit
from volunteer_hub.accounts.models import AuditEvent, ConsentRecord, OutboxMessage, User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.expenses.models import BankDetails, ExpenseClaim, ExpenseItem, Receipt
from volunteer_hub.expenses.storage import receipt_storage
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.organisations.models import Role
from volunteer_hub.organisations.roles import latest_version
from volunteer_hub.placements.models import Placement
from volunteer_hub.privacy.erasure import erase, user_placeholder_email, volunteer_placeholder
from volunteer_hub.privacy.models import PrivacyRequest
from volunteer_hub.privacy.retention import add_months
from volunteer_hub.recruitment.models import (
    Application,
    ApplicationEvent,
    DbsRecord,
    Reference,
)
from volunteer_hub.supervision.models import SupervisionAction, SupervisionRecord
from volunteer_hub.timebank import services as timebank_services
from volunteer_hub.timebank.models import Account, Entry, Listing, Match
from volunteer_hub.volunteers.equality import EqualityAnswers
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import volunteer_for

TODAY = date.today()
NAME = "Zed Quillfeather"
EMAIL = "zed.quill@example.test"
PHONE = "07700 900461"
#: What erasure leaves of them: nothing, not even where another volunteer's own claim names them.
NAMESAKE_TRACES: list[str] = []


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    return {"RECEIPT_FOLDER": str(tmp_path / "receipts")}


def tax_year_of(day: date) -> int:
    return day.year if day >= date(day.year, 4, 6) else day.year - 1


@dataclass
class Person:
    user: User
    volunteer: Volunteer
    placement: Placement
    paid_claim: ExpenseClaim
    unpaid_claim: ExpenseClaim
    paid_receipt: str
    unpaid_receipt: str
    request: PrivacyRequest


def _hours(volunteer: Volunteer, placement: Placement, role: Role, approver: User) -> None:
    for days, minutes, status in (
        (20, 150, "approved"),
        (12, 90, "approved"),
        (5, 60, "submitted"),
    ):
        db.session.add(
            HourRecord(
                volunteer_id=volunteer.id,
                organisation_id=placement.organisation_id,
                role_id=role.id,
                placement_id=placement.id,
                note=f"{NAME} ran the stall (call {PHONE})",
                date=TODAY - timedelta(days=days),
                seconds=minutes * 60,
                status=status,
                soc_code=role.soc_code,
                approved_by_id=approver.id if status == "approved" else None,
                approved_at=utcnow() if status == "approved" else None,
            )
        )


def _claim(
    volunteer: Volunteer, placement: Placement, *, paid: bool, miles_tenths: int, pence: int
) -> tuple[ExpenseClaim, str]:
    claim = ExpenseClaim(
        volunteer_id=volunteer.id,
        organisation_id=placement.organisation_id,
        placement_id=placement.id,
        status="paid" if paid else "approved",
        submitted_at=utcnow(),
        decided_at=utcnow(),
        paid_on=TODAY - timedelta(days=3) if paid else None,
    )
    db.session.add(claim)
    db.session.flush()
    item = ExpenseItem(
        claim_id=claim.id,
        type="car_mileage",
        date=TODAY - timedelta(days=20),
        description=f"Drove {NAME}'s team to the depot",
        miles_tenths=miles_tenths,
        start_postcode="NB1 1AA",
        end_postcode="NB2 2BB",
        claimed_pence=pence,
        decision="approved",
        approved_pence=pence,
    )
    db.session.add(item)
    db.session.flush()
    data = f"%PDF-1.4 receipt of {NAME} {claim.id}".encode()
    key = receipt_storage().save(data)
    db.session.add(
        Receipt(
            item_id=item.id,
            storage_key=key,
            original_name=f"{NAME} fuel.pdf",
            content_type="application/pdf",
            size_bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
    )
    return claim, key


def build_person(personas: Any, publish: Any) -> Person:
    """A volunteer with every kind of record, and another volunteer beside them."""
    role = publish(personas.org_a, "Driver")
    coordinator = personas.coordinator_a
    user = UserFactory(email=EMAIL, name=NAME)
    volunteer = volunteer_for(user)
    volunteer.phone = PHONE
    volunteer.date_of_birth = date(1990, 5, 17)
    volunteer.postcode = "NB1 1AA"
    volunteer.emergency_contact_name = "Yan Quillfeather"
    volunteer.emergency_contact_phone = "07700 900999"
    volunteer.skills = f"Driving; {NAME} has a minibus licence"
    volunteer.interests = "Gardening"
    volunteer.languages = "English, Welsh"
    volunteer.access_needs = "Step-free access"
    volunteer.availability = ["mon_morning", "sat_evening"]
    db.session.add(EqualityAnswers(volunteer_id=volunteer.id, age_band="35_44", sex="male"))
    db.session.add(BankDetails(volunteer_id=volunteer.id, ciphertext="gAAAA-not-real"))
    db.session.add(ConsentRecord(user_id=user.id, purpose="photos", version="1", method="form"))

    application = Application(
        volunteer_id=volunteer.id,
        role_id=role.id,
        organisation_id=role.organisation_id,
        stage="placed",
        message=f"Hello, I am {NAME}; ring me on {PHONE} or write to {EMAIL}",
    )
    db.session.add(application)
    db.session.flush()
    db.session.add(
        ApplicationEvent(
            application_id=application.id,
            from_stage="offered",
            to_stage="placed",
            actor_id=coordinator.id,
            note=f"Phoned {NAME} on {PHONE}",
        )
    )
    db.session.add(
        Reference(
            application_id=application.id,
            referee_name="Rita Referee",
            referee_email="rita@example.test",
            relationship_to_applicant="Former manager",
            nonce="n" * 32,
            comments=f"{NAME} is reliable",
        )
    )
    db.session.add(
        DbsRecord(
            volunteer_id=volunteer.id,
            application_id=application.id,
            certificate_number="001234567890",
            issue_date=TODAY - timedelta(days=70),
            level="enhanced",
            workforce="adult",
            outcome="clear",
        )
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
    _hours(volunteer, placement, role, coordinator)

    quiet = SupervisionRecord(
        placement_id=placement.id,
        supervisor_id=coordinator.id,
        met_on=TODAY - timedelta(days=30),
        format="one_to_one",
        wellbeing=4,
        went_well=f"{NAME} settled in well",
        confidential_notes="Nothing to add",
        volunteer_comment="I enjoy it",
    )
    worrying = SupervisionRecord(
        placement_id=placement.id,
        supervisor_id=coordinator.id,
        met_on=TODAY - timedelta(days=15),
        format="phone_video",
        wellbeing=2,
        concerns=f"{NAME} said a client shouted at them",
        confidential_notes="Raised with the safeguarding lead",
    )
    db.session.add_all([quiet, worrying])
    db.session.flush()
    db.session.add(
        SupervisionAction(
            record_id=quiet.id, description=f"{NAME} to book first aid", owner="volunteer"
        )
    )

    paid_claim, paid_key = _claim(volunteer, placement, paid=True, miles_tenths=124, pence=558)
    unpaid_claim, unpaid_key = _claim(volunteer, placement, paid=False, miles_tenths=80, pence=360)

    # The other volunteer: hours and mileage that must be reported exactly as before.
    other = volunteer_for(personas.volunteer)
    other_placement = Placement(
        volunteer_id=other.id,
        role_id=role.id,
        organisation_id=role.organisation_id,
        role_version_id=latest_version(role).id,
        supervisor_id=coordinator.id,
        start_date=TODAY - timedelta(days=90),
    )
    db.session.add(other_placement)
    db.session.flush()
    db.session.add(
        HourRecord(
            volunteer_id=other.id,
            organisation_id=role.organisation_id,
            role_id=role.id,
            placement_id=other_placement.id,
            date=TODAY - timedelta(days=8),
            seconds=7200,
            status="approved",
            soc_code=role.soc_code,
        )
    )
    _claim(other, other_placement, paid=True, miles_tenths=300, pence=1350)

    # The time bank: exchanges both ways, a listing and an answer to someone else's listing.
    timebank = make_bank("Riverside Time Bank", coordinator, {})
    mine = member(timebank, user)
    mine.phone = PHONE
    mine.area = "NB1"
    neighbour = member(timebank, personas.stranger)
    for n, (giver, receiver, minutes) in enumerate(((mine, neighbour, 90), (neighbour, mine, 60))):
        timebank_services.record_for_both(
            actor=coordinator,
            timebank=timebank,
            giver=giver,
            receiver=receiver,
            done_on=TODAY - timedelta(days=10 + n),
            minutes=minutes,
            description=f"Shopping with {NAME}",
            key=f"erasure-test-{n}",
            today=TODAY,
        )
    db.session.add(
        Listing(
            timebank_id=timebank.id,
            account_id=mine.id,
            kind="offer",
            category="lifts",
            title=f"Lifts from {NAME}",
            description=f"Call {PHONE}",
            area="NB1",
            availability="Weekends",
        )
    )
    theirs = Listing(
        timebank_id=timebank.id,
        account_id=neighbour.id,
        kind="request",
        category="garden",
        title="Help with the hedge",
    )
    db.session.add(theirs)
    db.session.flush()
    db.session.add(Match(listing_id=theirs.id, account_id=mine.id, message=f"{NAME} can help"))

    db.session.add(
        OutboxMessage(
            to_address=EMAIL,
            user_id=user.id,
            kind="welcome",
            subject=f"Welcome, {NAME}",
            body_text=f"Dear {NAME}, your number {PHONE} is on file.",
            body_html=f"<p>Dear {NAME}</p>",
            status="sent",
        )
    )
    audit.record(
        "test.contact_noted",
        actor=coordinator,
        target=user,
        details={"email": EMAIL, "people": [{"name": NAME, "phone": PHONE}]},
    )
    request = PrivacyRequest(
        kind="erasure",
        user_id=user.id,
        volunteer_id=volunteer.id,
        received_on=TODAY - timedelta(days=2),
        due_on=TODAY + timedelta(days=28),
        channel="letter",
        notes=f"Letter from {NAME} asking to be forgotten",
        logged_by_id=personas.admin.id,
    )
    db.session.add(request)
    db.session.commit()
    return Person(
        user, volunteer, placement, paid_claim, unpaid_claim, paid_key, unpaid_key, request
    )


def figures(runner: FlaskCliRunner) -> dict[str, Any]:
    """The value report, the mileage report and the ledger check, as the command line gives them."""
    db.session.expire_all()
    start, end = TODAY - timedelta(days=365), TODAY
    value = runner.invoke(
        args=["report", "value", "--start", start.isoformat(), "--end", end.isoformat()]
    )
    assert value.exit_code == 0, value.output
    year = tax_year_of(TODAY - timedelta(days=20))
    mileage = runner.invoke(args=["expenses", "mileage-report", "--tax-year", str(year)])
    assert mileage.exit_code == 0, mileage.output
    check = runner.invoke(args=["timebank", "check"])
    assert check.exit_code == 0, check.output
    ledger = {
        "check": check.output,
        "balances": sorted(db.session.execute(select(Account.id, Account.balance_minutes)).all()),
        "entries": sorted(
            db.session.execute(select(Entry.id, Entry.account_id, Entry.minutes)).all()
        ),
    }
    return {
        "value": json.loads(value.output),
        "mileage": json.loads(mileage.output),
        "ledger": ledger,
    }


def mileage_after_erasure(before: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """The mileage report lists each volunteer by email: after erasure the erased person's row
    names their placeholder address instead; every figure is unchanged."""
    report = json.loads(json.dumps(before).replace(old, new))
    report["volunteers"].sort(key=lambda row: row["volunteer_email"])
    return report


def traces(needles: list[str]) -> list[str]:
    """Every (table, column) whose text holds one of the needles: all tables, all text and JSON
    columns, found by reflecting the database itself."""
    found: list[str] = []
    inspector = inspect(db.engine)
    for table_name in inspector.get_table_names():
        for info in inspector.get_columns(table_name):
            kind = info["type"]
            if not isinstance(kind, (String, Text, JSON)):
                continue
            value = cast(column(info["name"]), Text)
            for needle in needles:
                count = db.session.scalar(
                    select(func.count())
                    .select_from(table(table_name))
                    .where(func.lower(value).contains(needle.lower(), autoescape=True))
                )
                if count:
                    found.append(f"{table_name}.{info['name']} holds {needle!r}")
    return found


def test_erasure_keeps_every_figure_and_leaves_no_trace(
    app: Flask, runner: FlaskCliRunner, personas, publish, default_rates
) -> None:
    person = build_person(personas, publish)
    paid_path = Path(app.config["RECEIPT_FOLDER"]) / person.paid_receipt[:2] / person.paid_receipt
    unpaid_path = (
        Path(app.config["RECEIPT_FOLDER"]) / person.unpaid_receipt[:2] / person.unpaid_receipt
    )
    assert paid_path.exists() and unpaid_path.exists()
    assert traces([NAME, EMAIL, PHONE]), "the scan must see the person before erasure"
    before = figures(runner)
    assert len(before["mileage"]["volunteers"]) == 2

    result = erase(actor=personas.admin, user=person.user, today=TODAY)
    db.session.commit()

    after = figures(runner)
    assert after["value"] == before["value"]
    assert after["ledger"] == before["ledger"]
    placeholder_email = user_placeholder_email(person.user.id)
    expected = mileage_after_erasure(before["mileage"], EMAIL, placeholder_email)
    after["mileage"]["volunteers"].sort(key=lambda row: row["volunteer_email"])
    assert after["mileage"] == expected
    assert after["mileage"]["totals"] == before["mileage"]["totals"]

    # The other volunteer's own claim names them (no email or phone): the name is redacted from
    # its free text all the same (see redaction.scrub).
    assert traces([NAME, EMAIL, PHONE, PHONE.replace(" ", "")]) == NAMESAKE_TRACES
    assert paid_path.exists(), "the paid claim's receipt is under a legal hold"
    assert not unpaid_path.exists()

    volunteer = db.session.get(Volunteer, person.volunteer.id)
    assert volunteer is not None
    assert volunteer.name == volunteer_placeholder(volunteer.id) == result.placeholder
    assert (volunteer.email, volunteer.phone, volunteer.date_of_birth, volunteer.postcode) == (
        None,
        None,
        None,
        None,
    )
    assert volunteer.skills is None and volunteer.access_needs is None
    assert volunteer.availability is None
    user = db.session.get(User, person.user.id)
    assert user is not None
    assert user.email == placeholder_email and not user.is_active and user.password_hash is None
    assert db.session.scalar(select(func.count(EqualityAnswers.id))) == 0
    assert db.session.scalar(select(func.count(DbsRecord.id))) == 0
    assert db.session.scalar(select(func.count(Reference.id))) == 0
    assert db.session.scalar(select(func.count(BankDetails.id))) == 0
    consent = db.session.scalar(select(ConsentRecord))
    assert consent is not None and consent.withdrawn_at is not None

    # Stubs keep the figures: rows and ids stay.
    assert db.session.scalar(select(func.count(HourRecord.id))) == 4
    assert db.session.get(Placement, person.placement.id) is not None
    assert db.session.scalar(select(func.count(ExpenseClaim.id))) == 3

    # Legal holds: the paid claim keeps its details; the concern keeps its text.
    assert [h.kind for h in result.holds] == ["safeguarding_concern", "paid_expense_claim"]
    paid_until = person.paid_claim.paid_on
    assert paid_until is not None
    assert result.holds[1].until == add_months(paid_until, 72)
    paid_item = db.session.scalar(
        select(ExpenseItem).where(ExpenseItem.claim_id == person.paid_claim.id)
    )
    assert paid_item is not None and paid_item.start_postcode == "NB1 1AA"
    unpaid_item = db.session.scalar(
        select(ExpenseItem).where(ExpenseItem.claim_id == person.unpaid_claim.id)
    )
    assert unpaid_item is not None and unpaid_item.start_postcode is None
    assert unpaid_item.approved_pence == 360 and unpaid_item.miles_tenths == 80
    records = list(db.session.scalars(select(SupervisionRecord).order_by(SupervisionRecord.met_on)))
    assert records[0].went_well is None and records[0].volunteer_comment is None
    assert records[1].concerns == f"{result.placeholder} said a client shouted at them"

    request = db.session.get(PrivacyRequest, person.request.id)
    assert request is not None and request.status == "erased" and request.erased_at is not None
    assert request.holds is not None and "kept until" in request.holds
    assert NAME not in (request.notes or "")
    message = db.session.scalar(select(OutboxMessage))
    assert message is not None and message.to_address == placeholder_email
    assert message.body_text == ""
    events = list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.erased"))
    )
    assert len(events) == 1 and events[0].actor_id == personas.admin.id
    assert events[0].details["holds"][0]["kind"] == "safeguarding_concern"

    # Erasing twice is harmless.
    again = erase(actor=personas.admin, volunteer=volunteer, today=TODAY)
    db.session.commit()
    assert again.already_erased and again.placeholder == result.placeholder
    assert figures(runner)["value"] == before["value"]
    assert paid_path.exists()
    assert traces([NAME, EMAIL, PHONE]) == NAMESAKE_TRACES


def test_a_rolled_back_erasure_keeps_the_receipt_files(
    app: Flask, personas, publish, default_rates
) -> None:
    person = build_person(personas, publish)
    unpaid_path = (
        Path(app.config["RECEIPT_FOLDER"]) / person.unpaid_receipt[:2] / person.unpaid_receipt
    )
    erase(actor=None, user=person.user, today=TODAY)
    db.session.rollback()
    db.session.commit()
    assert unpaid_path.exists()
    assert db.session.scalar(select(User.email).where(User.id == person.user.id)) == EMAIL


def test_a_hold_that_has_ended_is_not_kept(app: Flask, personas, publish, default_rates) -> None:
    person = build_person(personas, publish)
    later = TODAY + timedelta(days=366 * 7)
    result = erase(actor=None, volunteer=person.volunteer, today=later)
    db.session.commit()
    assert result.holds == []
    paid_path = Path(app.config["RECEIPT_FOLDER"]) / person.paid_receipt[:2] / person.paid_receipt
    assert not paid_path.exists()
    assert db.session.scalar(select(func.count(Receipt.id))) == 1  # the other volunteer's
    concerns = db.session.scalars(select(SupervisionRecord.concerns)).all()
    assert concerns == [None, None]


def test_a_volunteer_without_a_sign_in_can_be_erased(app: Flask) -> None:
    volunteer = Volunteer(name="Orla Nosignin", email="orla@example.test", phone="07700 900777")
    db.session.add(volunteer)
    db.session.flush()
    db.session.add(
        OutboxMessage(
            to_address="orla@example.test",
            kind="note",
            subject="For Orla Nosignin",
            body_text="Hello",
            body_html="<p>Hello</p>",
        )
    )
    db.session.commit()
    result = erase(actor=None, volunteer=volunteer, today=TODAY)
    db.session.commit()
    assert result.user_id is None and result.holds == []
    assert traces(["Orla Nosignin", "orla@example.test", "07700 900777"]) == []
    assert db.session.execute(text("SELECT count(*) FROM accounts_audit_event")).scalar() == 1


def test_erase_needs_someone(app: Flask) -> None:
    with pytest.raises(DomainError):
        erase(actor=None, today=TODAY)
