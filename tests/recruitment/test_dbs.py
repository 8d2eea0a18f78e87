"""DBS records: only the permitted facts, seen by the centre and the safeguarding lead, audited."""

from __future__ import annotations

from sqlalchemy import inspect, select

from tests.helpers import post_form
from volunteer_hub.accounts.models import AuditEvent
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.recruitment.models import DBS_PERMITTED_COLUMNS, Application, DbsRecord

GOOD = {
    "certificate_number": "0012 3456 7890",
    "issue_date": ["3", "3", "2025"],
    "level": "enhanced",
    "workforce": "adult",
    "outcome": "clear",
    "update_service": "y",
    "update_service_checked_on": ["1", "4", "2025"],
}


def test_the_table_holds_only_the_permitted_fields(app) -> None:
    columns = {c["name"] for c in inspect(db.engine).get_columns("recruitment_dbs_record")}
    assert columns == DBS_PERMITTED_COLUMNS


def _application(personas, login, publish) -> Application:
    role = publish(personas.org_a, "Befriender", dbs_level="enhanced", dbs_reason="Home visits")
    post_form(
        login(personas.volunteer),
        f"/opportunities/{role.slug}/apply",
        {"message": "", "age_group": "adult"},
    )
    return db.session.scalar(select(Application))


def test_centre_records_and_views_and_each_view_is_audited(personas, login, publish) -> None:
    application = _application(personas, login, publish)
    centre = login(personas.centre)
    url = f"/applications/{application.id}/dbs"
    assert post_form(centre, url, GOOD).status_code == 302
    record = db.session.scalar(select(DbsRecord))
    assert (
        record.certificate_number == "001234567890" and record.decided_by_id == personas.centre.id
    )
    page = centre.get(url)
    assert page.status_code == 200 and "001234567890" in page.get_data(as_text=True)
    views = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "dbs.viewed")).all()
    assert len(views) >= 2 and all(v.actor_id == personas.centre.id for v in views)
    bad = post_form(centre, url, {**GOOD, "certificate_number": "12345"})
    assert bad.status_code == 400 and "The certificate number is 12 digits" in bad.get_data(
        as_text=True
    )
    future = post_form(centre, url, {**GOOD, "issue_date": ["1", "1", "2099"]})
    assert future.status_code == 400


def test_only_the_safeguarding_lead_among_coordinators(personas, login, publish) -> None:
    application = _application(personas, login, publish)
    url = f"/applications/{application.id}/dbs"
    coordinator = login(personas.coordinator_a)
    assert coordinator.get(url).status_code == 403
    assert "DBS record" not in coordinator.get(f"/applications/{application.id}").get_data(
        as_text=True
    )
    organisation = db.session.get(Organisation, personas.org_a.id)
    organisation.safeguarding_lead_user_id = personas.coordinator_a.id
    db.session.commit()
    assert coordinator.get(url).status_code == 200
    assert login(personas.coordinator_b).get(url).status_code == 404
    assert login(personas.volunteer).get(url).status_code == 403


def test_administrators_are_not_safeguarding_staff(personas, login, publish) -> None:
    application = _application(personas, login, publish)
    assert login(personas.admin).get(f"/applications/{application.id}/dbs").status_code == 403


def test_centre_names_the_safeguarding_lead_from_the_coordinators(personas, login, publish) -> None:
    application = _application(personas, login, publish)
    centre = login(personas.centre)
    url = f"/organisations/{personas.org_a.slug}"
    data = {
        "checks-safeguarding_lead_user_id": str(personas.coordinator_a.id),
        "checks-submit": "Save checks",
    }
    assert post_form(centre, url, data).status_code == 302
    db.session.expire_all()
    assert (
        db.session.get(Organisation, personas.org_a.id).safeguarding_lead_user_id
        == personas.coordinator_a.id
    )
    assert (
        login(personas.coordinator_a).get(f"/applications/{application.id}/dbs").status_code == 200
    )
    # Someone who is not one of the organisation's coordinators cannot be named.
    data["checks-safeguarding_lead_user_id"] = str(personas.coordinator_b.id)
    assert post_form(centre, url, data).status_code == 400
