"""messaging: models (see the package docstring)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sql_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer_hub.accounts.models import User
from volunteer_hub.core.models import UTCDateTime, utcnow
from volunteer_hub.extensions import Model

#: Kinds of thread: an organisation's team inbox, the volunteer centre's, or two time-bank
#: members talking about a listing.
KINDS = ("organisation", "centre", "timebank")
#: How a person wants to hear of new messages by email.
EMAIL_CHOICES = {
    "immediate": "An email for each new message",
    "digest": "One email a day listing new messages",
    "none": "No emails: I will look in my inbox",
}
#: The longest message (characters).
MAX_BODY = 5000


class Thread(Model):
    """A conversation between a volunteer and a team (an organisation's coordinators or the
    centre's), or between two time-bank members about a listing."""

    __tablename__ = "messaging_thread"
    __table_args__ = (
        CheckConstraint("kind IN ('organisation', 'centre', 'timebank')", name="kind_valid"),
        CheckConstraint(
            "(kind = 'organisation') = (organisation_id IS NOT NULL)", name="organisation_kind"
        ),
        CheckConstraint("(kind = 'timebank') = (listing_id IS NOT NULL)", name="listing_kind"),
        UniqueConstraint("listing_id", "volunteer_id"),
        Index("ix_messaging_thread_volunteer", "volunteer_id", "last_message_at"),
        Index("ix_messaging_thread_organisation", "organisation_id", "last_message_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: The team inbox: every coordinator of this organisation sees the thread.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations_organisation.id", ondelete="CASCADE")
    )
    #: The volunteer (for a time-bank thread: the member who made contact).
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id", ondelete="CASCADE"))
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    subject: Mapped[str] = mapped_column(String(150))
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("recruitment_application.id", ondelete="SET NULL")
    )
    placement_id: Mapped[int | None] = mapped_column(
        ForeignKey("placements_placement.id", ondelete="SET NULL")
    )
    shift_id: Mapped[int | None] = mapped_column(
        ForeignKey("scheduling_shift.id", ondelete="SET NULL")
    )
    listing_id: Mapped[int | None] = mapped_column(
        ForeignKey("timebank_listing.id", ondelete="CASCADE")
    )
    #: The form's key: a double-clicked "Send" starts one thread.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The volunteer was erased: the other party sees "a former volunteer".
    volunteer_erased: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sql_false()
    )
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    volunteer: Mapped[User] = relationship(foreign_keys=[volunteer_id])


class Message(Model):
    __tablename__ = "messaging_message"
    __table_args__ = (
        CheckConstraint("length(body) > 0", name="body_not_empty"),
        Index("ix_messaging_message_thread", "thread_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("messaging_thread.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    #: Written by the volunteer's side (the volunteer, or the member who made contact).
    from_volunteer: Mapped[bool] = mapped_column(Boolean)
    body: Mapped[str] = mapped_column(Text)
    #: The sender asked that the email carry no text, only a link.
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_false())
    #: The form's key: a double-clicked "Send" posts one message.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The author was erased: shown as "a former volunteer".
    author_erased: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    thread: Mapped[Thread] = relationship()
    author: Mapped[User | None] = relationship()


class ReadMark(Model):
    """How far one person has read one thread."""

    __tablename__ = "messaging_read"
    __table_args__ = (UniqueConstraint("thread_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("messaging_thread.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id", ondelete="CASCADE"))
    #: The newest message they have seen.
    last_read_id: Mapped[int] = mapped_column(default=0)


class Preference(Model):
    """A person's choice of emails for new messages (no row: one email per message)."""

    __tablename__ = "messaging_preference"
    __table_args__ = (
        CheckConstraint("email IN ('immediate', 'digest', 'none')", name="email_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="CASCADE"), unique=True
    )
    email: Mapped[str] = mapped_column(String(16))


class PendingNotice(Model):
    """A new message waiting for the recipient's daily digest."""

    __tablename__ = "messaging_pending"
    __table_args__ = (UniqueConstraint("user_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messaging_message.id", ondelete="CASCADE"))


class DigestSent(Model):
    """One digest per person per day: the row is the compare-and-set."""

    __tablename__ = "messaging_digest"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id", ondelete="CASCADE"))
    day: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --- Bulk messages (see "Bulk messages" in the package docstring) ---------------------------


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
