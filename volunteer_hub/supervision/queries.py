"""Reads of the supervision domain: who may see a placement's supervision, when meetings are
due, what is overdue, and the meetings pages list. Views, reminders and the admin dashboard read
supervision through this module."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, or_, select

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import coordinated_organisation_ids
from volunteer_hub.extensions import db
from volunteer_hub.placements.models import Placement
from volunteer_hub.supervision.models import SupervisionAction, SupervisionRecord


def is_supervising(user: User, placement: Placement) -> bool:
    """The named supervisor or the organisation's coordinators (the full record)."""
    return placement.supervisor_id == user.id or (
        placement.organisation_id in coordinated_organisation_ids(user)
    )


def is_the_volunteer(user: User, placement: Placement) -> bool:
    return placement.volunteer.user_id == user.id


def due_dates(placements: list[Placement]) -> dict[int, date]:
    """When each active placement's next meeting is due: the agreed task description's "every
    N weeks" after the last meeting (or the start). One query for all the placements."""
    last = dict(
        db.session.execute(
            select(SupervisionRecord.placement_id, func.max(SupervisionRecord.met_on))
            .where(SupervisionRecord.placement_id.in_([p.id for p in placements]))
            .group_by(SupervisionRecord.placement_id)
        ).all()
    )
    due = {}
    for placement in placements:
        weeks = placement.role_version.content.get("supervision_every_weeks")
        if weeks and placement.end_date is None:
            start = last.get(placement.id) or placement.start_date
            due[placement.id] = start + timedelta(weeks=int(weeks))
    return due


def next_due(placement: Placement, today: date) -> date | None:
    """When the next meeting is due (None without a schedule or once the placement ended)."""
    return due_dates([placement]).get(placement.id)


def overdue_for(
    user: User, today: date
) -> tuple[list[tuple[Placement, date]], list[SupervisionAction]]:
    """Meetings past their due date (with the date) and open actions past theirs, for the
    placements the user supervises or coordinates (the centre: every placement)."""
    statement = select(Placement).where(Placement.end_date.is_(None))
    if not (user.is_admin or user.is_centre_coordinator):
        statement = statement.where(
            or_(
                Placement.supervisor_id == user.id,
                Placement.organisation_id.in_(coordinated_organisation_ids(user)),
            )
        )
    placements = list(db.session.scalars(statement))
    due = due_dates(placements)
    late = sorted(
        ((p, due[p.id]) for p in placements if p.id in due and due[p.id] < today),
        key=lambda item: item[1],
    )
    actions = list(
        db.session.scalars(
            select(SupervisionAction)
            .join(SupervisionRecord, SupervisionRecord.id == SupervisionAction.record_id)
            .where(
                SupervisionAction.done_at.is_(None),
                SupervisionAction.due_on < today,
                SupervisionRecord.placement_id.in_([p.id for p in placements]),
            )
            .order_by(SupervisionAction.due_on)
        )
    )
    return late, actions


def meetings_of(placement: Placement) -> list[SupervisionRecord]:
    """The placement's meetings, latest first."""
    return list(
        db.session.scalars(
            select(SupervisionRecord)
            .where(SupervisionRecord.placement_id == placement.id)
            .order_by(SupervisionRecord.met_on.desc())
        )
    )


def recorded_with_key(key: str | None) -> int | None:
    """The id of the meeting recorded from the form with this one-time key, if any."""
    return db.session.scalar(select(SupervisionRecord.id).where(SupervisionRecord.form_key == key))
