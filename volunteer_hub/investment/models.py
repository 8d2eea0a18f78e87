"""Investment entries."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from volunteer_hub.core.models import UTCDateTime, utcnow
from volunteer_hub.extensions import Model

CATEGORIES: dict[str, str] = {
    "coordinator_salary": "Coordinator salary share",
    "other_staff": "Other staff time share",
    "recruitment": "Recruitment and advertising",
    "training": "Induction and training",
    "expenses_reimbursed": "Reimbursed volunteer expenses",
    "dbs_insurance": "DBS checks and insurance",
    "recognition": "Recognition",
    "equipment": "Equipment",
    "overheads": "Overhead share",
    "other": "Other",
}


class InvestmentEntry(Model):
    __tablename__ = "investment_entry"
    __table_args__ = (
        CheckConstraint(
            "category IN (" + ", ".join(f"'{c}'" for c in CATEGORIES) + ")",
            name="category_valid",
        ),
        CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
        CheckConstraint("period_end >= period_start", name="period_in_order"),
        Index("ix_investment_entry_period", "period_start", "period_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations_organisation.id", ondelete="RESTRICT"), index=True
    )
    period_start: Mapped[date]
    period_end: Mapped[date]
    category: Mapped[str] = mapped_column(String(32))
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    #: ``entered`` on the investment page or ``imported``.
    source: Mapped[str] = mapped_column(String(16), default="entered")
    #: The one-time key of the form that entered it: the same form sent twice adds it once.
    form_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    entered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
