"""Scheduling's privacy hooks: a volunteer's sign-ups to shifts.

Export: each sign-up with its shift's role, organisation, start and end (export position 125,
only when the volunteer has any). Erasure (position 52): sign-ups that are not attendance are
deleted; attended ones stay, pointing at the anonymised volunteer record, so the shift's roster
and the approved hours it made are kept as anonymous hours. Activity: the last sign-up made.
Calendar feed link: exported as the day it was made (position 126, never the secret or its
hash); erasure deletes it (position 53), so the link answers 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select

from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.extensions import db
from volunteer_hub.scheduling.models import FeedToken, SignUp


@hooks.export(125)
def export_scheduling(subject: hooks.Subject) -> dict[str, Any]:
    if subject.volunteer is None:
        return {}
    signups = list(
        db.session.scalars(
            select(SignUp).where(SignUp.volunteer_id == subject.volunteer.id).order_by(SignUp.id)
        )
    )
    if not signups:
        return {}
    return {
        "scheduling": {
            "signups": [
                {
                    **hooks.row_dict(s),
                    "role": s.shift.role.title,
                    "organisation": s.shift.role.organisation.name,
                    "starts_at": hooks.json_value(s.shift.starts_at),
                    "ends_at": hooks.json_value(s.shift.ends_at),
                }
                for s in signups
            ]
        }
    }


@hooks.erase(52)
def erase_scheduling(erasure: hooks.Erasure) -> None:
    if erasure.volunteer is None:
        return
    gone = db.session.execute(
        delete(SignUp)
        .where(SignUp.volunteer_id == erasure.volunteer.id, SignUp.status != "attended")
        .execution_options(synchronize_session=False)
    )
    if gone.rowcount:  # type: ignore[attr-defined]
        erasure.erased.append("shift sign-ups deleted (attendance kept as anonymous hours)")


@hooks.activity
def activity(today: date) -> Iterable[tuple[Any, ...]]:
    yield from db.session.execute(
        select(SignUp.volunteer_id, func.max(SignUp.created_at)).group_by(SignUp.volunteer_id)
    )


# --- interview bookings ----------------------------------------------------------------------
# Export (position 126): each booking with its slot's role, organisation, time and place.
# Erasure (position 51): the person's bookings are deleted (their slots stay, free).


@hooks.export(126)
def export_interviews(subject: hooks.Subject) -> dict[str, Any]:
    from volunteer_hub.scheduling.interview_queries import bookings_of_volunteer

    if subject.volunteer is None:
        return {}
    bookings = bookings_of_volunteer(subject.volunteer.id)
    if not bookings:
        return {}
    return {
        "interviews": [
            {
                "status": b.status,
                "booked_at": hooks.json_value(b.created_at),
                "role": b.slot.role.title,
                "organisation": b.slot.role.organisation.name,
                "starts_at": hooks.json_value(b.slot.starts_at),
                "minutes": b.slot.minutes,
                "place": b.slot.place,
                "video_url": b.slot.video_url,
            }
            for b in bookings
        ]
    }


@hooks.erase(51)
def erase_interviews(erasure: hooks.Erasure) -> None:
    from volunteer_hub.scheduling.models import InterviewBooking

    if erasure.volunteer is None:
        return
    gone = db.session.execute(
        delete(InterviewBooking)
        .where(InterviewBooking.volunteer_id == erasure.volunteer.id)
        .execution_options(synchronize_session=False)
    )
    if gone.rowcount:  # type: ignore[attr-defined]
        erasure.erased.append("interview bookings deleted")


# --- calendar feed links (scheduling/feeds.py) -------------------------------------------------


@hooks.export(127)
def export_calendar_feed(subject: hooks.Subject) -> dict[str, Any]:
    """Whether the person has a calendar link, and since when (never its secret or hash)."""
    if subject.user is None:
        return {}
    made = db.session.scalar(
        select(FeedToken.created_at).where(FeedToken.user_id == subject.user.id)
    )
    return {"calendar_feed": {"link_made_at": hooks.json_value(made)}} if made else {}


@hooks.erase(53)
def erase_calendar_feed(erasure: hooks.Erasure) -> None:
    """The person's calendar link stops working: its row is deleted."""
    if erasure.user is None:
        return
    gone = db.session.execute(
        delete(FeedToken)
        .where(FeedToken.user_id == erasure.user.id)
        .execution_options(synchronize_session=False)
    )
    if gone.rowcount:  # type: ignore[attr-defined]
        erasure.erased.append("calendar feed link deleted")
