"""Invented supervision records: the demo volunteer's garden meetings (one action overdue) and
some other placements with supervision overdue."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from volunteer_hub.accounts.models import User
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.placements.models import Placement
from volunteer_hub.supervision.models import SupervisionAction, SupervisionRecord
from volunteer_hub.volunteers.models import Volunteer


def seed() -> list[str]:
    if db.session.scalar(select(SupervisionRecord.id).limit(1)) is not None:
        return []
    today = date.today()
    count = 0
    demo = db.session.scalar(
        select(User).where(User.email == "volunteer@demo.volunteerhub.invalid")
    )
    garden = (
        db.session.scalar(
            select(Placement)
            .join(Volunteer, Volunteer.id == Placement.volunteer_id)
            .where(Volunteer.user_id == demo.id)
        )
        if demo is not None
        else None
    )
    if garden is not None:
        met_on = today - timedelta(days=50)  # six-weekly: now overdue
        record = SupervisionRecord(
            placement_id=garden.id,
            supervisor_id=garden.supervisor_id,
            met_on=met_on,
            format="one_to_one",
            wellbeing=4,
            went_well="Settled in quickly; the raised beds are thriving.",
            concerns="Finds the Saturday start early some weeks.",
            next_meeting_on=met_on + timedelta(weeks=6),
            confidential_notes="Mentioned a bereavement in the spring; check in gently.",
        )
        record.actions.append(
            SupervisionAction(
                description="Read the tool safety sheet",
                owner="volunteer",
                due_on=today - timedelta(days=7),
            )
        )
        record.actions.append(
            SupervisionAction(
                description="Order gardening gloves in a smaller size",
                owner="supervisor",
                due_on=today - timedelta(days=21),
                done_at=utcnow(),
            )
        )
        db.session.add(record)
        count += 1
    # A few other placements: one met recently, the rest last met long ago (now overdue).
    others = db.session.scalars(
        select(Placement)
        .where(Placement.end_date.is_(None), Placement.id != (garden.id if garden else 0))
        .order_by(Placement.id)
        .limit(6)
    ).all()
    for n, placement in enumerate(others):
        met_on = max(placement.start_date, today - timedelta(days=10 if n % 3 == 0 else 70))
        if met_on >= today:
            continue
        db.session.add(
            SupervisionRecord(
                placement_id=placement.id,
                supervisor_id=placement.supervisor_id,
                met_on=met_on,
                format=("one_to_one", "group", "phone_video")[n % 3],
                wellbeing=3 + n % 3,
                went_well="Getting to know the team.",
            )
        )
        count += 1
    db.session.flush()
    return [f"Demo supervision: {count} meetings (the garden one overdue, with an action overdue)."]
