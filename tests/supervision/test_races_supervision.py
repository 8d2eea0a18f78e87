"""Supervision is exactly-once under real parallel requests: the same meeting form sent ten
times records one meeting (its one-time key), and an action is marked done once."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from tests.helpers import post_form
from tests.hours.test_hours_logging import TODAY, _day, _place
from tests.parallel import Shot
from volunteer_hub.accounts.models import AuditEvent
from volunteer_hub.extensions import db
from volunteer_hub.supervision.models import SupervisionAction, SupervisionRecord

KEY_RE = re.compile(r'name="key" type="hidden" value="([0-9a-f]+)"')


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _audits(action: str) -> int:
    return _count(AuditEvent, AuditEvent.action == action)


MEETING = {
    "met_on": _day(TODAY - timedelta(days=1)),
    "format": "one_to_one",
    "wellbeing": "4",
    "went_well": "Settled in well",
    "action-1": "Book first aid course",
    "owner-1": "volunteer",
    "action-2": "Order a name badge",
    "owner-2": "supervisor",
}


def _key(client, url: str) -> str:
    match = KEY_RE.search(client.get(url).get_data(as_text=True))
    assert match, "no one-time key on the meeting form"
    return match.group(1)


def test_ten_parallel_sends_of_one_meeting_form_record_one(
    personas, login, publish, parallel
) -> None:
    role = publish(personas.org_a, "Befriender")
    placement = _place(personas, role, personas.volunteer, personas.coordinator_a)
    supervisor = login(personas.coordinator_a)
    url = f"/placements/{placement.id}/supervision/new"
    results = parallel.post(supervisor, url, {**MEETING, "key": _key(supervisor, url)})
    assert results.server_errors == []
    assert set(results.statuses) == {302}
    assert _count(SupervisionRecord) == 1
    assert _count(SupervisionAction) == 2
    assert _audits("supervision.recorded") == 1
    # Every answer leads to the one record.
    record = db.session.scalar(select(SupervisionRecord))
    assert {r.location for r in results.results if r.location} <= {f"/supervision/{record.id}"}


def test_two_forms_opened_separately_record_two_meetings(personas, login, publish) -> None:
    role = publish(personas.org_a, "Befriender")
    placement = _place(personas, role, personas.volunteer, personas.coordinator_a)
    supervisor = login(personas.coordinator_a)
    url = f"/placements/{placement.id}/supervision/new"
    first, second = _key(supervisor, url), _key(supervisor, url)
    assert first != second
    for key in (first, second, first):
        assert post_form(supervisor, url, {**MEETING, "key": key}).status_code == 302
    assert _count(SupervisionRecord) == 2


def test_ten_parallel_marks_of_an_action_done_mark_once(personas, login, publish, parallel) -> None:
    role = publish(personas.org_a, "Befriender")
    placement = _place(personas, role, personas.volunteer, personas.coordinator_a)
    record = SupervisionRecord(
        placement_id=placement.id,
        supervisor_id=personas.coordinator_a.id,
        met_on=TODAY - timedelta(days=1),
        format="one_to_one",
    )
    record.actions.append(SupervisionAction(description="Book first aid", owner="volunteer"))
    db.session.add(record)
    db.session.commit()
    action = record.actions[0]
    page = f"/supervision/{record.id}"
    url = f"/supervision/actions/{action.id}/done"
    results = parallel.run(
        [
            Shot(login(personas.volunteer), url, {}, page, times=5),
            Shot(login(personas.coordinator_a), url, {}, page, times=5),
        ]
    )
    assert results.server_errors == []
    assert _audits("supervision.action_done") == 1
    assert db.session.get(SupervisionAction, action.id).done_at is not None
