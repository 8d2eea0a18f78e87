"""Logging and approving hours: the rules the logging screens (a later issue) will use."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from volunteer_hub.accounts.models import AuditEvent
from volunteer_hub.core.errors import DomainError
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.hours.services import approve, log_hours, reject, today
from volunteer_hub.organisations.models import Role
from volunteer_hub.volunteers.models import Volunteer


@pytest.fixture
def volunteer(personas) -> Volunteer:
    record = Volunteer(
        name="Vic Volunteer", email=personas.volunteer.email, user_id=personas.volunteer.id
    )
    db.session.add(record)
    db.session.flush()
    return record


def _log(volunteer: Volunteer, personas, **kwargs) -> HourRecord:
    values = {"organisation_id": personas.org_a.id, "day": date(2025, 5, 1), "seconds": 7200}
    return log_hours(volunteer=volunteer, **{**values, **kwargs})


def test_logged_hours_wait_for_approval_and_then_count(
    personas, volunteer, default_rates, cli
) -> None:
    role = Role(organisation_id=personas.org_a.id, title="Befriender", soc_code="6145")
    db.session.add(role)
    db.session.flush()
    record = _log(volunteer, personas, role=role)
    assert record.status == "submitted" and record.source == "logged" and record.soc_code == "6145"
    db.session.commit()
    assert (
        cli("report", None, "--start", "2025-04-01", "--end", "2026-03-31")["total_hours"] == "0.00"
    )
    approve(record, approver=personas.coordinator_a)
    db.session.commit()
    assert record.approved_by_id == personas.coordinator_a.id and record.approved_at is not None
    report = cli("report", None, "--start", "2025-04-01", "--end", "2026-03-31")
    assert report["total_hours"] == "2.00" and report["active_volunteers"] == 1
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "hours.approved"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"day": "tomorrow"}, "cannot be in the future"),
        ({"seconds": 0}, "more than 0 and at most 24 hours"),
        ({"seconds": 24 * 3600 + 1}, "more than 0 and at most 24 hours"),
    ],
)
def test_bad_hours_are_refused(personas, volunteer, kwargs, message) -> None:
    if kwargs.get("day") == "tomorrow":
        kwargs = {"day": today() + timedelta(days=1)}
    with pytest.raises(DomainError, match=message):
        _log(volunteer, personas, **kwargs)


def test_role_must_belong_to_the_organisation(personas, volunteer) -> None:
    role = Role(organisation_id=personas.org_b.id, title="Driver")
    db.session.add(role)
    db.session.flush()
    with pytest.raises(DomainError, match="another organisation"):
        _log(volunteer, personas, role=role)


def test_who_may_decide(personas, volunteer) -> None:
    record = _log(volunteer, personas)
    with pytest.raises(DomainError, match="Only the organisation's coordinators"):
        approve(record, approver=personas.coordinator_b)
    with pytest.raises(DomainError, match="Only the organisation's coordinators"):
        approve(record, approver=personas.partner)
    approve(record, approver=personas.centre)
    with pytest.raises(DomainError, match="already approved"):
        approve(record, approver=personas.coordinator_a)


def test_nobody_approves_their_own_hours(personas) -> None:
    own = Volunteer(
        name="Coord A", email=personas.coordinator_a.email, user_id=personas.coordinator_a.id
    )
    db.session.add(own)
    db.session.flush()
    record = _log(own, personas)
    with pytest.raises(DomainError, match="Nobody approves their own hours"):
        approve(record, approver=personas.coordinator_a)
    assert record.status == "submitted"


def test_rejection_needs_a_reason(personas, volunteer) -> None:
    record = _log(volunteer, personas)
    with pytest.raises(DomainError, match="Give a reason"):
        reject(record, approver=personas.coordinator_a, reason="   ")
    reject(record, approver=personas.coordinator_a, reason="Session was cancelled")
    assert record.status == "rejected" and record.decision_reason == "Session was cancelled"
