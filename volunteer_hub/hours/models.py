"""Hour records."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from volunteer_hub.core.models import UTCDateTime, utcnow
from volunteer_hub.extensions import Model


class HourStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class HourSource(enum.StrEnum):
    LOGGED = "logged"
    IMPORTED = "imported"


class HourRecord(Model):
    __tablename__ = "hours_record"
    __table_args__ = (
        CheckConstraint("seconds > 0 AND seconds <= 86400", name="seconds_in_range"),
        CheckConstraint("status IN ('submitted', 'approved', 'rejected')", name="status_valid"),
        CheckConstraint("source IN ('logged', 'imported')", name="source_valid"),
        # Covering indexes for the value report (measured in benchmarks/value_report.py): one
        # for scans of a date range, one for per-volunteer figures in volunteer order.
        Index(
            "ix_hours_record_report",
            "status",
            "date",
            "employer_time",
            "organisation_id",
            "role_id",
            "soc_code",
            "volunteer_id",
            "seconds",
        ),
        Index(
            "ix_hours_record_volunteer",
            "status",
            "employer_time",
            "volunteer_id",
            "date",
            "organisation_id",
            "seconds",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The import's reference for the row, when it had one; unique, so re-imports skip it.
    ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_volunteer.id", ondelete="RESTRICT")
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations_organisation.id", ondelete="RESTRICT"), index=True
    )
    role_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations_role.id", ondelete="SET NULL"), index=True
    )
    #: The placement the time was given in, when logged by the volunteer (imports may not know).
    placement_id: Mapped[int | None] = mapped_column(
        ForeignKey("placements_placement.id", ondelete="SET NULL"), index=True
    )
    #: The volunteer's note about the session.
    note: Mapped[str | None] = mapped_column(String(500))
    #: A correction's link to the approved record it replaced (that one is then rejected).
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("hours_record.id", ondelete="SET NULL")
    )
    date: Mapped[date]
    #: Duration in whole seconds (0 < seconds ≤ 24 h).
    seconds: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=HourStatus.SUBMITTED.value)
    source: Mapped[str] = mapped_column(String(16), default=HourSource.LOGGED.value)
    #: Employer-supported volunteering in paid time: reported separately, never valued.
    employer_time: Mapped[bool] = mapped_column(default=False)
    #: UK SOC 2020 code valuing this record (copied from the role or the import row).
    soc_code: Mapped[str | None] = mapped_column(String(4))
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    #: When the record was approved or rejected (``approved_by_id`` is who decided).
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Why it was rejected (or that it was approved automatically), shown to the volunteer.
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
