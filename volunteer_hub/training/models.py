"""Courses, sessions, bookings, completions and exceptions."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, Time, UniqueConstraint
from sqlalchemy import false as sql_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer_hub.accounts.models import User
from volunteer_hub.core.formatting import plural
from volunteer_hub.core.models import UTCDateTime, utcnow
from volunteer_hub.extensions import Model
from volunteer_hub.organisations.models import Organisation, Role
from volunteer_hub.volunteers.models import Volunteer

BOOKING_STATUSES = ("booked", "waiting", "cancelled", "attended", "absent")


class Course(Model):
    __tablename__ = "training_course"
    __table_args__ = (
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("valid_months IS NULL OR valid_months > 0", name="validity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("organisations_organisation.id", ondelete="RESTRICT"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)
    duration_minutes: Mapped[int]
    #: How long a completion stays valid; None: it never expires.
    valid_months: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    provider: Mapped[Organisation] = relationship()

    @property
    def validity(self) -> str:
        if self.valid_months is None:
            return "Never expires"
        return plural(self.valid_months, "month")


class RoleCourse(Model):
    """A course a role's volunteers must hold."""

    __tablename__ = "training_role_course"
    __table_args__ = (UniqueConstraint("role_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(
        ForeignKey("organisations_role.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("training_course.id", ondelete="CASCADE"))

    role: Mapped[Role] = relationship()
    course: Mapped[Course] = relationship()


class TrainingSession(Model):
    __tablename__ = "training_session"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("place IS NOT NULL OR online_link IS NOT NULL", name="where_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("training_course.id", ondelete="RESTRICT"), index=True
    )
    held_on: Mapped[date] = mapped_column(index=True)
    starts_at: Mapped[time] = mapped_column(Time())
    place: Mapped[str | None] = mapped_column(String(300))
    online_link: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int]
    trainer_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    cancelled: Mapped[bool] = mapped_column(default=False, server_default=sql_false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship()
    trainer: Mapped[User | None] = relationship()
    bookings: Mapped[list[Booking]] = relationship(
        back_populates="session", order_by="Booking.id", cascade="all, delete-orphan"
    )

    @property
    def booked(self) -> int:
        return sum(1 for b in self.bookings if b.status in ("booked", "attended", "absent"))

    @property
    def waiting(self) -> list[Booking]:
        return [b for b in self.bookings if b.status == "waiting"]

    @property
    def holding_places(self) -> list[Booking]:
        """Bookings with a place: booked, or already marked attended or absent."""
        return [b for b in self.bookings if b.status in ("booked", "attended", "absent")]

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.booked, 0)

    def bookable_on(self, today: date) -> bool:
        """Places are booked (and cancelled) until the day before the session."""
        return self.held_on > today

    def markable_on(self, today: date) -> bool:
        """Attendance is marked on or after the day."""
        return self.held_on <= today


class Booking(Model):
    __tablename__ = "training_booking"
    __table_args__ = (
        UniqueConstraint("session_id", "volunteer_id"),
        CheckConstraint(
            "status IN ('booked', 'waiting', 'cancelled', 'attended', 'absent')",
            name="status_valid",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_session.id", ondelete="CASCADE"), index=True
    )
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_volunteer.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    session: Mapped[TrainingSession] = relationship(back_populates="bookings")
    volunteer: Mapped[Volunteer] = relationship()


class Completion(Model):
    __tablename__ = "training_completion"
    __table_args__ = (
        CheckConstraint("source IN ('session', 'external')", name="source_valid"),
        CheckConstraint(
            "expires_on IS NULL OR expires_on > completed_on", name="expiry_after_completion"
        ),
        # One completion per attendee of a session (a session has many attendees).
        UniqueConstraint("session_id", "volunteer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_volunteer.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(
        ForeignKey("training_course.id", ondelete="RESTRICT"), index=True
    )
    completed_on: Mapped[date]
    expires_on: Mapped[date | None] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(String(16))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_session.id", ondelete="SET NULL")
    )
    #: For training done elsewhere: what the coordinator saw (a certificate, its number).
    evidence: Mapped[str | None] = mapped_column(String(500))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship()
    volunteer: Mapped[Volunteer] = relationship()

    def expired_on(self, today: date) -> bool:
        """Whether the completion had expired by ``today`` (never, without an expiry date)."""
        return self.expires_on is not None and self.expires_on < today


class TrainingException(Model):
    """A coordinator's decision that a volunteer may be placed without a required course."""

    __tablename__ = "training_exception"
    __table_args__ = (UniqueConstraint("volunteer_id", "role_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_volunteer.id", ondelete="CASCADE"), index=True
    )
    role_id: Mapped[int] = mapped_column(ForeignKey("organisations_role.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("training_course.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(1000))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship()
