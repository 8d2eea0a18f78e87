"""`flask reminders send`: every due reminder once, however often it runs."""

from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import select

from tests.hours.test_hours_logging import TODAY, _place
from volunteer_hub.accounts.models import OutboxMessage
from volunteer_hub.extensions import db
from volunteer_hub.supervision.models import SupervisionAction, SupervisionRecord


def test_reminders_are_queued_once(personas, publish, runner) -> None:
    role = publish(personas.org_a, "Befriender")  # supervision every 6 weeks
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
            description="Return the key", owner="volunteer", due_on=TODAY - timedelta(days=2)
        )
    )
    db.session.add(record)
    from datetime import UTC, datetime

    from volunteer_hub.hours.models import HourRecord

    db.session.add(
        HourRecord(
            volunteer_id=placement.volunteer_id,
            organisation_id=placement.organisation_id,
            placement_id=placement.id,
            date=TODAY - timedelta(days=20),
            seconds=3600,
            status="submitted",
            source="logged",
            created_at=datetime.now(UTC) - timedelta(days=20),
        )
    )
    db.session.commit()
    with freeze_time(TODAY.isoformat() + " 09:00:00"):
        result = runner.invoke(args=["reminders", "send"])
        assert result.exit_code == 0, repr(result.exception)
        first = result.output.strip().splitlines()[-1]
        second = runner.invoke(args=["reminders", "send"]).output.strip().splitlines()[-1]
    # Supervision overdue to the supervisor and the volunteer, the action to the volunteer, and
    # hours waiting more than 14 days to the supervisor; and organisation B's checks, never
    # recorded, to its coordinator (once per lapse, in its own email).
    assert first == "reminders queued: 5"
    assert second == "reminders queued: 0"
    to = sorted(
        m.to_address
        for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder"))
    )
    assert len(to) == 4, to
    assert to == sorted([personas.coordinator_a.email] * 2 + [personas.volunteer.email] * 2)
