"""Expenses policies, claims, items, receipts, payment batches, approvers and bank details."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer_hub.core.models import TimestampMixin, UTCDateTime, utcnow
from volunteer_hub.extensions import Model
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.volunteers.models import Volunteer

#: Item types, in the order forms show them, with their labels.
ITEM_TYPES: dict[str, str] = {
    "car_mileage": "Car or van mileage",
    "motorcycle_mileage": "Motorcycle mileage",
    "bicycle_mileage": "Bicycle mileage",
    "passenger_mileage": "Passenger supplement (mileage)",
    "public_transport": "Public transport",
    "parking": "Parking",
    "subsistence": "Food and drink",
    "care": "Care costs (children or dependants)",
    "phone": "Phone calls",
    "equipment": "Equipment",
    "other": "Something else",
}
MILEAGE_TYPES = ("car_mileage", "motorcycle_mileage", "bicycle_mileage", "passenger_mileage")
#: Types a new policy repays: all but the passenger supplement, which is off by default.
DEFAULT_TYPES = tuple(t for t in ITEM_TYPES if t != "passenger_mileage")


class ClaimStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    APPROVED = "approved"
    PART_APPROVED = "part_approved"
    REJECTED = "rejected"
    PAID = "paid"


STATUS_LABELS = {
    "draft": "Draft",
    "submitted": "Submitted",
    "withdrawn": "Withdrawn",
    "approved": "Approved",
    "part_approved": "Part approved",
    "rejected": "Rejected",
    "paid": "Paid",
}
#: Claims whose decided amounts are (or will be) paid.
PAYABLE = (ClaimStatus.APPROVED.value, ClaimStatus.PART_APPROVED.value, ClaimStatus.PAID.value)


class ItemDecision(enum.StrEnum):
    APPROVED = "approved"
    PART_APPROVED = "part_approved"
    REJECTED = "rejected"


def _in(values: Any, column: str) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class ExpensePolicy(Model):
    """One version of an organisation's expenses policy (never changed once saved)."""

    __tablename__ = "expenses_policy"
    __table_args__ = (
        UniqueConstraint("organisation_id", "version"),
        CheckConstraint("mileage_policy IN ('hmrc', 'fixed')", name="mileage_policy_valid"),
        CheckConstraint(
            "mileage_policy = 'hmrc' OR (fixed_pence_per_mile > 0 AND fixed_pence_per_mile <= 100)",
            name="fixed_rate_given",
        ),
        CheckConstraint("deadline_days > 0 AND deadline_days <= 730", name="deadline_in_range"),
        CheckConstraint("receipt_threshold_pence >= 0", name="threshold_not_negative"),
        CheckConstraint("version > 0", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations_organisation.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    #: The item types repaid (keys of ITEM_TYPES).
    types: Mapped[list[str]] = mapped_column(JSON)
    mileage_policy: Mapped[str] = mapped_column(String(8), default="hmrc")
    #: Pence a mile for cars, motorcycles and bicycles under the ``fixed`` policy.
    fixed_pence_per_mile: Mapped[int | None]
    #: Days after the expense by which it must be claimed.
    deadline_days: Mapped[int] = mapped_column(default=90)
    #: A non-mileage item of at least this amount needs a receipt (0: every one does).
    receipt_threshold_pence: Mapped[int] = mapped_column(default=0)
    #: Volunteers may store bank details for payment.
    bank_payments: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ExpenseApprover(Model):
    """The expenses-approver permission: a (non-coordinator) supervisor may decide claims."""

    __tablename__ = "expenses_approver"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations_organisation.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="CASCADE"), index=True
    )
    granted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PaymentBatch(Model):
    __tablename__ = "expenses_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations_organisation.id", ondelete="RESTRICT"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The day the payments were made; set once, then the batch and its claims are locked.
    paid_on: Mapped[date | None]
    paid_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )

    organisation: Mapped[Organisation] = relationship()
    claims: Mapped[list[ExpenseClaim]] = relationship(
        back_populates="batch", order_by="ExpenseClaim.id"
    )

    @property
    def reference(self) -> str:
        return f"BATCH-{self.id:05d}"


class ExpenseClaim(TimestampMixin, Model):
    __tablename__ = "expenses_claim"
    __table_args__ = (
        CheckConstraint(_in(STATUS_LABELS, "status"), name="status_valid"),
        CheckConstraint("status != 'paid' OR paid_on IS NOT NULL", name="paid_has_date"),
        CheckConstraint("source IN ('entered', 'imported')", name="source_valid"),
        Index("ix_expenses_claim_status_org", "status", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The older system's reference for an imported claim; unique, so re-imports skip it.
    ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_volunteer.id", ondelete="RESTRICT"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations_organisation.id", ondelete="RESTRICT"), index=True
    )
    #: The placement the expenses were incurred in (imports may not know it).
    placement_id: Mapped[int | None] = mapped_column(
        ForeignKey("placements_placement.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=ClaimStatus.DRAFT.value)
    source: Mapped[str] = mapped_column(String(16), default="entered")
    #: The organisation's policy version the claim was made under (0: the default policy).
    policy_version: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("expenses_batch.id", ondelete="SET NULL"), index=True
    )
    paid_on: Mapped[date | None]

    volunteer: Mapped[Volunteer] = relationship()
    organisation: Mapped[Organisation] = relationship()
    batch: Mapped[PaymentBatch | None] = relationship(back_populates="claims")
    items: Mapped[list[ExpenseItem]] = relationship(
        back_populates="claim",
        order_by="(ExpenseItem.date, ExpenseItem.id)",
        cascade="all, delete-orphan",
    )

    @property
    def reference(self) -> str:
        return self.ref or f"EXP-{self.id:05d}"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def claimed_pence(self) -> int:
        return sum(item.claimed_pence for item in self.items)

    @property
    def decided_pence(self) -> int:
        return sum(item.approved_pence or 0 for item in self.items)

    @property
    def locked(self) -> bool:
        return self.status == ClaimStatus.PAID.value or self.batch_id is not None

    @property
    def is_draft(self) -> bool:
        """The volunteer still adds items and receipts, and may submit it."""
        return self.status == ClaimStatus.DRAFT.value

    @property
    def awaits_decision(self) -> bool:
        """Submitted: an approver decides it, or the volunteer withdraws it."""
        return self.status == ClaimStatus.SUBMITTED.value

    @property
    def is_deletable(self) -> bool:
        """Only a draft or a withdrawn claim can be deleted by the volunteer."""
        return self.status in (ClaimStatus.DRAFT.value, ClaimStatus.WITHDRAWN.value)


class ExpenseItem(Model):
    __tablename__ = "expenses_item"
    __table_args__ = (
        CheckConstraint(_in(ITEM_TYPES, "type"), name="type_valid"),
        CheckConstraint("claimed_pence >= 0", name="claimed_not_negative"),
        CheckConstraint(
            "approved_pence IS NULL OR approved_pence >= 0", name="approved_not_negative"
        ),
        CheckConstraint(
            "decision IS NULL OR decision IN ('approved', 'part_approved', 'rejected')",
            name="decision_valid",
        ),
        CheckConstraint("miles_tenths IS NULL OR miles_tenths > 0", name="miles_positive"),
        CheckConstraint("passengers >= 0 AND passengers <= 8", name="passengers_in_range"),
        Index("ix_expenses_item_type_date", "type", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("expenses_claim.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(24))
    date: Mapped[date]
    description: Mapped[str] = mapped_column(String(500))
    #: Mileage in whole tenths of a mile (mileage types only).
    miles_tenths: Mapped[int | None]
    start_postcode: Mapped[str | None] = mapped_column(String(10))
    end_postcode: Mapped[str | None] = mapped_column(String(10))
    #: Passengers carried (passenger supplement only).
    passengers: Mapped[int] = mapped_column(default=0)
    #: What the volunteer asked for (mileage: priced by the policy when added).
    claimed_pence: Mapped[int]
    decision: Mapped[str | None] = mapped_column(String(16))
    #: The decided amount: what gets paid (NULL until decided; 0 when rejected).
    approved_pence: Mapped[int | None]
    decision_reason: Mapped[str | None] = mapped_column(String(500))

    claim: Mapped[ExpenseClaim] = relationship(back_populates="items")
    receipts: Mapped[list[Receipt]] = relationship(
        back_populates="item", order_by="Receipt.id", cascade="all, delete-orphan"
    )

    @property
    def is_mileage(self) -> bool:
        return self.type in MILEAGE_TYPES

    @property
    def type_label(self) -> str:
        return ITEM_TYPES.get(self.type, self.type)

    @property
    def miles_text(self) -> str:
        if self.miles_tenths is None:
            return ""
        whole, tenth = divmod(self.miles_tenths, 10)
        return f"{whole:,}" if tenth == 0 else f"{whole:,}.{tenth}"


class Receipt(Model):
    __tablename__ = "expenses_receipt"
    __table_args__ = (
        CheckConstraint(
            "content_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/heic')",
            name="content_type_valid",
        ),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("expenses_item.id", ondelete="CASCADE"), index=True
    )
    #: The random name the storage holds the file under (never the user's filename).
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    #: The user's filename, sanitised, for display only.
    original_name: Mapped[str] = mapped_column(String(120))
    #: Decided from the file's content (magic bytes), not its name.
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    item: Mapped[ExpenseItem] = relationship(back_populates="receipts")


class BankDetails(TimestampMixin, Model):
    """A volunteer's bank details, encrypted at rest (MultiFernet; keys from the environment)."""

    __tablename__ = "expenses_bank_details"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_volunteer.id", ondelete="CASCADE"), unique=True
    )
    #: A Fernet token of the JSON {account_name, sort_code, account_number}. Never in clear.
    ciphertext: Mapped[str] = mapped_column(Text)
