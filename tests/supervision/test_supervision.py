"""Supervision: the full record for the supervisor and coordinators, the volunteer's view without
confidential notes, the centre sees only that it happened; views audited; actions done."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.helpers import post_form
from tests.hours.test_hours_logging import TODAY, _day, _place
from volunteer_hub.accounts.models import AuditEvent
from volunteer_hub.extensions import db
from volunteer_hub.supervision.models import SupervisionAction, SupervisionRecord

SECRET = "Invented confidential note 7431"


def test_supervision_record_and_who_sees_what(personas, login, publish) -> None:
    role = publish(personas.org_a, "Befriender")
    placement = _place(personas, role, personas.volunteer, personas.coordinator_a)
    supervisor = login(personas.coordinator_a)
    response = post_form(
        supervisor,
        f"/placements/{placement.id}/supervision/new",
        {
            "met_on": _day(TODAY - timedelta(days=1)),
            "format": "one_to_one",
            "wellbeing": "4",
            "went_well": "Settled in well",
            "concerns": "",
            "confidential_notes": SECRET,
            "action-1": "Book first aid course",
            "owner-1": "volunteer",
            "due-1": (TODAY + timedelta(days=14)).isoformat(),
            "action-2": "Order a name badge",
            "owner-2": "supervisor",
        },
    )
    assert response.status_code == 302
    record = db.session.scalar(select(SupervisionRecord))
    assert len(record.actions) == 2
    url = f"/supervision/{record.id}"
    assert SECRET in supervisor.get(url).get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "supervision.viewed"))

    volunteer = login(personas.volunteer)
    page = volunteer.get(url).get_data(as_text=True)
    assert "Settled in well" in page and SECRET not in page
    # The volunteer marks their own action done, not the supervisor's.
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    own = next(a for a in record.actions if a.owner == "volunteer")
    theirs = next(a for a in record.actions if a.owner == "supervisor")
    volunteer.post(f"/supervision/actions/{own.id}/done", data={"csrf_token": csrf})
    volunteer.post(f"/supervision/actions/{theirs.id}/done", data={"csrf_token": csrf})
    db.session.expire_all()
    assert db.session.get(SupervisionAction, own.id).done_at is not None
    assert db.session.get(SupervisionAction, theirs.id).done_at is None
    post_form(volunteer, f"/supervision/{record.id}/comment", {"comment": "Thanks"}, form_page=url)
    db.session.expire_all()
    assert db.session.get(SupervisionRecord, record.id).volunteer_comment == "Thanks"

    # The centre sees that it happened, not what was said; another organisation sees nothing.
    centre = login(personas.centre)
    schedule = centre.get(f"/placements/{placement.id}/supervision").get_data(as_text=True)
    assert _day(TODAY - timedelta(days=1))[0] in schedule and SECRET not in schedule
    assert centre.get(url).status_code == 404
    assert login(personas.coordinator_b).get(url).status_code == 404
    assert login(personas.coordinator_b).get(
        f"/placements/{placement.id}/supervision/new"
    ).status_code in {403, 404}


def test_next_meeting_follows_the_task_description(personas, login, publish) -> None:
    from volunteer_hub.supervision.services import next_due

    role = publish(personas.org_a, "Befriender")  # supervision every 6 weeks
    placement = _place(personas, role, personas.volunteer, personas.coordinator_a)
    assert next_due(placement, TODAY) == placement.start_date + timedelta(weeks=6)
    future = post_form(
        login(personas.coordinator_a),
        f"/placements/{placement.id}/supervision/new",
        {"met_on": _day(TODAY + timedelta(days=2)), "format": "group"},
    )
    assert future.status_code == 400 and "cannot be in the future" in future.get_data(as_text=True)


def test_overdue_supervision_and_actions_are_flagged(personas, login, publish) -> None:
    role = publish(personas.org_a, "Befriender")  # every 6 weeks
    placement = _place(
        personas, role, personas.volunteer, personas.coordinator_a, start=TODAY - timedelta(days=60)
    )
    record = SupervisionRecord(
        placement_id=placement.id,
        supervisor_id=personas.coordinator_a.id,
        met_on=TODAY - timedelta(days=50),
        format="group",
    )
    record.actions.append(
        SupervisionAction(
            description="Return the door key", owner="volunteer", due_on=TODAY - timedelta(days=3)
        )
    )
    db.session.add(record)
    db.session.commit()
    # Last met 50 days ago, every 6 weeks: due 8 days ago.
    page = login(personas.coordinator_a).get("/supervision/overdue").get_data(as_text=True)
    assert "Meetings past their due date (1)" in page and "Return the door key" in page
    centre = login(personas.centre).get("/supervision/overdue").get_data(as_text=True)
    assert "Meetings past their due date (1)" in centre and "Return the door key" not in centre
    other = login(personas.coordinator_b).get("/supervision/overdue").get_data(as_text=True)
    assert "Meetings past their due date (0)" in other
    # The same on the dashboards: the organisation's roles page and the centre's dashboard.
    roles_page = login(personas.coordinator_a).get(f"/organisations/{personas.org_a.slug}/roles")
    assert "1 meeting and 1 agreed action past their due date" in roles_page.get_data(as_text=True)
    dashboard = login(personas.centre).get("/centre").get_data(as_text=True)
    assert "1 meeting and 1 agreed action past their due date" in dashboard
    roles_b = login(personas.coordinator_b).get(f"/organisations/{personas.org_b.slug}/roles")
    assert "Nothing overdue" in roles_b.get_data(as_text=True)


def test_a_bad_action_due_date_is_refused_clearly_and_nothing_is_lost(
    personas, login, publish
) -> None:
    role = publish(personas.org_a, "Befriender")
    placement = _place(personas, role, personas.volunteer, personas.coordinator_a)
    response = post_form(
        login(personas.coordinator_a),
        f"/placements/{placement.id}/supervision/new",
        {
            "met_on": _day(TODAY - timedelta(days=1)),
            "format": "group",
            "action-1": "Return the key",
            "owner-1": "supervisor",
            "due-1": "31/02/2026",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Action 1: enter the due date as a real date" in page and 'href="#actions"' in page
    assert 'value="Return the key"' in page and 'value="31/02/2026"' in page
    assert db.session.scalar(select(SupervisionRecord)) is None
