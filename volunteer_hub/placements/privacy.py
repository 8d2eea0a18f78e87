"""Placements' privacy hooks: placements.

Export: each placement with its role, organisation and the task description agreed. Erasure:
nothing to change (a placement holds no free text of the volunteer's; redaction empties the rest).
Activity: the start and end of every placement, and today for an open one. Supervisors are staff
(never erased by retention); a volunteer placed at some time is a "volunteer", not an "applicant".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, select

from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.extensions import db
from volunteer_hub.placements.models import Placement


@hooks.export(90)
def export_placements(subject: hooks.Subject) -> dict[str, Any]:
    if subject.volunteer is None:
        return {}
    placements = db.session.scalars(
        select(Placement)
        .where(Placement.volunteer_id == subject.volunteer.id)
        .order_by(Placement.id)
    )
    return {
        "placements": [
            {
                **hooks.row_dict(p),
                "role": p.role.title,
                "organisation": p.organisation.name,
                "task_description_agreed": p.role_version.content,
            }
            for p in list(placements)
        ]
    }


@hooks.activity
def activity(today: date) -> Iterable[tuple[Any, ...]]:
    yield from db.session.execute(
        select(
            Placement.volunteer_id,
            func.max(Placement.start_date),
            func.max(Placement.end_date),
        ).group_by(Placement.volunteer_id)
    )
    open_placements = select(Placement.volunteer_id).where(Placement.end_date.is_(None)).distinct()
    yield from ((vid, today) for vid in db.session.scalars(open_placements))


@hooks.staff
def supervisors() -> set[int]:
    return set(db.session.scalars(select(Placement.supervisor_id)))


@hooks.placed
def placed() -> set[int]:
    return set(db.session.scalars(select(Placement.volunteer_id).distinct()))
