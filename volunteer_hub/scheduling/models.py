"""Shifts, recurring patterns and sign-ups."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Time,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy import false as sql_false
from sqlalchemy import true as sql_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer_hub.core.models import UTCDateTime, utcnow
from volunteer_hub.extensions import Model
from volunteer_hub.organisations.models import Organisation, Role
from volunteer_hub.recruitment.models import Application
from volunteer_hub.volunteers.models import Volunteer

SIGNUP_STATUSES = ("confirmed", "waiting", "cancelled", "attended", "no_show")
#: Sign-ups that hold a place on the shift.
HOLDING = ("confirmed", "attended", "no_show")
WHO = ("placed", "anyone")
FREQUENCIES = ("weekly", "fortnightly", "monthly")


def organisation_cutoff(context: Any) -> int:
    """The default cut-off of a new shift: its role's organisation's ``shift_cutoff_hours``."""
    role_id = context.get_current_parameters().get("role_id")
    found = context.connection.execute(
        select(Organisation.shift_cutoff_hours)
        .join(Role, Role.organisation_id == Organisation.id)
        .where(Role.id == role_id)
    ).scalar()
    return 24 if found is None else int(found)


class ShiftPattern(Model):
    """A recurring shift (RRULE semantics), expanded into :class:`Shift` rows for a horizon."""

    __tablename__ = "scheduling_pattern"
    __table_args__ = (
        CheckConstraint("frequency IN ('weekly', 'fortnightly', 'monthly')", name="frequency"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_valid"),
        CheckConstraint(
            "(frequency = 'monthly' AND nth IN (1, 2, 3, 4, -1)) "
            "OR (frequency <> 'monthly' AND nth IS NULL)",
            name="nth_valid",
        ),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("minimum >= 0 AND minimum <= capacity", name="minimum_valid"),
        CheckConstraint("who IN ('placed', 'anyone')", name="who_valid"),
        CheckConstraint("until IS NULL OR until >= starts_on", name="until_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(
        ForeignKey("organisations_role.id", ondelete="CASCADE"), index=True
    )
    frequency: Mapped[str] = mapped_column(String(12))
    #: Monday 0 … Sunday 6.
    weekday: Mapped[int]
    #: For monthly patterns: the 1st, 2nd, 3rd, 4th or last (-1) such weekday of the month.
    nth: Mapped[int | None]
    #: Europe/London wall-clock times; an end before the start ends the next day.
    start_time: Mapped[time] = mapped_column(Time())
    end_time: Mapped[time] = mapped_column(Time())
    starts_on: Mapped[date]
    until: Mapped[date | None]
    #: Leave out bank holidays in England and Wales (the bundled calendar).
    skip_bank_holidays: Mapped[bool] = mapped_column(default=True, server_default=sql_true())
    location: Mapped[str | None] = mapped_column(String(300))
    capacity: Mapped[int]
    minimum: Mapped[int] = mapped_column(default=0)
    who: Mapped[str] = mapped_column(String(8), default="placed")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    role: Mapped[Role] = relationship()


class Shift(Model):
    __tablename__ = "scheduling_shift"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("minimum >= 0 AND minimum <= capacity", name="minimum_valid"),
        CheckConstraint("who IN ('placed', 'anyone')", name="who_valid"),
        CheckConstraint("cutoff_hours >= 0", name="cutoff_not_negative"),
        CheckConstraint("version > 0", name="version_positive"),
        #: A pattern makes each occurrence once, however often it is expanded.
        UniqueConstraint("pattern_id", "starts_at"),
        Index("ix_scheduling_shift_role_starts", "role_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: An import's reference for the shift; unique, so importing the same file again skips it.
    ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("organisations_role.id", ondelete="RESTRICT"))
    pattern_id: Mapped[int | None] = mapped_column(
        ForeignKey("scheduling_pattern.id", ondelete="SET NULL"), index=True
    )
    #: UTC instants, computed from the Europe/London times the coordinator entered.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    location: Mapped[str | None] = mapped_column(String(300))
    capacity: Mapped[int]
    #: Fewer confirmed volunteers than this is a gap on the rota.
    minimum: Mapped[int] = mapped_column(default=0)
    #: ``placed``: only volunteers placed in the role sign up; ``anyone``: any volunteer.
    who: Mapped[str] = mapped_column(String(8), default="placed")
    #: Volunteers cancel up to this many hours before the start (coordinators at any time); a
    #: new shift takes its organisation's ``shift_cutoff_hours`` unless given one.
    cutoff_hours: Mapped[int] = mapped_column(default=organisation_cutoff)
    #: Bumped on every change to the shift's time, place or status (reminders, feeds).
    version: Mapped[int] = mapped_column(default=1)
    cancelled: Mapped[bool] = mapped_column(default=False, server_default=sql_false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    role: Mapped[Role] = relationship()
    pattern: Mapped[ShiftPattern | None] = relationship()
    signups: Mapped[list[SignUp]] = relationship(
        back_populates="shift", order_by="SignUp.id", cascade="all, delete-orphan"
    )

    @property
    def organisation_id(self) -> int:
        return self.role.organisation_id

    @property
    def confirmed(self) -> list[SignUp]:
        return [s for s in self.signups if s.status in HOLDING]

    @property
    def waiting(self) -> list[SignUp]:
        return sorted(
            (s for s in self.signups if s.status == "waiting"), key=lambda s: s.position or 0
        )

    @property
    def places_left(self) -> int:
        return max(self.capacity - len(self.confirmed), 0)

    @property
    def short(self) -> int:
        """How many more volunteers the shift needs to reach its minimum."""
        return max(self.minimum - len(self.confirmed), 0)

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class SignUp(Model):
    __tablename__ = "scheduling_signup"
    __table_args__ = (
        UniqueConstraint("shift_id", "volunteer_id"),
        UniqueConstraint("shift_id", "position"),
        CheckConstraint(
            "status IN ('confirmed', 'waiting', 'cancelled', 'attended', 'no_show')",
            name="status_valid",
        ),
        CheckConstraint(
            "(status = 'waiting' AND position IS NOT NULL) "
            "OR (status <> 'waiting' AND position IS NULL)",
            name="position_only_waiting",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(
        ForeignKey("scheduling_shift.id", ondelete="CASCADE"), index=True
    )
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_volunteer.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(12))
    #: Place in the waiting list (1 first); only while waiting.
    position: Mapped[int | None]
    #: The approved hour record attendance made (the current one, after corrections).
    hour_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("hours_record.id", ondelete="SET NULL"), unique=True
    )
    #: The shift's version the day-before reminder was sent for (sent again after a change).
    reminded_version: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When the volunteer checked themselves in / out by the shift's QR code (``checkin.py``).
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    shift: Mapped[Shift] = relationship(back_populates="signups")
    volunteer: Mapped[Volunteer] = relationship()


# --- interview slots (scheduling/interviews.py) ----------------------------------------------

BOOKING_STATUSES = ("booked", "cancelled", "released")


class InterviewSlot(Model):
    """A time a role's coordinators can interview one applicant, in person or by video."""

    __tablename__ = "scheduling_interview_slot"
    __table_args__ = (
        CheckConstraint("minutes BETWEEN 5 AND 480", name="minutes_valid"),
        CheckConstraint("place IS NOT NULL OR video_url IS NOT NULL", name="place_or_link"),
        Index("ix_scheduling_interview_slot_role_starts", "role_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("organisations_role.id", ondelete="CASCADE"))
    #: A UTC instant, from the Europe/London time the coordinator entered.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    minutes: Mapped[int]
    place: Mapped[str | None] = mapped_column(String(300))
    #: An https link to the video call.
    video_url: Mapped[str | None] = mapped_column(String(500))
    cancelled: Mapped[bool] = mapped_column(default=False, server_default=sql_false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    role: Mapped[Role] = relationship()

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


class InterviewBooking(Model):
    """An applicant's booking of a slot. Moving keeps the row (its calendar ``uid``) and bumps
    ``sequence``; a slot holds one booking and an application one, while ``booked``."""

    __tablename__ = "scheduling_interview_booking"
    __table_args__ = (
        CheckConstraint(
            "status IN ('booked', 'cancelled', 'released')", name="booking_status_valid"
        ),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        Index(
            "uq_scheduling_interview_booking_slot",
            "slot_id",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
        Index(
            "uq_scheduling_interview_booking_application",
            "application_id",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("scheduling_interview_slot.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int] = mapped_column(
        ForeignKey("recruitment_application.id", ondelete="CASCADE"), index=True
    )
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_volunteer.id", ondelete="CASCADE"), index=True
    )
    #: ``booked``; ``cancelled`` by either side; ``released`` when the application left the
    #: interview stage.
    status: Mapped[str] = mapped_column(String(12), default="booked")
    #: The calendar UID of this booking, the same in every invitation, move and cancellation.
    uid: Mapped[str] = mapped_column(String(100), unique=True)
    #: The iCalendar SEQUENCE: bumped on every move and on cancelling.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    slot: Mapped[InterviewSlot] = relationship()
    application: Mapped[Application] = relationship()
    volunteer: Mapped[Volunteer] = relationship()


class FeedToken(Model):
    """A person's private calendar feed link (``scheduling/feeds.py``). Only a SHA-256 hash of
    the link's secret is stored: the secret is an HMAC of the app's key, the user and ``salt``,
    so the settings page can show the link again; a new ``salt`` revokes the old link."""

    __tablename__ = "scheduling_feed_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="CASCADE"), unique=True
    )
    #: Random; changed to revoke the link.
    salt: Mapped[str] = mapped_column(String(64))
    #: SHA-256 (hex) of the secret in the link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
