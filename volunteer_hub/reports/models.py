"""Partners' subscriptions to the quarterly report, and what has been sent to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
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
