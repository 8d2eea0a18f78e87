"""messaging: services (see the package docstring). They flush, never commit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.outbox import queue_email
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.navigation import external_url
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.messaging import queries
from volunteer_hub.messaging.models import (
    EMAIL_CHOICES,
    MAX_BODY,
    DigestSent,
    Message,
    PendingNotice,
    Preference,
    ReadMark,
    Thread,
)
from volunteer_hub.timebank.models import Listing, TimeBank
from volunteer_hub.timebank.queries import approved_member
from volunteer_hub.volunteers.models import Volunteer

SENT_ALREADY = "That message was already sent."


def clean_body(body: str) -> str:
    """The message's text, or a DomainError on the ``body`` field."""
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise DomainError("Enter your message", field="body")
    if len(text) > MAX_BODY:
        raise DomainError(f"Your message must be {MAX_BODY:,} characters or fewer", field="body")
    if "\x00" in text:
        raise DomainError("Your message has a character that cannot be sent", field="body")
    return text


def _insert(row: Thread | Message) -> None:
    """Add a row whose idempotency key the database guards: a second request with the same key
    (a double click) raises AlreadyDone before any email is queued."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise AlreadyDone(SENT_ALREADY) from None


def _post(*, thread: Thread, author: User, body: str, sensitive: bool, key: str | None) -> Message:
    message = Message(
        thread_id=thread.id,
        author_id=author.id,
        from_volunteer=author.id == thread.volunteer_id,
        body=clean_body(body),
        sensitive=sensitive,
        idempotency_key=key or None,
    )
    _insert(message)
    db.session.execute(
        update(Thread)
        .where(Thread.id == thread.id)
        .values(last_message_at=message.created_at)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(thread, ["last_message_at"])
    _read_up_to(author, thread, message.id)
    _notify(thread, message, author)
    return message


def reply(*, actor: User, thread: Thread, body: str, sensitive: bool, key: str | None) -> Message:
    """Post ``actor``'s message in a thread they take part in."""
    if not queries.takes_part(actor, thread):
        raise DomainError("You cannot write in this conversation")
    return _post(thread=thread, author=actor, body=body, sensitive=sensitive, key=key)


def start(
    *,
    actor: User,
    volunteer: Volunteer,
    sender: str,
    subject: str,
    body: str,
    sensitive: bool,
    key: str | None,
    application_id: int | None = None,
    placement_id: int | None = None,
    shift_id: int | None = None,
) -> Thread:
    """A coordinator starts a thread with a volunteer, as the centre or as one of their
    organisations the volunteer is connected to (anything else fails closed)."""
    if sender not in dict(queries.senders_for(actor, volunteer)) or volunteer.user_id is None:
        raise DomainError("You cannot write to this volunteer", field="sender")
    organisation_id = int(sender.removeprefix("org:")) if sender.startswith("org:") else None
    if not queries.attachment_ok(
        volunteer,
        organisation_id,
        application=application_id,
        placement=placement_id,
        shift=shift_id,
    ):
        raise DomainError("That is not this volunteer's", field="sender")
    title = (subject or "").strip()
    if not title:
        raise DomainError("Enter a subject", field="subject")
    clean_body(body)
    thread = Thread(
        kind="organisation" if organisation_id is not None else "centre",
        organisation_id=organisation_id,
        volunteer_id=volunteer.user_id,
        started_by_id=actor.id,
        subject=title[:150],
        application_id=application_id,
        placement_id=placement_id,
        shift_id=shift_id,
        idempotency_key=key or None,
    )
    _insert(thread)
    _post(thread=thread, author=actor, body=body, sensitive=sensitive, key=key)
    return thread


def contact(*, actor: User, listing: Listing, body: str, key: str | None) -> Thread:
    """A time-bank member writes to the member whose listing it is, through the app: one thread
    per member and listing (a second contact continues it). Neither sees the other's email."""
    timebank = db.session.get(TimeBank, listing.timebank_id)
    assert timebank is not None
    account = approved_member(actor, timebank)
    if listing.account_id == account.id or listing.account.user_id is None:
        raise DomainError("You cannot contact this member through the app", field="body")
    if not listing.is_open:
        raise DomainError("This listing is closed", field="body")
    clean_body(body)
    thread = queries.contact_thread(listing, actor)
    if thread is None:
        thread = Thread(
            kind="timebank",
            volunteer_id=actor.id,
            started_by_id=actor.id,
            subject=listing.title[:150],
            listing_id=listing.id,
            idempotency_key=key or None,
        )
        _insert(thread)
    _post(thread=thread, author=actor, body=body, sensitive=False, key=key)
    return thread


# --- read marks ---------------------------------------------------------------------------


def _read_up_to(user: User, thread: Thread, message_id: int) -> None:
    mark = db.session.scalar(
        select(ReadMark).where(ReadMark.thread_id == thread.id, ReadMark.user_id == user.id)
    )
    if mark is None:
        try:
            with db.session.begin_nested():
                db.session.add(ReadMark(thread_id=thread.id, user_id=user.id, last_read_id=0))
        except IntegrityError:
            pass  # another tab of theirs made it first
    # Only forwards: an older page loaded late never marks newer messages unread.
    db.session.execute(
        update(ReadMark)
        .where(
            ReadMark.thread_id == thread.id,
            ReadMark.user_id == user.id,
            ReadMark.last_read_id < message_id,
        )
        .values(last_read_id=message_id)
        .execution_options(synchronize_session=False)
    )


def mark_read(*, user: User, thread: Thread) -> None:
    """Everything in the thread so far is read by ``user``."""
    _read_up_to(user, thread, queries.last_message_id(thread))


def mark_unread(*, user: User, thread: Thread) -> None:
    """The newest message from someone else is unread again for ``user``."""
    newest = db.session.scalar(
        select(Message.id)
        .where(Message.thread_id == thread.id, Message.author_id.is_distinct_from(user.id))
        .order_by(Message.id.desc())
        .limit(1)
    )
    if newest is None:
        return
    db.session.execute(
        update(ReadMark)
        .where(ReadMark.thread_id == thread.id, ReadMark.user_id == user.id)
        .values(last_read_id=newest - 1)
        .execution_options(synchronize_session=False)
    )


# --- emails ---------------------------------------------------------------------------------


def _notify(thread: Thread, message: Message, author: User) -> None:
    """Each recipient as they chose: an email now (no text if sensitive), the daily digest, or
    nothing (the inbox only)."""
    link = external_url("messaging.thread", thread_id=thread.id)
    for person in queries.recipients(thread, author):
        choice = queries.email_preference(person.id)
        if choice == "digest":
            db.session.add(PendingNotice(user_id=person.id, message_id=message.id))
        elif choice == "immediate":
            queue_email(
                kind="message_new",
                to=person.email,
                user=person,
                subject=f"New message: {thread.subject}",
                topic=thread.subject,
                sender=queries.author_name(message, thread),
                body=None if message.sensitive else message.body,
                link=link,
            )
    db.session.flush()


def send_digests(today: date) -> int:
    """One email per person with messages waiting, at most once per person and day (the
    ``messaging_digest`` row is the compare-and-set). How many were queued."""
    people = list(db.session.scalars(select(PendingNotice.user_id).distinct()))
    queued = 0
    for user_id in people:
        try:
            with db.session.begin_nested():
                db.session.add(DigestSent(user_id=user_id, day=today))
        except IntegrityError:
            continue  # already sent today: the rest wait for tomorrow's
        person = db.session.get(User, user_id)
        notices = list(
            db.session.scalars(
                select(Message)
                .join(PendingNotice, PendingNotice.message_id == Message.id)
                .where(PendingNotice.user_id == user_id)
                .order_by(Message.id)
            )
        )
        db.session.execute(delete(PendingNotice).where(PendingNotice.user_id == user_id))
        if person is None or not person.is_active or not notices:
            continue
        threads: dict[int, Thread] = {m.thread_id: m.thread for m in notices}
        queue_email(
            kind="message_digest",
            to=person.email,
            user=person,
            subject=f"{len(notices)} new message{'s' if len(notices) != 1 else ''}",
            lines=[
                (
                    t.subject,
                    queries.other_party(person, t),
                    sum(1 for m in notices if m.thread_id == t.id),
                    external_url("messaging.thread", thread_id=t.id),
                )
                for t in threads.values()
            ],
            inbox=external_url("messaging.inbox"),
        )
        queued += 1
    db.session.flush()
    return queued


def set_preference(*, user: User, email: str) -> None:
    if email not in EMAIL_CHOICES:
        raise DomainError("Choose how to hear of new messages", field="email")
    updated = db.session.execute(
        update(Preference)
        .where(Preference.user_id == user.id)
        .values(email=email)
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        try:
            with db.session.begin_nested():
                db.session.add(Preference(user_id=user.id, email=email))
        except IntegrityError:
            db.session.execute(
                update(Preference).where(Preference.user_id == user.id).values(email=email)
            )
    if email != "digest":
        # Anything waiting for a digest is read in the app (or sent as they chose from now on).
        db.session.execute(delete(PendingNotice).where(PendingNotice.user_id == user.id))
    db.session.flush()
