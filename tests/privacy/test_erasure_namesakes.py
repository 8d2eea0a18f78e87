"""Erasure changes only what is about the person: a namesake keeps their name and profile, text
other people wrote keeps its ordinary words, and what the person did for others keeps others'
names."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from tests.factories import OrganisationFactory, UserFactory
from tests.timebank.conftest import make_bank, member
from volunteer_hub.accounts import audit
from volunteer_hub.accounts.models import AuditEvent, OutboxMessage, User
from volunteer_hub.api.models import ApiToken
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.privacy.erasure import ERASED_TEXT, erase
from volunteer_hub.timebank.models import Account, Listing, Match
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import volunteer_for

TODAY = date.today()


def _hours(volunteer: Volunteer, organisation_id: int, note: str) -> HourRecord:
    record = HourRecord(
        volunteer_id=volunteer.id,
        organisation_id=organisation_id,
        date=TODAY - timedelta(days=3),
        seconds=3600,
        status="submitted",
        note=note,
    )
    db.session.add(record)
    db.session.flush()
    return record


def test_a_namesake_keeps_their_name_and_profile_while_free_text_loses_the_name(
    app: Flask, personas: Any
) -> None:
    sam = UserFactory(name="Sam Patel", email="sam@example.org")
    volunteer_for(sam)
    namesake = UserFactory(name="Sam Patel", email="sam.patel2@example.org")
    namesakes_record = volunteer_for(namesake)
    timebank = make_bank("Riverside Time Bank", personas.coordinator_a, {})
    namesakes_account = member(timebank, namesake)
    organisation_id = personas.org_a.id
    garden = OrganisationFactory(name="Sam Patel Memorial Garden")
    # Another volunteer's note naming a Sam Patel (which one is unknown): erasure leaves no trace
    # of the erased person in free text, so the full name (and the first name beside it) goes.
    other = volunteer_for(personas.volunteer)
    note = _hours(other, organisation_id, "Sam Patel covered my shift, thanks Sam")
    # A coordinator's email with the erased person's address: it is them, redacted.
    db.session.add(
        OutboxMessage(
            to_address=personas.coordinator_a.email,
            user_id=personas.coordinator_a.id,
            kind="note",
            subject="New applicant: Sam Patel",
            body_text="Sam Patel (sam@example.org) applied. Sam can start on Monday.",
            body_html="<p>Sam Patel applied.</p>",
            status="sent",
        )
    )
    db.session.commit()

    result = erase(actor=personas.admin, user=sam, today=TODAY)
    db.session.commit()

    db.session.expire_all()
    assert db.session.get(User, namesake.id).name == "Sam Patel"
    assert db.session.get(User, namesake.id).email == "sam.patel2@example.org"
    assert db.session.get(Volunteer, namesakes_record.id).name == "Sam Patel"
    assert db.session.get(Account, namesakes_account.id).name == "Sam Patel"
    kept = db.session.get(HourRecord, note.id).note
    assert "Sam" not in kept and "Patel" not in kept and "covered my shift" in kept
    # An organisation named after a namesake keeps its name: only free text is redacted.
    assert db.session.get(Organisation, garden.id).name == "Sam Patel Memorial Garden"
    email = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.user_id == personas.coordinator_a.id)
    )
    assert email is not None
    placeholder = result.placeholder
    assert email.subject == f"New applicant: {placeholder}"
    assert email.body_text == (
        f"{placeholder} (erased-{sam.id}@erased.invalid) applied. "
        f"{placeholder} can start on Monday."
    )
    assert email.body_html == f"<p>{placeholder} applied.</p>"


def test_shared_text_keeps_common_words_and_particles(app: Flask, personas: Any) -> None:
    will = UserFactory(name="Will van Dyke", email="will@example.org")
    volunteer_for(will)
    timebank = make_bank("Riverside Time Bank", personas.coordinator_a, {})
    theirs = member(timebank, will)
    neighbour = member(timebank, personas.stranger)
    listing = Listing(
        timebank_id=timebank.id,
        account_id=theirs.id,
        kind="request",
        category="lifts",
        title="Lift to the surgery",
    )
    db.session.add(listing)
    db.session.flush()
    another = member(timebank, name="Ada Lovelace", email="ada@example.org")
    answers = [
        Match(
            listing_id=listing.id, account_id=neighbour.id, message="I will pick you up in my van"
        ),
        Match(
            listing_id=listing.id,
            account_id=another.id,
            message="Happy to help Will van Dyke, or Mr van Dyke's wife; Will Dyke, Mr. Dyke, Dyke",
        ),
    ]
    db.session.add_all(answers)
    # What they did as a coordinator: someone else's details, with their ordinary words.
    audit.record(
        "test.noted",
        actor=will,
        target_type="organisations_organisation",
        target_id=personas.org_a.id,
        details={"note": "Van hire will do for the Dyke Road fete; Maria de la Cruz to drive"},
    )
    db.session.commit()

    result = erase(actor=personas.admin, user=will, today=TODAY)
    db.session.commit()
    db.session.expire_all()

    placeholder = result.placeholder
    plain, named = (db.session.get(Match, m.id) for m in answers)
    assert plain is not None and plain.message == "I will pick you up in my van"
    assert named is not None and named.message == (
        f"Happy to help {placeholder}, or Mr {placeholder}'s wife; {placeholder}, "
        f"Mr. {placeholder}, {placeholder}"
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "test.noted"))
    assert event is not None
    assert event.details == {
        "note": "Van hire will do for the Dyke Road fete; Maria de la Cruz to drive"
    }


def test_an_emptied_tokens_name_is_emptied_in_its_audit_events(app: Flask, personas: Any) -> None:
    user = UserFactory(name="Ola Nordmann", email="ola@example.org")
    token = ApiToken(name="laptop", token_hash="0" * 64, prefix="vh_0000000", user_id=user.id)
    db.session.add(token)
    db.session.flush()
    audit.record(
        "api_token.issued",
        actor=personas.admin,
        target=token,
        details={"holder": user.email, "name": "laptop"},
    )
    audit.record("api_token.revoked", actor=personas.admin, target=token, details={"name": ""})
    db.session.commit()

    erase(actor=personas.admin, user=user, today=TODAY)
    db.session.commit()

    events = dict(
        db.session.execute(
            select(AuditEvent.action, AuditEvent.details).where(
                AuditEvent.target_type == "api_token"
            )
        ).all()
    )
    assert events["api_token.issued"] == {
        "holder": f"erased-{user.id}@erased.invalid",
        "name": ERASED_TEXT,
    }
    assert events["api_token.revoked"] == {"name": ""}
