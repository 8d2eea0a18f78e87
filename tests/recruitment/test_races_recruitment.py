"""Recruitment and placements are exactly-once under real parallel requests: ten identical
clicks (or two people in conflict) make one change, one audit event and one email; the others
are told it was already done, never a 500."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from tests.hours.test_hours_logging import _place
from tests.parallel import Shot
from volunteer_hub.accounts.models import AuditEvent, OutboxMessage
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.placements.models import Placement
from volunteer_hub.recruitment.models import (
    Application,
    ApplicationEvent,
    DbsRecord,
    Reference,
    Stage,
)
from volunteer_hub.recruitment.services import reference_link
from volunteer_hub.volunteers.services import volunteer_for

TODAY = date.today()


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _audits(action: str) -> int:
    return _count(AuditEvent, AuditEvent.action == action)


def _emails(kind: str) -> int:
    return _count(OutboxMessage, OutboxMessage.kind == kind)


def _application(personas, publish, stage: Stage = Stage.OFFERED) -> Application:
    role = publish(personas.org_a, "Befriender")
    application = Application(
        volunteer_id=volunteer_for(personas.volunteer).id,
        role_id=role.id,
        organisation_id=role.organisation_id,
        stage=stage.value,
        respond_by=TODAY + timedelta(days=5),
    )
    db.session.add(application)
    db.session.commit()
    return application


def _place_data(personas) -> dict[str, object]:
    return {
        "start_date": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
        "supervisor": str(personas.coordinator_a.id),
    }


# --- placements ------------------------------------------------------------------------------


def test_ten_parallel_placements_make_one(personas, login, publish, parallel) -> None:
    application = _application(personas, publish)
    coordinator = login(personas.coordinator_a)
    results = parallel.post(
        coordinator, f"/applications/{application.id}/place", _place_data(personas), times=10
    )
    assert results.server_errors == []
    assert set(results.statuses) <= {302, 400}, results.statuses
    assert _count(Placement) == 1
    assert _audits("placement.created") == 1
    assert (_emails("placement_volunteer"), _emails("placement_supervisor")) == (1, 1)
    assert _count(ApplicationEvent, ApplicationEvent.to_stage == "placed") == 1
    assert db.session.get(Application, application.id).stage == "placed"


def test_placing_racing_declining_leaves_one_outcome(personas, login, publish, parallel) -> None:
    application = _application(personas, publish)
    url = f"/applications/{application.id}"
    results = parallel.run(
        [
            Shot(
                login(personas.coordinator_a),
                f"{url}/place",
                _place_data(personas),
                times=5,
            ),
            Shot(
                login(personas.centre),
                f"{url}/move",
                {"to": "declined", "reason": "role_filled"},
                form_page=url,
                times=5,
            ),
        ]
    )
    assert results.server_errors == []
    db.session.expire_all()
    stage = db.session.get(Application, application.id).stage
    placements = _count(Placement)
    moved = _audits("application.moved") + _audits("placement.created")
    assert moved == 1
    if stage == "placed":
        assert placements == 1 and _emails("application_declined") == 0
    else:
        assert stage == "declined" and placements == 0 and _emails("application_declined") == 1


def test_ten_parallel_agreements_record_one(personas, login, publish, parallel) -> None:
    role = publish(personas.org_a, "Befriender")
    placement = _place(personas, role, personas.volunteer, personas.coordinator_a)
    volunteer = login(personas.volunteer)
    url = f"/placements/{placement.id}"
    results = parallel.post(volunteer, f"{url}/agree", {}, times=10, form_page=url)
    assert results.server_errors == []
    assert _audits("placement.agreed") == 1
    assert db.session.get(Placement, placement.id).agreed_at is not None


def test_ten_parallel_endings_end_once(personas, login, publish, parallel) -> None:
    role = publish(personas.org_a, "Befriender")
    placement = _place(personas, role, personas.volunteer, personas.coordinator_a)
    url = f"/placements/{placement.id}"
    results = parallel.run(
        [
            Shot(
                login(personas.coordinator_a),
                f"{url}/end",
                {"end_date": [str(TODAY.day), str(TODAY.month), str(TODAY.year)], "reason": r},
                form_page=url,
                times=5,
            )
            for r in ("completed", "volunteer_left")
        ]
    )
    assert results.server_errors == []
    assert _audits("placement.ended") == 1
    ended = db.session.get(Placement, placement.id)
    assert ended.end_date == TODAY and ended.end_reason in {"completed", "volunteer_left"}


# --- applications ----------------------------------------------------------------------------


def test_ten_parallel_applications_make_one(personas, login, publish, parallel) -> None:
    """Already safe (a partial unique index the view turns into a polite message); also the
    volunteer's record, made on first use, is made once."""
    role = publish(personas.org_a, "Befriender")
    volunteer = login(personas.volunteer)
    results = parallel.post(
        volunteer,
        f"/opportunities/{role.slug}/apply",
        {"message": "I love a chat", "age_group": "adult"},
        times=10,
    )
    assert results.server_errors == []
    assert _count(Application) == 1
    assert _audits("application.created") == 1
    assert (_emails("application_received"), _emails("new_applicant")) == (1, 1)
    assert all("You have already applied" in r.body for r in results.results if r.status == 400)


def _move(personas, login, parallel, application, to, times=10, **extra):
    url = f"/applications/{application.id}"
    return parallel.post(
        login(personas.coordinator_a),
        f"{url}/move",
        {"to": to, **extra},
        times=times,
        form_page=url,
    )


def test_ten_parallel_stage_moves_move_once(personas, login, publish, parallel) -> None:
    application = _application(personas, publish, Stage.APPLIED)
    results = _move(personas, login, parallel, application, "screening")
    assert results.server_errors == []
    assert _count(ApplicationEvent, ApplicationEvent.to_stage == "screening") == 1
    assert _audits("application.moved") == 1
    assert db.session.get(Application, application.id).stage == "screening"


def test_ten_parallel_offers_send_one_email(personas, login, publish, parallel) -> None:
    application = _application(personas, publish, Stage.INTERVIEW)
    results = _move(personas, login, parallel, application, "offered")
    assert results.server_errors == []
    assert _emails("application_offered") == 1
    assert _audits("application.moved") == 1


def test_offering_racing_declining_leaves_one_decision(personas, login, publish, parallel) -> None:
    application = _application(personas, publish, Stage.INTERVIEW)
    url = f"/applications/{application.id}"
    results = parallel.run(
        [
            # Both saw the application at interview (the page's hidden "seen" stage).
            Shot(
                login(personas.coordinator_a),
                f"{url}/move",
                {"to": "offered", "seen": "interview"},
                url,
                times=5,
            ),
            Shot(
                login(personas.centre),
                f"{url}/move",
                {"to": "declined", "reason": "not_suitable", "seen": "interview"},
                url,
                times=5,
            ),
        ]
    )
    assert results.server_errors == []
    assert _audits("application.moved") == 1
    stage = db.session.get(Application, application.id).stage
    assert _emails(f"application_{stage}") == 1
    assert _emails("application_offered") + _emails("application_declined") == 1
    assert _count(ApplicationEvent, ApplicationEvent.to_stage != "interview") == 1


def test_ten_parallel_withdrawals_withdraw_once(personas, login, publish, parallel) -> None:
    application = _application(personas, publish, Stage.APPLIED)
    url = f"/applications/{application.id}"
    results = parallel.post(login(personas.volunteer), f"{url}/withdraw", {}, form_page=url)
    assert results.server_errors == []
    assert _audits("application.withdrawn") == 1
    assert _count(ApplicationEvent, ApplicationEvent.to_stage == "withdrawn") == 1


def test_ten_parallel_expressions_of_interest_make_one(personas, login, parallel) -> None:
    results = parallel.post(
        login(personas.volunteer), "/opportunities/interest", {"message": "Weekends"}
    )
    assert results.server_errors == []
    assert _count(Application) == 1
    assert _audits("application.enquiry") == 1


def test_ten_parallel_referrals_refer_once(personas, login, publish, parallel) -> None:
    role = publish(personas.org_a, "Befriender")
    enquiry = Application(
        volunteer_id=volunteer_for(personas.volunteer).id,
        stage=Stage.ENQUIRY.value,
        message="Weekends",
        respond_by=TODAY,
    )
    db.session.add(enquiry)
    db.session.commit()
    url = f"/applications/{enquiry.id}"
    results = parallel.post(
        login(personas.centre),
        f"{url}/broker",
        {"role": f"http://localhost/opportunities/{role.slug}"},
        form_page=url,
    )
    assert results.server_errors == []
    assert _audits("application.brokered") == 1
    assert _emails("new_applicant") == 1
    assert _count(ApplicationEvent, ApplicationEvent.to_stage == "applied") == 1


# --- references, guardian consent, DBS ------------------------------------------------------


def test_ten_parallel_reference_requests_ask_once(personas, login, publish, parallel) -> None:
    application = _application(personas, publish, Stage.SCREENING)
    url = f"/applications/{application.id}"
    results = parallel.post(
        login(personas.coordinator_a),
        f"{url}/references",
        {"name": "Ref Eree", "email": "referee@example.test", "relationship": "Manager"},
        form_page=url,
    )
    assert results.server_errors == []
    assert _count(Reference) == 1
    assert _emails("reference_request") == 1
    assert _audits("reference.requested") == 1


def _reference(application) -> Reference:
    reference = Reference(
        application_id=application.id,
        referee_name="Ref Eree",
        referee_email="referee@example.test",
        relationship_to_applicant="Manager",
        nonce="0" * 32,
    )
    db.session.add(reference)
    db.session.commit()
    return reference


def test_ten_parallel_answers_to_a_reference_count_once(personas, publish, parallel, app) -> None:
    application = _application(personas, publish, Stage.SCREENING)
    reference = _reference(application)
    with app.test_request_context():
        link = reference_link(reference)
    path = "/" + link.split("/", 3)[3]
    results = parallel.post(
        app.test_client(),
        path,
        {"known_for": "5 years", "would_recommend": "yes", "comments": "Kind and reliable"},
    )
    assert results.server_errors == []
    assert _audits("reference.given") == 1
    assert db.session.get(Reference, reference.id).would_recommend == "yes"


def test_ten_parallel_marks_of_a_reference_mark_once(personas, login, publish, parallel) -> None:
    application = _application(personas, publish, Stage.SCREENING)
    reference = _reference(application)
    reference.responded_at = utcnow()
    reference.would_recommend = "yes"
    db.session.commit()
    results = parallel.post(
        login(personas.coordinator_a),
        f"/references/{reference.id}/mark",
        {"satisfactory": "yes"},
        form_page=f"/applications/{application.id}",
    )
    assert results.server_errors == []
    assert _audits("reference.marked") == 1
    assert db.session.get(Reference, reference.id).satisfactory is True


def test_ten_parallel_guardian_consents_record_once(personas, login, publish, parallel) -> None:
    application = _application(personas, publish, Stage.OFFERED)
    url = f"/applications/{application.id}"
    results = parallel.post(
        login(personas.coordinator_a),
        f"{url}/guardian-consent",
        {
            "guardian_name": "Pat Parent",
            "consent_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
        },
        form_page=url,
    )
    assert results.server_errors == []
    assert _audits("application.guardian_consent") == 1


def test_ten_parallel_dbs_records_record_once(personas, login, publish, parallel) -> None:
    application = _application(personas, publish, Stage.SCREENING)
    url = f"/applications/{application.id}/dbs"
    results = parallel.post(
        login(personas.centre),
        url,
        {
            "certificate_number": "0012 3456 7890",
            "issue_date": ["3", "3", "2025"],
            "level": "enhanced",
            "workforce": "adult",
            "outcome": "clear",
        },
    )
    assert results.server_errors == []
    assert _count(DbsRecord) == 1
    assert _audits("dbs.recorded") == 1
