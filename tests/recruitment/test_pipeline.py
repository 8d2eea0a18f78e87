"""Applying, the pipeline with its history, placing with an agreement, withdrawing, deadlines."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.helpers import post_form
from volunteer_hub.accounts.models import OutboxMessage
from volunteer_hub.core.dates import add_working_days, bank_holidays
from volunteer_hub.extensions import db
from volunteer_hub.placements.models import Placement
from volunteer_hub.recruitment.models import Application


def _apply(login, personas, role, message="I love a chat", age_group="adult"):
    client = login(personas.volunteer)
    response = post_form(
        client,
        f"/opportunities/{role.slug}/apply",
        {"message": message, "age_group": age_group},
    )
    return client, response


def _move(client, application_id, **data):
    return post_form(
        client,
        f"/applications/{application_id}/move",
        data,
        form_page=f"/applications/{application_id}",
    )


def test_apply_move_place_and_agree(personas, login, publish) -> None:
    role = publish(personas.org_a, "Befriender")
    volunteer, response = _apply(login, personas, role)
    assert response.status_code == 302
    application = db.session.scalar(select(Application))
    assert application.stage == "applied" and application.message == "I love a chat"
    assert application.respond_by == add_working_days(
        application.created_at.date(), 5, bank_holidays()
    )
    kinds = {(m.kind, m.to_address) for m in db.session.scalars(select(OutboxMessage))}
    assert ("new_applicant", personas.coordinator_a.email) in kinds
    assert ("application_received", personas.volunteer.email) in kinds

    # A second application to the same role is refused politely, and nothing is added.
    _client, again = _apply(login, personas, role)
    assert again.status_code == 400 and "You have already applied for this role" in again.get_data(
        as_text=True
    )
    assert len(db.session.scalars(select(Application)).all()) == 1

    coordinator = login(personas.coordinator_a)
    for stage in ("screening", "interview", "offered"):
        assert _move(coordinator, application.id, to=stage).status_code == 302
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert [e.to_stage for e in application.events] == [
        "applied",
        "screening",
        "interview",
        "offered",
    ]
    assert all(e.actor_id for e in application.events) and application.contacted_at is not None

    response = post_form(
        coordinator,
        f"/applications/{application.id}/place",
        {"start_date": ["1", "12", "2026"], "supervisor": str(personas.coordinator_a.id)},
    )
    assert response.status_code == 302
    placement = db.session.scalar(select(Placement))
    assert placement.start_date == date(2026, 12, 1) and placement.role_version.version == 1
    assert placement.role_version.content["expenses_policy"].startswith("Bus fares")
    db.session.expire_all()
    assert db.session.get(Application, application.id).stage == "placed"
    kinds = {m.kind for m in db.session.scalars(select(OutboxMessage))}
    assert {"placement_volunteer", "placement_supervisor", "application_offered"} <= kinds

    page = volunteer.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert "Bus fares repaid monthly" in page and "I agree to this task description" in page
    post_form(
        volunteer, f"/placements/{placement.id}/agree", {}, form_page=f"/placements/{placement.id}"
    )
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).agreed_at is not None
    assert "Befriender" in volunteer.get("/my-volunteering").get_data(as_text=True)


def test_other_organisations_cannot_see_or_move_applicants(personas, login, publish) -> None:
    role = publish(personas.org_a, "Befriender")
    _apply(login, personas, role)
    application = db.session.scalar(select(Application))
    other = login(personas.coordinator_b)
    assert other.get(f"/applications/{application.id}").status_code == 404
    assert other.get(f"/organisations/{personas.org_a.slug}/applicants").status_code == 404
    # By form field: posting a move for A's application from B's session is refused.
    response = post_form(
        other,
        f"/applications/{application.id}/move",
        {"to": "offered"},
        form_page=f"/organisations/{personas.org_b.slug}/roles",
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Application, application.id).stage == "applied"
    assert login(personas.partner).get(f"/applications/{application.id}").status_code in {403, 404}
    assert login(personas.stranger).get(f"/applications/{application.id}").status_code == 404


def test_declining_needs_a_reason_from_the_list(personas, login, publish) -> None:
    role = publish(personas.org_a, "Befriender")
    _apply(login, personas, role)
    application = db.session.scalar(select(Application))
    coordinator = login(personas.coordinator_a)
    _move(coordinator, application.id, to="declined", reason="because")
    db.session.expire_all()
    assert db.session.get(Application, application.id).stage == "applied"
    _move(coordinator, application.id, to="declined", reason="role_filled")
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.stage == "declined" and application.declined_reason == "role_filled"
    # Closed: no further moves.
    _move(coordinator, application.id, to="offered")
    db.session.expire_all()
    assert db.session.get(Application, application.id).stage == "declined"


def test_volunteer_withdraws_and_cannot_move(personas, login, publish) -> None:
    role = publish(personas.org_a, "Befriender")
    volunteer, _ = _apply(login, personas, role)
    application = db.session.scalar(select(Application))
    assert (
        post_form(
            volunteer,
            f"/applications/{application.id}/move",
            {"to": "offered"},
            form_page="/my-volunteering",
        ).status_code
        == 403
    )
    post_form(
        volunteer,
        f"/applications/{application.id}/withdraw",
        {},
        form_page=f"/applications/{application.id}",
    )
    db.session.expire_all()
    assert db.session.get(Application, application.id).stage == "withdrawn"
    # Having withdrawn, they may apply again.
    _client, again = _apply(login, personas, role)
    assert again.status_code == 302


def test_response_deadline_skips_weekends_and_bank_holidays(app) -> None:
    holidays = bank_holidays()
    # Friday 19 Dec 2025: 22, 23, 24, (25, 26 bank holidays), 29, 30.
    assert add_working_days(date(2025, 12, 19), 5, holidays) == date(2025, 12, 30)
    # Thursday 2 April 2026: Good Friday 3rd and Easter Monday 6th are skipped.
    assert add_working_days(date(2026, 4, 2), 5, holidays) == date(2026, 4, 13)
    assert add_working_days(date(2026, 4, 2), 5, frozenset()) == date(2026, 4, 9)


def test_overdue_applications_show_on_the_centre_dashboard(personas, login, publish) -> None:
    role = publish(personas.org_a, "Befriender")
    _apply(login, personas, role)
    application = db.session.scalar(select(Application))
    application.respond_by = date.today() - timedelta(days=1)
    db.session.commit()
    page = login(personas.centre).get("/centre").get_data(as_text=True)
    assert "Overdue responses (1)" in page
    assert login(personas.coordinator_a).get("/centre").status_code == 403
    _move(login(personas.coordinator_a), application.id, to="screening")
    assert "Overdue responses (0)" in login(personas.centre).get("/centre").get_data(as_text=True)


def test_overdue_reminders_are_emailed_once(personas, login, publish, runner) -> None:
    role = publish(personas.org_a, "Befriender")
    _apply(login, personas, role)
    application = db.session.scalar(select(Application))
    application.respond_by = date.today() - timedelta(days=1)
    db.session.commit()
    # Both documented commands, in either order and twice: one email (one command owns it).
    for args in (["recruitment", "remind"], ["reminders", "send"]) * 2:
        result = runner.invoke(args=args)
        assert result.exit_code == 0 and "reminders queued:" in result.output
    reminders = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind.in_(("applicant_overdue", "reminder")),
            OutboxMessage.subject == "An applicant is waiting to hear from you",
        )
    ).all()
    assert [(r.kind, r.to_address) for r in reminders] == [
        ("applicant_overdue", personas.coordinator_a.email)
    ]
    assert (
        "`recruitment remind` now runs `reminders send`"
        in runner.invoke(args=["recruitment", "remind"]).output
    )


def _born(personas, years_ago: int) -> None:
    from volunteer_hub.volunteers.services import volunteer_for

    volunteer = volunteer_for(personas.volunteer)
    today = date.today()
    volunteer.date_of_birth = date(today.year - years_ago, 1, 1) - timedelta(days=1)
    db.session.commit()


def test_under_18s_only_where_welcome_and_with_a_guardians_consent(
    personas, login, publish
) -> None:
    _born(personas, 16)
    adults = publish(personas.org_a, "Adults only")
    _client, refused = _apply(login, personas, adults)
    assert refused.status_code == 400 and "aged 18 or over" in refused.get_data(as_text=True)
    welcome = publish(personas.org_a, "Young helper", under_18_welcome=True, minimum_age=14)
    _client, response = _apply(login, personas, welcome)
    assert response.status_code == 302
    application = db.session.scalar(select(Application))
    assert application.under_18
    coordinator = login(personas.coordinator_a)
    for stage in ("screening", "interview", "offered"):
        _move(coordinator, application.id, to=stage)
    yesterday = date.today() - timedelta(days=1)
    place = {"start_date": ["1", "12", "2026"], "supervisor": str(personas.coordinator_a.id)}
    blocked = post_form(coordinator, f"/applications/{application.id}/place", place)
    assert blocked.status_code == 400 and "guardian" in blocked.get_data(as_text=True)
    post_form(
        coordinator,
        f"/applications/{application.id}/guardian-consent",
        {
            "guardian_name": "Invented Parent",
            "consent_on": [str(yesterday.day), str(yesterday.month), str(yesterday.year)],
        },
        form_page=f"/applications/{application.id}",
    )
    assert post_form(coordinator, f"/applications/{application.id}/place", place).status_code == 302


def test_no_stage_is_skipped_and_screening_must_be_done(personas, login, publish) -> None:
    role = publish(personas.org_a, "Driver", dbs_level="enhanced", dbs_reason="Lifts for members")
    _apply(login, personas, role)
    application = db.session.scalar(select(Application))
    coordinator = login(personas.coordinator_a)
    _move(coordinator, application.id, to="offered")  # applied → offered skips two stages
    db.session.expire_all()
    assert db.session.get(Application, application.id).stage == "applied"
    for stage in ("screening", "interview", "offered"):
        _move(coordinator, application.id, to=stage)
    # Said at the offer stage, before anyone tries to place: the centre is shown where to record
    # the check; the organisation's coordinator (who may not see DBS records) whom to ask.
    offered = coordinator.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "This role needs an enhanced DBS check" in offered
    assert f'href="/applications/{application.id}/dbs"' not in offered
    assert "safeguarding lead records DBS checks" in offered
    centre = login(personas.centre).get(f"/applications/{application.id}").get_data(as_text=True)
    assert "This role needs an enhanced DBS check" in centre
    assert f'href="/applications/{application.id}/dbs">Record the DBS check' in centre

    place = {"start_date": ["1", "12", "2026"], "supervisor": str(personas.coordinator_a.id)}
    blocked = post_form(coordinator, f"/applications/{application.id}/place", place)
    html = blocked.get_data(as_text=True)
    assert blocked.status_code == 400 and "needs an enhanced DBS check" in html
    # In the error summary, linking to the explanation; never on the start date field.
    assert "<title>Error:" in html and 'href="#dbs"' in html and 'id="dbs"' in html
    assert "govuk-form-group--error" not in html and "start_date-error" not in html


def test_age_is_asked_when_no_date_of_birth_is_known(personas, login, publish) -> None:
    adults = publish(personas.org_a, "Adults only")
    _client, missing = _apply(login, personas, adults, age_group="")
    assert missing.status_code == 400 and "Say whether you are 18 or over" in missing.get_data(
        as_text=True
    )
    _client, young = _apply(login, personas, adults, age_group="under_18")
    assert young.status_code == 400 and "aged 18 or over" in young.get_data(as_text=True)
    assert db.session.scalar(select(Application)) is None


def test_centre_brokers_an_expression_of_interest(personas, login, publish) -> None:
    role = publish(personas.org_a, "Befriender")
    volunteer = login(personas.volunteer)
    assert (
        post_form(
            volunteer, "/opportunities/interest", {"message": "Weekends, outdoors"}
        ).status_code
        == 302
    )
    again = post_form(volunteer, "/opportunities/interest", {"message": "Again"})
    assert again.status_code == 400 and "already has your message" in again.get_data(as_text=True)
    enquiry = db.session.scalar(select(Application))
    assert enquiry.stage == "enquiry" and enquiry.role_id is None
    centre = login(personas.centre)
    response = post_form(
        centre,
        f"/applications/{enquiry.id}/broker",
        {"role": f"http://localhost/opportunities/{role.slug}/"},
        form_page=f"/applications/{enquiry.id}",
    )
    assert response.status_code == 302
    db.session.expire_all()
    enquiry = db.session.get(Application, enquiry.id)
    assert enquiry.role_id == role.id and enquiry.stage == "applied"
    assert enquiry.organisation_id == personas.org_a.id
    assert "Referred by the volunteer centre" in enquiry.events[-1].note
    # The organisation now sees them among its applicants.
    page = login(personas.coordinator_a).get(f"/organisations/{personas.org_a.slug}/applicants")
    assert personas.volunteer.name in page.get_data(as_text=True)


def test_closed_roles_leave_search_and_take_no_applications(
    personas, login, publish, client
) -> None:
    role = publish(personas.org_a, "Befriender")
    coordinator = login(personas.coordinator_a)
    post_form(coordinator, f"/roles/{role.id}/close", {}, form_page=f"/roles/{role.id}/edit")
    assert client.get(f"/opportunities/{role.slug}").status_code == 404
    assert login(personas.volunteer).get(f"/opportunities/{role.slug}/apply").status_code == 404


def test_labels_speak_to_whoever_is_reading(personas, login, publish) -> None:
    """The applicant reads "Why you are interested" and when they will hear, not the
    coordinator's "Respond by"; the coordinator reads "Task description", not "Your …"; a
    placement starting later "Starts"."""
    role = publish(personas.org_a, "Befriender")
    volunteer, _response = _apply(login, personas, role)
    application = db.session.scalar(select(Application))
    mine = volunteer.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Why you are interested" in mine and "Why they are interested" not in mine
    assert "Respond by" not in mine and "Overdue" not in mine
    assert f"aims to contact you by {application.respond_by:%-d %B %Y}" in mine
    coordinator = login(personas.coordinator_a)
    theirs = coordinator.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Why they are interested" in theirs and "Respond by" in theirs

    for stage in ("screening", "interview", "offered"):
        _move(coordinator, application.id, to=stage)
    start = date.today() + timedelta(days=7)
    post_form(
        coordinator,
        f"/applications/{application.id}/place",
        {
            "start_date": [str(start.day), str(start.month), str(start.year)],
            "supervisor": str(personas.coordinator_a.id),
        },
    )
    placement = db.session.scalar(select(Placement))
    staff_page = coordinator.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert "Your task description" not in staff_page and "Task description (version" in staff_page
    assert "What the volunteer will do" in staff_page
    assert f'Starts</dt><dd class="govuk-summary-list__value">{start:%-d %B %Y}' in staff_page
    own_page = volunteer.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert "Your task description (version" in own_page and "Started</dt>" not in own_page
