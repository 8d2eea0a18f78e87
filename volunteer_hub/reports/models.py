"""Partners' subscriptions to the quarterly report, what has been sent to them, and the version
of the data reports are built from."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, event
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
