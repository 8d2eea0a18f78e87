"""Supervision meetings and their agreed actions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer_hub.core.models import UTCDateTime, utcnow
from volunteer_hub.extensions import Model
from volunteer_hub.placements.models import Placement

FORMATS = {"one_to_one": "One-to-one", "group": "Group", "phone_video": "Phone or video call"}


class SupervisionRecord(Model):
    __tablename__ = "supervision_record"
    __table_args__ = (
        CheckConstraint("format IN ('one_to_one', 'group', 'phone_video')", name="format_valid"),
        CheckConstraint(
            "wellbeing IS NULL OR (wellbeing >= 1 AND wellbeing <= 5)", name="wellbeing_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placements_placement.id", ondelete="CASCADE"), index=True
    )
    supervisor_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    met_on: Mapped[date]
    format: Mapped[str] = mapped_column(String(16))
    #: 1 (struggling) to 5 (very well), as the volunteer says.
    wellbeing: Mapped[int | None]
    went_well: Mapped[str | None] = mapped_column(Text)
    concerns: Mapped[str | None] = mapped_column(Text)
    next_meeting_on: Mapped[date | None]
    #: Never shown to the volunteer (nor the centre).
    confidential_notes: Mapped[str | None] = mapped_column(Text)
    volunteer_comment: Mapped[str | None] = mapped_column(Text)
    #: The one-time key of the form that recorded it: the same form sent twice records once.
    form_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    placement: Mapped[Placement] = relationship()
    actions: Mapped[list[SupervisionAction]] = relationship(
        back_populates="record", order_by="SupervisionAction.id", cascade="all, delete-orphan"
    )


class SupervisionAction(Model):
    __tablename__ = "supervision_action"
    __table_args__ = (CheckConstraint("owner IN ('volunteer', 'supervisor')", name="owner_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_record.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(String(500))
    owner: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[date | None]
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    record: Mapped[SupervisionRecord] = relationship(back_populates="actions")
