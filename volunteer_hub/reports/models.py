"""Partners' subscriptions to the quarterly report, what has been sent to them, and the version
of the data reports are built from."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from volunteer_hub.core.models import UTCDateTime, utcnow
from volunteer_hub.extensions import Model


class QuarterlySubscription(Model):
    """A partner who asked to be emailed the quarterly report (all organisations) when each
    quarter closes. Deleting the person deletes the subscription."""

    __tablename__ = "reports_quarterly_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QuarterlyDelivery(Model):
    """One quarter's report queued to one subscriber: the unique key makes it exactly once,
    however often (or however many at once) the sending command runs."""

    __tablename__ = "reports_quarterly_delivery"
    __table_args__ = (
        UniqueConstraint("subscription_id", "year", "quarter"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("reports_quarterly_subscription.id", ondelete="CASCADE"), index=True
    )
    #: The financial year (2025 for 2025/26) and its quarter (1 = April to June).
    year: Mapped[int]
    quarter: Mapped[int]
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReportDataVersion(Model):
    """One row whose token changes, in the same transaction, with every write that can change a
    report's figures (see :mod:`volunteer_hub.reports.cache`): built reports are cached under it,
    so a report is never served from before a committed write. A token, not a counter, so that
    a rolled-back or restored database never gives an old number to different data."""

    __tablename__ = "reports_data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


@event.listens_for(ReportDataVersion.__table__, "after_create")
def _first_version(target: Any, connection: Any, **_kw: Any) -> None:
    """Tables made with ``create_all`` (the tests) start with their row, as the migration's do."""
    connection.execute(target.insert().values(id=1, token=uuid.uuid4().hex))


class ReportFile(Model):
    """A PDF one person asked for from the web, built by the background job into the report
    folder and kept for them alone until the cleanup job removes it (``REPORT_FILE_HOURS``).
    ``request_key`` makes the same request (person, format, choice, data) one file, however
    often, or however many times at once, it is asked for."""

    __tablename__ = "reports_file"
    __table_args__ = (
        CheckConstraint("fmt IN ('pdf', 'quarterly.pdf')", name="fmt_valid"),
        CheckConstraint(
            "status IN ('queued', 'building', 'ready', 'refused', 'failed')", name="status_valid"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The random part of the file's web address (with the owner check, never enough alone).
    token: Mapped[str] = mapped_column(String(64), unique=True)
    request_key: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="CASCADE"), index=True
    )
    fmt: Mapped[str] = mapped_column(String(20))
    #: The report picker's query (JSON), replayed as the person by the job.
    query: Mapped[str] = mapped_column(Text)
    #: Shown on the page: the period and organisation, and the download's file name.
    label: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date]
    period_end: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default="queued", index=True)
    #: Why a file was refused (the disclosure audit, a lost permission) or failed.
    message: Mapped[str | None] = mapped_column(Text)
    #: The random name it is kept under in the report folder once built.
    stored_name: Mapped[str | None] = mapped_column(String(100), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def finished(self) -> bool:
        return self.status in ("ready", "refused", "failed")
