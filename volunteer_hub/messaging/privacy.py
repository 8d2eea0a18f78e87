"""Messaging's privacy hooks: threads, messages and email choices.

Export: every thread they are the volunteer in (or whose listing it is about), with all its
messages; the messages they wrote in other threads; their email choice. Erasure: their threads
and messages are kept for the other party, marked so that the author reads "a former
volunteer" (the metadata walk then redacts their name, email and phone from the text); their
read marks, email choice and waiting digest notices are deleted. Activity: the last message they
wrote. Retention (``messages``): a thread and its messages are deleted this long after the
thread's last message.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.extensions import db
from volunteer_hub.messaging import queries
from volunteer_hub.messaging.models import (
    BulkDelivery,
    BulkMessage,
    DigestSent,
    Message,
    PendingNotice,
    Preference,
    ReadMark,
    Thread,
    Unsubscribe,
)
from volunteer_hub.timebank.models import Account, Listing
from volunteer_hub.volunteers.models import Volunteer


def _thread(thread: Thread) -> dict[str, Any]:
    return {
        **hooks.row_dict(thread, drop=("idempotency_key",)),
        "with": queries.team_name(thread) if thread.kind != "timebank" else "a time-bank member",
        "messages": [
            {
                **hooks.row_dict(m, drop=("idempotency_key",)),
                "from": queries.author_name(m, thread),
            }
            for m in queries.messages_of(thread)
        ],
    }


@hooks.export(135)
def export_messages(subject: hooks.Subject) -> dict[str, Any]:
    if subject.user is None:
        return {}
    user_id = subject.user.id
    own_listings = (
        select(Listing.id)
        .join(Account, Account.id == Listing.account_id)
        .where(Account.user_id == user_id)
    )
    threads = list(
        db.session.scalars(
            select(Thread)
            .where(or_(Thread.volunteer_id == user_id, Thread.listing_id.in_(own_listings)))
            .order_by(Thread.id)
        )
    )
    ids = [t.id for t in threads] or [0]
    elsewhere = db.session.execute(
        select(Message, Thread.subject)
        .join(Thread, Thread.id == Message.thread_id)
        .where(Message.author_id == user_id, Message.thread_id.not_in(ids))
        .order_by(Message.id)
    )
    return {
        "messages": {
            "threads": [_thread(t) for t in threads],
            "written_in_other_threads": [
                {**hooks.row_dict(m, drop=("idempotency_key",)), "thread_subject": title}
                for m, title in elsewhere
            ],
            "email_preference": queries.email_preference(user_id),
        }
    }


@hooks.erase(85)
def erase_messages(erasure: hooks.Erasure) -> None:
    if erasure.user is None:
        return
    user_id = erasure.user.id
    threads = db.session.execute(
        update(Thread)
        .where(Thread.volunteer_id == user_id)
        .values(volunteer_erased=True)
        .execution_options(synchronize_session=False)
    )
    written = db.session.execute(
        update(Message)
        .where(Message.author_id == user_id)
        .values(author_erased=True)
        .execution_options(synchronize_session=False)
    )
    for model in (ReadMark, Preference, PendingNotice, DigestSent):
        db.session.execute(delete(model).where(model.user_id == user_id))
    count = int(threads.rowcount or 0)  # type: ignore[attr-defined]
    mine = int(written.rowcount or 0)  # type: ignore[attr-defined]
    if count or mine:
        erasure.erased.append(
            f"messages: {count} conversation(s) and {mine} message(s) kept for the other party, "
            "shown as from a former volunteer"
        )


@hooks.activity
def activity(today: date) -> Iterable[tuple[Any, ...]]:
    return db.session.execute(
        select(Volunteer.id, func.max(Message.created_at))
        .join(Message, Message.author_id == Volunteer.user_id)
        .group_by(Volunteer.id)
    )


@hooks.purge("messages")
def purge_messages(purge: hooks.Purge) -> int:
    """Threads whose last message is older than the retention period, with their messages."""
    old = select(Thread.id).where(Thread.last_message_at < hooks.start_of(purge.cutoff))
    counted = hooks.count_or_delete(Message, [Message.thread_id.in_(old)], dry_run=True)
    if purge.dry_run:
        return counted
    notices = select(Message.id).where(Message.thread_id.in_(old))
    db.session.execute(delete(PendingNotice).where(PendingNotice.message_id.in_(notices)))
    db.session.execute(delete(ReadMark).where(ReadMark.thread_id.in_(old)))
    hooks.count_or_delete(Message, [Message.thread_id.in_(old)], dry_run=False)
    hooks.count_or_delete(Thread, [Thread.id.in_(old)], dry_run=False)
    return counted


# --- Bulk messages -----------------------------------------------------------------------------
# Export (position 145): each bulk message the person received, as they received it, and the
# kinds they unsubscribed from. Erasure (position 56): their copies and unsubscribes are deleted;
# each bulk message keeps its counts (who sent what to how many). Retention ("bulk_messages"):
# bulk messages and every copy are deleted this many months after they were written.


@hooks.export(145)
def export_bulk(subject: hooks.Subject) -> dict[str, Any]:
    if subject.volunteer is None:
        return {}
    vid = subject.volunteer.id
    deliveries = list(
        db.session.scalars(
            select(BulkDelivery).where(BulkDelivery.volunteer_id == vid).order_by(BulkDelivery.id)
        )
    )
    kinds = list(
        db.session.scalars(
            select(Unsubscribe.kind).where(Unsubscribe.volunteer_id == vid).order_by(Unsubscribe.id)
        )
    )
    if not deliveries and not kinds:
        return {}
    return {
        "bulk_messages": {
            "received": [
                {
                    "kind": d.bulk.kind,
                    "status": d.status,
                    "subject": d.subject,
                    "body": d.body,
                    "delivered_at": hooks.json_value(d.delivered_at),
                }
                for d in deliveries
            ],
            "unsubscribed_from": kinds,
        }
    }


@hooks.erase(56)
def erase_bulk(erasure: hooks.Erasure) -> None:
    if erasure.volunteer is None:
        return
    vid = erasure.volunteer.id
    copies = db.session.execute(
        delete(BulkDelivery)
        .where(BulkDelivery.volunteer_id == vid)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    choices = db.session.execute(
        delete(Unsubscribe)
        .where(Unsubscribe.volunteer_id == vid)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if copies or choices:
        erasure.erased.append("bulk messages received and unsubscribes deleted (counts kept)")


@hooks.purge("bulk_messages")
def purge_bulk(purge: hooks.Purge) -> int:
    cutoff = hooks.start_of(purge.cutoff)
    old = [BulkMessage.created_at < cutoff, BulkMessage.status != "sending"]
    if purge.dry_run:
        return hooks.count_or_delete(BulkMessage, old, True)
    ids = list(db.session.scalars(select(BulkMessage.id).where(*old)))
    if not ids:
        return 0
    db.session.execute(
        delete(BulkDelivery)
        .where(BulkDelivery.bulk_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    return hooks.count_or_delete(BulkMessage, [BulkMessage.id.in_(ids)], False)
