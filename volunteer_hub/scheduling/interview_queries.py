"""Reads of interview slots and bookings. A booking holds its slot while it is ``booked`` and its
application is still at the interview stage: an application that has moved on (offered,
declined, withdrawn, placed) frees its slot at once, before the hourly job records it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Role
from volunteer_hub.recruitment.models import Application, Stage
from volunteer_hub.scheduling.models import InterviewBooking, InterviewSlot

#: How long past slots stay on the coordinators' list.
PAST_SHOWN = timedelta(days=14)


def _live():
    return (
        select(InterviewBooking)
        .join(Application, Application.id == InterviewBooking.application_id)
        .where(InterviewBooking.status == "booked", Application.stage == Stage.INTERVIEW.value)
    )


def is_live(booking: InterviewBooking) -> bool:
    return booking.status == "booked" and booking.application.stage == Stage.INTERVIEW.value


def booking_of_application(application_id: int) -> InterviewBooking | None:
    """The application's booked slot, while it is at the interview stage."""
    return db.session.scalar(
        _live()
        .where(InterviewBooking.application_id == application_id)
        .options(selectinload(InterviewBooking.slot).selectinload(InterviewSlot.role))
    )


def holder_of(slot_id: int) -> InterviewBooking | None:
    """The ``booked`` booking of the slot, live or not (the service frees a stale one)."""
    return db.session.scalar(
        select(InterviewBooking).where(
            InterviewBooking.slot_id == slot_id, InterviewBooking.status == "booked"
        )
    )


def slots_of_role(
    role_id: int, now: datetime
) -> list[tuple[InterviewSlot, InterviewBooking | None]]:
    """The coordinators' list: slots from two weeks ago on, each with its live booking."""
    slots = list(
        db.session.scalars(
            select(InterviewSlot)
            .where(InterviewSlot.role_id == role_id, InterviewSlot.starts_at >= now - PAST_SHOWN)
            .order_by(InterviewSlot.starts_at, InterviewSlot.id)
            .limit(500)
        )
    )
    booked = {
        b.slot_id: b
        for b in db.session.scalars(
            _live()
            .where(InterviewBooking.slot_id.in_([s.id for s in slots]))
            .options(selectinload(InterviewBooking.volunteer))
        )
    }
    return [(slot, booked.get(slot.id)) for slot in slots]


def open_slots(role_id: int, now: datetime, application_id: int) -> list[InterviewSlot]:
    """Slots an applicant may choose: upcoming, not cancelled, free (or their own)."""
    taken = (
        _live()
        .where(InterviewBooking.application_id != application_id)
        .with_only_columns(InterviewBooking.slot_id)
    )
    return list(
        db.session.scalars(
            select(InterviewSlot)
            .where(
                InterviewSlot.role_id == role_id,
                InterviewSlot.starts_at > now,
                InterviewSlot.cancelled.is_(False),
                InterviewSlot.id.not_in(taken),
            )
            .order_by(InterviewSlot.starts_at, InterviewSlot.id)
            .limit(200)
        )
    )


def overlapping_slots(role_id: int, start: datetime, end: datetime) -> list[InterviewSlot]:
    """The role's slots (not cancelled) that overlap ``start``–``end``."""
    candidates = db.session.scalars(
        select(InterviewSlot).where(
            InterviewSlot.role_id == role_id,
            InterviewSlot.cancelled.is_(False),
            InterviewSlot.starts_at < end,
            InterviewSlot.starts_at > start - timedelta(minutes=480),
        )
    )
    return [s for s in candidates if s.ends_at > start]


def stale_bookings() -> list[InterviewBooking]:
    """Booked slots whose application has left the interview stage."""
    return list(
        db.session.scalars(
            select(InterviewBooking)
            .join(Application, Application.id == InterviewBooking.application_id)
            .where(
                InterviewBooking.status == "booked",
                Application.stage != Stage.INTERVIEW.value,
            )
            .order_by(InterviewBooking.id)
        )
    )


def bookings_of_volunteer(volunteer_id: int) -> list[InterviewBooking]:
    """Every booking of the volunteer (for the privacy export)."""
    return list(
        db.session.scalars(
            select(InterviewBooking)
            .where(InterviewBooking.volunteer_id == volunteer_id)
            .order_by(InterviewBooking.id)
        )
    )


def live_bookings_of_volunteer(volunteer_id: int) -> list[InterviewBooking]:
    return list(
        db.session.scalars(
            _live()
            .join(InterviewSlot, InterviewSlot.id == InterviewBooking.slot_id)
            .where(InterviewBooking.volunteer_id == volunteer_id)
            .options(
                selectinload(InterviewBooking.slot)
                .selectinload(InterviewSlot.role)
                .selectinload(Role.organisation)
            )
            .order_by(InterviewSlot.starts_at)
        )
    )
