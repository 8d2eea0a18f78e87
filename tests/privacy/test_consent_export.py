"""Consents given and withdrawn (and their effect), the self-service download, the updated
privacy notice, formal requests with their deadline and audit trail, and the metadata walk."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import ForeignKey, select

from tests.helpers import post_form
from tests.hours.test_hours_logging import _place
from tests.volunteers.test_profile import EQUALITY
from volunteer_hub.accounts.models import AuditEvent, ConsentRecord
from volunteer_hub.core.dates import add_months
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.privacy.export import COVERED, EXCLUDED
from volunteer_hub.privacy.models import PrivacyRequest
from volunteer_hub.supervision.models import SupervisionRecord
from volunteer_hub.volunteers.equality import EqualityAnswers
from volunteer_hub.volunteers.services import volunteer_for

TODAY = date.today()
PERSON_TABLES = {"accounts_user", "volunteers_volunteer", "timebank_account"}


def test_every_table_that_refers_to_a_person_is_exported_or_excluded_with_a_reason(app) -> None:
    """Walk the metadata: a new table holding a reference to a person must be added to the
    export (privacy/export.py COVERED) or to EXCLUDED with its reason, or this fails."""
    referring = set()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            for key in column.foreign_keys:
                assert isinstance(key, ForeignKey)
                if key.column.table.name in PERSON_TABLES:
                    referring.add(table.name)
    referring |= PERSON_TABLES
    unaccounted = referring - COVERED.keys() - EXCLUDED.keys()
    assert unaccounted == set(), f"add these to the export or EXCLUDED with a reason: {unaccounted}"
    assert not COVERED.keys() & EXCLUDED.keys()
    known = {t.name for t in db.metadata.sorted_tables}
    assert (COVERED.keys() | EXCLUDED.keys()) <= known
    assert all(len(reason) > 20 for reason in EXCLUDED.values())


def _privacy_action(client, purpose: str, action: str):
    return post_form(
        client, f"/account/privacy/{purpose}/{action}", {}, form_page="/account/privacy"
    )


def test_equality_consent_given_by_answering_and_withdrawn_in_one_click(personas, login) -> None:
    client = login(personas.volunteer)
    assert post_form(client, "/profile/equality", EQUALITY).status_code == 302
    volunteer = volunteer_for(personas.volunteer)
    assert db.session.scalar(
        select(EqualityAnswers).where(EqualityAnswers.volunteer_id == volunteer.id)
    )
    consent = db.session.scalar(
        select(ConsentRecord).where(ConsentRecord.purpose == "equality_monitoring")
    )
    assert consent.method == "equality_form" and consent.withdrawn_at is None
    page = client.get("/account/privacy").get_data(as_text=True)
    assert "Equality monitoring" in page and "Agreed" in page
    assert _privacy_action(client, "equality_monitoring", "withdraw").status_code == 302
    db.session.expire_all()
    # The use stops at once: the answers are gone.
    assert db.session.scalar(select(EqualityAnswers)) is None
    assert db.session.get(ConsentRecord, consent.id).withdrawn_at is not None
    # Contact consent: given and withdrawn on the page, each recorded with its wording.
    assert _privacy_action(client, "contact_opportunities", "give").status_code == 302
    given = db.session.scalar(
        select(ConsentRecord).where(ConsentRecord.purpose == "contact_opportunities")
    )
    assert (given.method, given.version) == ("privacy_page", "2026-11")
    assert _privacy_action(client, "contact_opportunities", "withdraw").status_code == 302
    db.session.expire_all()
    assert db.session.get(ConsentRecord, given.id).withdrawn_at is not None
    # The privacy notice itself cannot be withdrawn (erasure is the way out).
    refused = post_form(
        client,
        "/account/privacy/privacy_notice/withdraw",
        {},
        form_page="/account/privacy",
        follow_redirects=True,
    )
    assert "ask us to erase your data instead" in refused.get_data(as_text=True)


def test_withdrawing_profile_sharing_hides_it_from_organisations(personas, login, publish) -> None:
    role = publish(personas.org_a, "Befriender")
    volunteer = volunteer_for(personas.volunteer)
    volunteer.skills = "Invented skill: origami"
    db.session.commit()
    client = login(personas.volunteer)
    post_form(
        client,
        f"/opportunities/{role.slug}/apply",
        {"message": "Hello", "age_group": "adult", "share_profile": "y"},
    )
    application_id = db.session.scalar(select(PrivacyRequest.id))  # none yet
    assert application_id is None
    from volunteer_hub.recruitment.models import Application

    application = db.session.scalar(select(Application))
    coordinator = login(personas.coordinator_a)
    assert "origami" in coordinator.get(f"/applications/{application.id}").get_data(as_text=True)
    assert _privacy_action(client, "share_profile", "withdraw").status_code == 302
    page = coordinator.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "origami" not in page and "withdrawn their consent" in page


def test_applying_records_profile_sharing_consent_only_when_the_question_is_ticked(
    personas, login, publish
) -> None:
    """The application form asks (an optional, unticked checkbox); not ticking applies all the
    same, records no consent and keeps the profile from the organisation."""
    first = publish(personas.org_a, "Befriender")
    second = publish(personas.org_a, "Gardener")
    volunteer = volunteer_for(personas.volunteer)
    volunteer.skills = "Invented skill: origami"
    db.session.commit()
    client = login(personas.volunteer)
    form = client.get(f"/opportunities/{first.slug}/apply").get_data(as_text=True)
    assert 'name="share_profile"' in form
    assert "checked" not in form.split('name="share_profile"')[1].split(">")[0]

    applied = post_form(
        client, f"/opportunities/{first.slug}/apply", {"message": "Hello", "age_group": "adult"}
    )
    assert applied.status_code == 302
    assert (
        db.session.scalar(select(ConsentRecord).where(ConsentRecord.purpose == "share_profile"))
        is None
    )
    privacy = client.get("/account/privacy").get_data(as_text=True)
    sharing = privacy.split("Sharing your profile")[1].split("</dd>")[0]
    assert "Not agreed" in sharing and "Agreed</strong>" not in sharing
    from volunteer_hub.recruitment.models import Application

    application = db.session.scalar(select(Application).where(Application.role_id == first.id))
    coordinator = login(personas.coordinator_a)
    page = coordinator.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "origami" not in page and "has not agreed to share their profile" in page

    # Ticking it records the consent, saying how it was given.
    post_form(
        client,
        f"/opportunities/{second.slug}/apply",
        {"message": "Hello", "age_group": "adult", "share_profile": "y"},
    )
    record = db.session.scalar(
        select(ConsentRecord).where(ConsentRecord.purpose == "share_profile")
    )
    assert record is not None and record.method == "application_form"
    assert "origami" in coordinator.get(f"/applications/{application.id}").get_data(as_text=True)


def test_the_download_holds_their_data_and_nobody_elses(personas, login, publish) -> None:
    role = publish(personas.org_a, "Befriender")
    placement = _place(personas, role, personas.volunteer, personas.coordinator_a)
    db.session.add(
        HourRecord(
            volunteer_id=placement.volunteer_id,
            organisation_id=placement.organisation_id,
            placement_id=placement.id,
            date=TODAY - timedelta(days=3),
            seconds=5400,
            status="approved",
            source="logged",
        )
    )
    db.session.add(
        SupervisionRecord(
            placement_id=placement.id,
            supervisor_id=personas.coordinator_a.id,
            met_on=TODAY - timedelta(days=2),
            format="group",
            went_well="Lovely session",
            confidential_notes="CONFIDENTIAL-XYZ",
        )
    )
    db.session.commit()
    client = login(personas.volunteer)
    response = client.get("/account/privacy/my-data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["profile"]["account"]["email"] == personas.volunteer.email
    assert "password_hash" not in data["profile"]["account"]
    assert [h["seconds"] for h in data["hours"]] == [5400]
    assert data["placements"][0]["role"] == "Befriender"
    assert data["supervision"][0]["went_well"] == "Lovely session"
    assert "CONFIDENTIAL-XYZ" not in response.get_data(as_text=True)
    assert personas.stranger.email not in response.get_data(as_text=True)
    readable = client.get("/account/privacy/my-data.html").get_data(as_text=True)
    assert "Lovely session" in readable and "CONFIDENTIAL-XYZ" not in readable
    # Only one's own: the stranger's download is the stranger's.
    theirs = login(personas.stranger).get("/account/privacy/my-data.json").get_data(as_text=True)
    assert personas.volunteer.email not in theirs and "Lovely session" not in theirs
    assert db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "privacy.self_export")
    )


def test_a_changed_privacy_notice_is_shown_once(app, personas, login) -> None:
    db.session.add(
        ConsentRecord(
            user_id=personas.volunteer.id,
            purpose="privacy_notice",
            version="2025-01",
            method="registration_form",
        )
    )
    db.session.commit()
    client = login(personas.volunteer)
    shown = client.get("/account")
    assert shown.status_code == 302 and "/privacy/updated" in shown.headers["Location"]
    assert post_form(client, "/privacy/updated?next=/account", {}).status_code == 302
    assert client.get("/account").status_code == 200
    versions = db.session.scalars(
        select(ConsentRecord.version).where(ConsentRecord.purpose == "privacy_notice")
    ).all()
    assert sorted(versions) == ["2025-01", app.config["PRIVACY_NOTICE_VERSION"]]


def test_a_formal_request_has_its_deadline_full_export_and_audit_trail(
    personas, login, publish
) -> None:
    role = publish(personas.org_a, "Befriender")
    placement = _place(personas, role, personas.volunteer, personas.coordinator_a)
    db.session.add(
        SupervisionRecord(
            placement_id=placement.id,
            supervisor_id=personas.coordinator_a.id,
            met_on=TODAY - timedelta(days=2),
            format="group",
            confidential_notes="CONFIDENTIAL-XYZ",
        )
    )
    db.session.commit()
    assert login(personas.coordinator_a).get("/admin/privacy").status_code == 403
    admin = login(personas.admin)
    unknown = post_form(
        admin,
        "/admin/privacy",
        {"kind": "access", "email": "nobody@example.test", "received_on": ["31", "1", "2026"]},
    )
    assert unknown.status_code == 400 and "Nobody with this email" in unknown.get_data(as_text=True)
    logged = post_form(
        admin,
        "/admin/privacy",
        {
            "kind": "access",
            "email": personas.volunteer.email.upper(),
            "received_on": ["31", "1", "2026"],
            "channel": "letter",
        },
    )
    assert logged.status_code == 302
    item = db.session.scalar(select(PrivacyRequest))
    # One calendar month from 31 January 2026 is 28 February 2026.
    assert item.due_on == date(2026, 2, 28) == add_months(date(2026, 1, 31), 1)
    page = f"/admin/privacy/{item.id}"
    assert "28 February 2026" in admin.get(page).get_data(as_text=True)
    early = post_form(admin, f"{page}/sent", {}, form_page=page, follow_redirects=True)
    assert "Generate and review the export" in early.get_data(as_text=True)
    export = post_form(admin, f"{page}/export.json", {}, form_page=page)
    assert export.status_code == 200
    assert "CONFIDENTIAL-XYZ" in export.get_data(as_text=True)  # full, for review
    assert post_form(admin, f"{page}/sent", {}, form_page=page).status_code == 302
    db.session.expire_all()
    item = db.session.get(PrivacyRequest, item.id)
    assert item.status == "sent" and item.exported_at and item.sent_at
    steps = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.action.like("privacy.request_%"), AuditEvent.target_id == str(item.id))
        .order_by(AuditEvent.id)
    ).all()
    assert {"privacy.request_logged", "privacy.request_exported", "privacy.request_sent"} <= set(
        steps
    )
    assert "privacy.request_viewed" in steps


def test_a_volunteer_asks_for_erasure_once(personas, login) -> None:
    client = login(personas.volunteer)
    assert (
        post_form(client, "/account/privacy/erase", {}, form_page="/account/privacy").status_code
        == 302
    )
    again = post_form(
        client, "/account/privacy/erase", {}, form_page="/account/privacy", follow_redirects=True
    )
    assert "already asked" in again.get_data(as_text=True)
    requests = db.session.scalars(select(PrivacyRequest)).all()
    assert [(r.kind, r.user_id, r.status) for r in requests] == [
        ("erasure", personas.volunteer.id, "received")
    ]
    assert requests[0].due_on == add_months(requests[0].received_on, 1)


def test_an_administrator_confirms_an_erasure_from_the_browser(personas, login) -> None:
    volunteer = volunteer_for(personas.volunteer)
    db.session.commit()
    client = login(personas.volunteer)
    post_form(client, "/account/privacy/erase", {}, form_page="/account/privacy")
    item = db.session.scalar(select(PrivacyRequest))
    admin = login(personas.admin)
    page = f"/admin/privacy/{item.id}"
    unconfirmed = post_form(admin, f"{page}/erase", {}, form_page=page, follow_redirects=True)
    assert "Tick the box" in unconfirmed.get_data(as_text=True)
    assert post_form(admin, f"{page}/erase", {"confirm": "yes"}, form_page=page).status_code == 302
    db.session.expire_all()
    assert db.session.get(PrivacyRequest, item.id).status == "erased"
    erased = db.session.get(type(volunteer), volunteer.id)
    assert erased.name.startswith("Erased person") and erased.email is None
    assert db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "privacy.request_erased")
    )
