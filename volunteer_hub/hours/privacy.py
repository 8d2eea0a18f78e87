"""Hours' privacy hooks: hour records.

Export: every hour record. Erasure: notes are emptied (the records, minutes and dates stay, so
every figure is the same). Activity: the day of the last hours and when they were recorded; a
volunteer with hours counts as placed for retention (imported hours may have no placement).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, select, update

from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord


@hooks.export(100)
def export_hours(subject: hooks.Subject) -> dict[str, Any]:
    if subject.volunteer is None:
        return {}
    return {
        "hours": hooks.rows(
            select(HourRecord)
            .where(HourRecord.volunteer_id == subject.volunteer.id)
            .order_by(HourRecord.date)
        )
    }


@hooks.erase(40)
def erase_hours(erasure: hooks.Erasure) -> None:
    if erasure.volunteer is None:
        return
    db.session.execute(
        update(HourRecord)
        .where(HourRecord.volunteer_id == erasure.volunteer.id, HourRecord.note.is_not(None))
        .values(note=None)
        .execution_options(synchronize_session=False)
    )
    erasure.free_text.append("hours")


@hooks.activity
def activity(today: date) -> Iterable[tuple[Any, ...]]:
    return db.session.execute(
        select(
            HourRecord.volunteer_id, func.max(HourRecord.date), func.max(HourRecord.created_at)
        ).group_by(HourRecord.volunteer_id)
    )


@hooks.placed
def with_hours() -> set[int]:
    return set(db.session.scalars(select(HourRecord.volunteer_id).distinct()))
