"""Training's privacy hooks: completions, bookings and exceptions.

Export: completions and bookings (with the course, and the session's date), exceptions.
Erasure: a completion's evidence is emptied and an exception's reason replaced (the records stay,
so compliance figures are the same). Activity: the last completion and the last booking made.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, select, update

from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.extensions import db
from volunteer_hub.training.models import Booking, Completion, TrainingException


@hooks.export(120)
def export_training(subject: hooks.Subject) -> dict[str, Any]:
    if subject.volunteer is None:
        return {}
    vid = subject.volunteer.id
    completions = list(db.session.scalars(select(Completion).where(Completion.volunteer_id == vid)))
    bookings = list(db.session.scalars(select(Booking).where(Booking.volunteer_id == vid)))
    return {
        "training": {
            "completions": [{**hooks.row_dict(c), "course": c.course.title} for c in completions],
            "bookings": [
                {
                    **hooks.row_dict(b),
                    "course": b.session.course.title,
                    "held_on": hooks.json_value(b.session.held_on),
                }
                for b in bookings
            ],
            "exceptions": hooks.rows(
                select(TrainingException).where(TrainingException.volunteer_id == vid)
            ),
        }
    }


@hooks.erase(50)
def erase_training(erasure: hooks.Erasure) -> None:
    if erasure.volunteer is None:
        return
    vid = erasure.volunteer.id
    db.session.execute(
        update(Completion)
        .where(Completion.volunteer_id == vid, Completion.evidence.is_not(None))
        .values(evidence=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(TrainingException)
        .where(TrainingException.volunteer_id == vid)
        .values(reason=hooks.ERASED_TEXT)
        .execution_options(synchronize_session=False)
    )
    erasure.free_text.append("training notes")


@hooks.activity
def activity(today: date) -> Iterable[tuple[Any, ...]]:
    yield from db.session.execute(
        select(Completion.volunteer_id, func.max(Completion.completed_on)).group_by(
            Completion.volunteer_id
        )
    )
    yield from db.session.execute(
        select(Booking.volunteer_id, func.max(Booking.created_at)).group_by(Booking.volunteer_id)
    )
