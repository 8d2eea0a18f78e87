"""messaging: models (see the package docstring)."""

from __future__ import annotations

# --- Bulk messages (see "Bulk messages" in the package docstring) ---------------------------
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer_hub.accounts.models import User
from volunteer_hub.core.models import UTCDateTime, utcnow
from volunteer_hub.extensions import Model

#: Kinds of bulk message → what people read. "service" always goes and has no unsubscribe.
BULK_KINDS = {
    "news": "News",
    "opportunities": "Opportunities",
    "shift_updates": "Shift updates",
    "service": "Service message",
}
#: The kinds a volunteer may unsubscribe from (every kind but service messages).
UNSUBSCRIBABLE = tuple(kind for kind in BULK_KINDS if kind != "service")
BULK_STATUSES = ("draft", "sending", "sent", "cancelled")
DELIVERY_STATUSES = ("pending", "sent", "in_app", "skipped", "cancelled")


def _in(column: str, values: tuple[str, ...] | list[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class BulkMessage(Model):
    """One message to a segment of volunteers: written as a draft, previewed, then sent by a
    job; the row stays (with its counts) as the record of who sent what to how many."""

    __tablename__ = "messaging_bulk"
    __table_args__ = (
        CheckConstraint(_in("kind", list(BULK_KINDS)), name="kind_valid"),
        CheckConstraint(_in("status", BULK_STATUSES), name="status_valid"),
        CheckConstraint("recipient_count >= 0 AND sent_count >= 0", name="counts_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The organisation whose volunteers the segment is (None: a centre-wide segment).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations_organisation.id", ondelete="RESTRICT"), index=True
    )
    sender_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id", ondelete="RESTRICT"))
    #: The segment registry's kind and key ("role", "12"), and its label when it was written.
    segment_kind: Mapped[str] = mapped_column(String(20))
    segment_key: Mapped[str] = mapped_column(String(60))
    segment_label: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(150))
    #: The text with merge fields ({first_name}, {role}, {next_shift}) still in it.
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    #: People it was sent to (fixed when sent) and how many have had it so far.
    recipient_count: Mapped[int] = mapped_column(default=0)
    sent_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    sender: Mapped[User] = relationship()

    @property
    def finished(self) -> bool:
        return self.status in ("sent", "cancelled")

    @property
    def kind_label(self) -> str:
        return BULK_KINDS.get(self.kind, self.kind)


class BulkDelivery(Model):
    """One person's copy of a bulk message: at most one per person (the unique pair), so a
    resumed or doubled job sends each person the message once."""

    __tablename__ = "messaging_bulk_delivery"
    __table_args__ = (
        UniqueConstraint("bulk_id", "volunteer_id"),
        CheckConstraint(_in("status", DELIVERY_STATUSES), name="status_valid"),
        Index("ix_messaging_bulk_delivery_pending", "bulk_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bulk_id: Mapped[int] = mapped_column(ForeignKey("messaging_bulk.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_volunteer.id", ondelete="CASCADE"), index=True
    )
    #: pending → sent (emailed) or in_app (no address); skipped: unsubscribed meanwhile;
    #: cancelled: the sender stopped the message before it reached them.
    status: Mapped[str] = mapped_column(String(10), default="pending")
    #: The message as this person got it (merge fields filled), once delivered.
    subject: Mapped[str | None] = mapped_column(String(150))
    body: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    bulk: Mapped[BulkMessage] = relationship()


class Unsubscribe(Model):
    """A volunteer no longer wants bulk emails of one kind (from an email's one-click link)."""

    __tablename__ = "messaging_unsubscribe"
    __table_args__ = (
        UniqueConstraint("volunteer_id", "kind"),
        CheckConstraint(_in("kind", UNSUBSCRIBABLE), name="kind_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_volunteer.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
