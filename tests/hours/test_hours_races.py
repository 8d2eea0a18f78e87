"""Hours decisions are exactly-once under real parallel requests (double clicks, two people)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.hours.test_hours_logging import _place
from tests.hours.test_hours_more import TODAY, _audits, _records, approved, befriender  # noqa: F401
from tests.parallel import Shot
from volunteer_hub.accounts.models import AuditEvent
from volunteer_hub.extensions import db
from volunteer_hub.hours.logging import log_for_placement
from volunteer_hub.hours.models import HourRecord


def _count(action: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).where(AuditEvent.action == action)) or 0


def test_ten_parallel_corrections_make_one_replacement(personas, login, approved, parallel):  # noqa: F811
    coordinator = login(personas.coordinator_a)
    url = f"/hours/{approved.id}/correct"
    results = parallel.post(
        coordinator, url, {"hours": "1", "minutes": "30", "reason": "Left early"}, times=10
    )
    assert results.server_errors == []
    records = _records()
    assert len(records) == 2, [(r.id, r.status, r.seconds) for r in records]
    old, new = records
    assert (old.status, new.status, new.seconds) == ("rejected", "approved", 5400)
    assert len(_audits("hours.corrected")) == 1
    # Every request was answered with a redirect: one "corrected", the rest "already corrected".
    assert set(results.statuses) == {302}


def _submitted(personas, befriender):  # noqa: F811
    placement = _place(personas, befriender, personas.volunteer, personas.coordinator_a)
    record = log_for_placement(
        user=personas.volunteer,
        placement=placement,
        day=TODAY - timedelta(days=1),
        minutes=60,
        today=TODAY,
    )
    db.session.commit()
    return record


def test_ten_identical_approvals_approve_once(personas, login, befriender, parallel):  # noqa: F811
    record = _submitted(personas, befriender)
    coordinator = login(personas.coordinator_a)
    results = parallel.post(
        coordinator,
        "/hours/approvals",
        {"record": str(record.id), "action": "approve"},
        times=10,
    )
    assert results.server_errors == []
    assert _count("hours.approved") == 1
    assert db.session.get(HourRecord, record.id).status == "approved"


def test_approve_racing_reject_leaves_one_consistent_decision(
    personas,
    login,
    befriender,  # noqa: F811
    parallel,
):
    record = _submitted(personas, befriender)
    coordinator = login(personas.coordinator_a)
    centre = login(personas.centre)
    results = parallel.run(
        [
            Shot(
                coordinator,
                "/hours/approvals",
                {"record": str(record.id), "action": "approve"},
                times=5,
            ),
            Shot(
                centre,
                "/hours/approvals",
                {"record": str(record.id), "action": "reject", "reason": "Not on the rota"},
                times=5,
            ),
        ]
    )
    assert results.server_errors == []
    db.session.expire_all()
    decided = db.session.get(HourRecord, record.id)
    events = _count("hours.approved") + _count("hours.rejected")
    assert events == 1
    if decided.status == "approved":
        assert decided.decision_reason in (None, "")
        assert decided.approved_by_id == personas.coordinator_a.id
    else:
        assert decided.status == "rejected" and decided.decision_reason == "Not on the rota"
        assert decided.approved_by_id == personas.centre.id


def test_approve_all_shown_without_javascript_approves_exactly_those_once(
    personas,
    login,
    befriender,  # noqa: F811
    parallel,
):
    """The no-JavaScript "Approve all shown" approves the records the page listed, not ones
    that arrived since; ten clicks at once approve each record once."""
    placement = _place(personas, befriender, personas.volunteer, personas.coordinator_a)
    shown = [
        log_for_placement(
            user=personas.volunteer,
            placement=placement,
            day=TODAY - timedelta(days=n),
            minutes=60,
            today=TODAY,
        )
        for n in (1, 2, 3)
    ]
    db.session.commit()
    coordinator = login(personas.coordinator_a)
    page = coordinator.get("/hours/approvals").get_data(as_text=True)
    assert "Approve all 3 shown" in page and 'data-module="vh-select-all"' in page
    for record in shown:
        assert f'name="shown" value="{record.id}"' in page
    later = log_for_placement(
        user=personas.volunteer,
        placement=placement,
        day=TODAY - timedelta(days=4),
        minutes=60,
        today=TODAY,
    )
    db.session.commit()

    results = parallel.post(
        coordinator,
        "/hours/approvals",
        {"shown": [str(r.id) for r in shown], "action": "approve_all"},
        times=10,
    )
    assert results.server_errors == []
    assert _count("hours.approved") == 3
    db.session.expire_all()
    assert {db.session.get(HourRecord, r.id).status for r in shown} == {"approved"}
    assert db.session.get(HourRecord, later.id).status == "submitted"
