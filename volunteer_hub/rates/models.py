"""The rate table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from volunteer_hub.core.models import TimestampMixin
from volunteer_hub.extensions import Model


class Rate(TimestampMixin, Model):
    __tablename__ = "rates_rate"
    __table_args__ = (
        UniqueConstraint("key", "effective_from"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint(
            "effective_to IS NULL OR effective_to >= effective_from", name="dates_in_order"
        ),
        Index("ix_rates_rate_soc_code", "soc_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. ``uk_median_hourly_2025``; the family is the key without a trailing ``_YYYY``.
    key: Mapped[str] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    unit: Mapped[str] = mapped_column(String(20), default="hour")
    #: What the figure is, in words (printed beside every value it produces).
    basis: Mapped[str] = mapped_column(String(500))
    geography: Mapped[str] = mapped_column(String(100))
    #: The date or period the figure describes, as published (e.g. "April 2025", "2025/26").
    reference_date: Mapped[str] = mapped_column(String(50))
    source: Mapped[str] = mapped_column(String(500))
    effective_from: Mapped[date]
    effective_to: Mapped[date | None]
    #: UK SOC 2020 occupation code for specialist rates; NULL for general rates.
    soc_code: Mapped[str | None] = mapped_column(String(4))

    def in_force(self, on: date) -> bool:
        """Whether the rate applies on ``on`` (from its first day to its last, if any)."""
        return self.effective_from <= on and (self.effective_to is None or self.effective_to >= on)
