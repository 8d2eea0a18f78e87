"""Time banks, their accounts, offers and requests, exchanges and the double-entry ledger."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    DDL,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy import false as sql_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer_hub.accounts.models import User
from volunteer_hub.core.models import UTCDateTime, utcnow
from volunteer_hub.extensions import Model
from volunteer_hub.organisations.models import Organisation

CATEGORIES = {
    "shopping": "Shopping and errands",
    "lifts": "Lifts and getting about",
    "garden": "Gardening",
    "diy": "DIY and small repairs",
    "company": "Company and conversation",
    "tech": "Computers and phones",
    "cooking": "Cooking and meals",
    "admin": "Letters, forms and admin",
    "pets": "Pets",
    "other": "Something else",
}


class TimeBank(Model):
    __tablename__ = "timebank_timebank"
    __table_args__ = (
        CheckConstraint("min_balance_minutes <= 0", name="minimum_not_positive"),
        CheckConstraint(
            "max_balance_minutes IS NULL OR max_balance_minutes > 0", name="maximum_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    terms: Mapped[str] = mapped_column(Text)
    terms_version: Mapped[int] = mapped_column(default=1)
    min_balance_minutes: Mapped[int] = mapped_column(default=-600)
    max_balance_minutes: Mapped[int | None]
    requires_dbs: Mapped[bool] = mapped_column(default=False, server_default=sql_false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TimeBankCoordinator(Model):
    __tablename__ = "timebank_coordinator"
    __table_args__ = (UniqueConstraint("timebank_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    timebank_id: Mapped[int] = mapped_column(ForeignKey("timebank_timebank.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="CASCADE"), index=True
    )

    user: Mapped[User] = relationship()


class Account(Model):
    """A member's (or the community pot's) account in one time bank."""

    __tablename__ = "timebank_account"
    __table_args__ = (
        CheckConstraint("kind IN ('person', 'organisation', 'pot')", name="kind_valid"),
        CheckConstraint("status IN ('pending', 'approved', 'suspended')", name="status_valid"),
        UniqueConstraint("timebank_id", "user_id"),
        UniqueConstraint("timebank_id", "email"),
        Index(
            "uq_timebank_account_one_pot",
            "timebank_id",
            unique=True,
            sqlite_where=text("kind = 'pot'"),
            postgresql_where=text("kind = 'pot'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    timebank_id: Mapped[int] = mapped_column(
        ForeignKey("timebank_timebank.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    #: A member who signs in; members recorded by a coordinator have none.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations_organisation.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    #: The postcode district (e.g. "SE15"), never the address.
    area: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    terms_version: Mapped[int | None]
    terms_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    interviewed_on: Mapped[date | None]
    references_ok: Mapped[bool] = mapped_column(default=False, server_default=sql_false())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Kept equal to the sum of this account's entries, in the same transaction.
    balance_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    timebank: Mapped[TimeBank] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    @property
    def label(self) -> str:
        """How the account is named in lists and the CLI: the pot's name or the member's."""
        return self.name

    @property
    def is_approved(self) -> bool:
        """Only approved members (and the pot) post, respond and exchange."""
        return self.status == "approved"


class Listing(Model):
    """An offer ("I can help with …") or a request ("I need …")."""

    __tablename__ = "timebank_listing"
    __table_args__ = (
        CheckConstraint("kind IN ('offer', 'request')", name="kind_valid"),
        CheckConstraint("status IN ('open', 'closed')", name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    timebank_id: Mapped[int] = mapped_column(
        ForeignKey("timebank_timebank.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("timebank_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    area: Mapped[str | None] = mapped_column(String(8))
    availability: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(8), default="open")
    #: The one-time key of the form that posted it: the same form sent twice posts once.
    form_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    account: Mapped[Account] = relationship()

    @property
    def is_open(self) -> bool:
        """Open to responses and suggested matches until its member (or a coordinator) closes it."""
        return self.status == "open"


class Match(Model):
    """A member answering a listing (or a coordinator's brokered match). Contact details are
    shared only when both sides have agreed."""

    __tablename__ = "timebank_match"
    __table_args__ = (UniqueConstraint("listing_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("timebank_listing.id", ondelete="CASCADE"), index=True
    )
    #: The member answering (not the poster).
    account_id: Mapped[int] = mapped_column(ForeignKey("timebank_account.id", ondelete="CASCADE"))
    message: Mapped[str | None] = mapped_column(String(1000))
    brokered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    poster_agreed: Mapped[bool] = mapped_column(default=False)
    responder_agreed: Mapped[bool] = mapped_column(default=False)
    declined: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    listing: Mapped[Listing] = relationship()
    account: Mapped[Account] = relationship()

    @property
    def agreed(self) -> bool:
        return self.poster_agreed and self.responder_agreed and not self.declined


class Transfer(Model):
    """One movement of credits: an exchange, a donation to the pot, a grant from it, an import,
    or the reversal of an earlier transfer. Its entries sum to zero."""

    __tablename__ = "timebank_transfer"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('exchange', 'donation', 'grant', 'import', 'reversal')", name="kind_valid"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    timebank_id: Mapped[int] = mapped_column(
        ForeignKey("timebank_timebank.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    done_on: Mapped[date] = mapped_column(index=True)
    description: Mapped[str | None] = mapped_column(String(500))
    #: A reversal names the transfer it reverses; each transfer is reversed at most once.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("timebank_transfer.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    #: The submitted form's key (or ``exchange:<id>``, ``import:<ref>``): one transfer per key.
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    entries: Mapped[list[Entry]] = relationship(back_populates="transfer", order_by="Entry.id")


class Entry(Model):
    """One side of a transfer, in whole minutes. Never updated or deleted (database triggers)."""

    __tablename__ = "timebank_entry"
    __table_args__ = (
        CheckConstraint("minutes <> 0", name="minutes_not_zero"),
        Index("ix_timebank_entry_account_id_id", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(
        ForeignKey("timebank_transfer.id", ondelete="RESTRICT"), index=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("timebank_account.id", ondelete="RESTRICT"))
    minutes: Mapped[int]

    transfer: Mapped[Transfer] = relationship(back_populates="entries")
    account: Mapped[Account] = relationship()


class Exchange(Model):
    """Help given by one member to another, recorded by one side and confirmed by the other (or
    recorded by a coordinator for both)."""

    __tablename__ = "timebank_exchange"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'confirmed', 'declined')", name="status_valid"),
        CheckConstraint(
            "minutes > 0 AND minutes <= 1440 AND minutes % 15 = 0", name="minutes_valid"
        ),
        CheckConstraint("giver_id <> receiver_id", name="two_sides"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    timebank_id: Mapped[int] = mapped_column(
        ForeignKey("timebank_timebank.id", ondelete="RESTRICT"), index=True
    )
    giver_id: Mapped[int] = mapped_column(
        ForeignKey("timebank_account.id", ondelete="RESTRICT"), index=True
    )
    receiver_id: Mapped[int] = mapped_column(
        ForeignKey("timebank_account.id", ondelete="RESTRICT"), index=True
    )
    done_on: Mapped[date]
    minutes: Mapped[int]
    description: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    #: Which side recorded it ("giver", "receiver") or "coordinator".
    recorded_by: Mapped[str] = mapped_column(String(16))
    recorded_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    transfer_id: Mapped[int | None] = mapped_column(
        ForeignKey("timebank_transfer.id", ondelete="RESTRICT"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    giver: Mapped[Account] = relationship(foreign_keys=[giver_id])
    receiver: Mapped[Account] = relationship(foreign_keys=[receiver_id])
    transfer: Mapped[Transfer | None] = relationship()


# --- entries are append-only, enforced by the database itself --------------------------------

SQLITE_GUARDS = [
    """CREATE TRIGGER IF NOT EXISTS timebank_entry_no_update BEFORE UPDATE ON timebank_entry
    BEGIN SELECT RAISE(ABORT, 'timebank entries are never updated: record a reversal'); END""",
    """CREATE TRIGGER IF NOT EXISTS timebank_entry_no_delete BEFORE DELETE ON timebank_entry
    BEGIN SELECT RAISE(ABORT, 'timebank entries are never deleted: record a reversal'); END""",
]
SQLITE_UNGUARD = [
    "DROP TRIGGER IF EXISTS timebank_entry_no_update",
    "DROP TRIGGER IF EXISTS timebank_entry_no_delete",
]
POSTGRES_GUARDS = [
    """CREATE OR REPLACE FUNCTION timebank_entry_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'timebank entries are never updated or deleted: record a reversal';
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER timebank_entry_append_only BEFORE UPDATE OR DELETE ON timebank_entry
    FOR EACH ROW EXECUTE FUNCTION timebank_entry_append_only()""",
]
POSTGRES_UNGUARD = [
    "DROP TRIGGER IF EXISTS timebank_entry_append_only ON timebank_entry",
    "DROP FUNCTION IF EXISTS timebank_entry_append_only()",
]

for _statement in SQLITE_GUARDS:
    event.listen(Entry.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRES_GUARDS:
    event.listen(Entry.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
