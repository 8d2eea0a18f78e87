"""Bulk messages: the commands (draft, send, deliver, finish, cancel, unsubscribe) and the one
rule of who may be emailed. Flush, never commit; every change of state is a compare-and-set.
The rules in words are in the package docstring ("Bulk messages")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from volunteer_hub.accounts import audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.outbox import queue_email
from volunteer_hub.core.errors import DomainError, NotFound
from volunteer_hub.core.formatting import date_time
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.navigation import external_url
from volunteer_hub.core.privacy_hooks import ERASED_DOMAIN
from volunteer_hub.core.transitions import compare_and_set, lock
from volunteer_hub.extensions import db
from volunteer_hub.messaging import queries, segments
from volunteer_hub.messaging.models import (
    BULK_KINDS,
    UNSUBSCRIBABLE,
    BulkDelivery,
    BulkMessage,
    Unsubscribe,
)
from volunteer_hub.organisations.models import Role
from volunteer_hub.scheduling.models import Shift, SignUp
from volunteer_hub.volunteers.models import Volunteer

#: Merge fields → the plain text used when a person has no value for it.
FALLBACKS = {
    "first_name": "there",
    "role": "your role",
    "next_shift": "your next shift",
}
#: ``{name}`` or ``{name|fallback}``; anything else in braces is refused when written.
FIELD_RE = re.compile(r"\{([a-z_]{1,30})(?:\|([^{}\r\n]{0,60}))?\}")
SALT = "vh-messaging-unsubscribe"


# --- Who may be emailed: the one rule ---------------------------------------------------------


def unsubscribed(volunteer_ids: Iterable[int], kind: str) -> set[int]:
    """Those of ``volunteer_ids`` who unsubscribed from bulk emails of ``kind``."""
    ids = sorted(set(volunteer_ids))
    if kind not in UNSUBSCRIBABLE or not ids:
        return set()
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        found |= set(
            db.session.scalars(
                select(Unsubscribe.volunteer_id).where(
                    Unsubscribe.kind == kind, Unsubscribe.volunteer_id.in_(ids[start : start + 500])
                )
            )
        )
    return found


def may_email(volunteer: Volunteer, kind: str) -> bool:
    """May we email this person a bulk message of ``kind`` (see :func:`emailable`)."""
    return volunteer.id in emailable([volunteer], kind)


def emailable(volunteers: Iterable[Volunteer], kind: str) -> set[int]:
    """THE rule for "may we email this person a bulk message of this kind", for many people at
    once: every bulk email asks here and nowhere else. Service messages (safeguarding, a shift
    cancelled) always go to anyone with an address; other kinds not to people who unsubscribed
    from that kind. Those left out get the message in the app only (or, unsubscribed, not at
    all: see :func:`recipients`).

    A person who chose "No emails: I will look in my inbox" for messages
    (``queries.email_preference``) gets bulk messages in the app only, service messages apart."""
    volunteers = list(volunteers)
    with_address = set(email_addresses(volunteers))
    if kind == "service":
        return with_address
    in_app_only = queries.chose_no_email(
        {v.id: v.user_id for v in volunteers if v.id in with_address}
    )
    return with_address - unsubscribed(with_address, kind) - in_app_only


def email_addresses(volunteers: list[Volunteer]) -> dict[int, str]:
    """Each person's address: their volunteer record's, else their sign-in's (an active one);
    none recorded, or an erased person's placeholder: left out."""
    user_ids = [v.user_id for v in volunteers if not v.email and v.user_id is not None]
    users: dict[int, str] = {}
    for start in range(0, len(user_ids), 500):
        rows = db.session.execute(
            select(User.id, User.email).where(
                User.id.in_(user_ids[start : start + 500]), User.is_active.is_(True)
            )
        )
        users.update({user_id: email for user_id, email in rows})
    found: dict[int, str] = {}
    for volunteer in volunteers:
        address = volunteer.email or users.get(volunteer.user_id or 0)
        if address and not address.lower().endswith("@" + ERASED_DOMAIN):
            found[volunteer.id] = address
    return found


def email_address(volunteer: Volunteer) -> str | None:
    return email_addresses([volunteer]).get(volunteer.id)


def recipients(user: User, segment_kind: str, segment_key: str, kind: str) -> list[int]:
    """The volunteer ids a message of ``kind`` to the segment goes to: each person once, minus
    those who unsubscribed from ``kind``; sorted, so samples and sending follow one order."""
    ids = segments.resolve(user, segment_kind, segment_key)
    return sorted(ids - unsubscribed(ids, kind))


# --- Merge fields ------------------------------------------------------------------------------


def unknown_fields(text: str) -> list[str]:
    """Merge fields in ``text`` that do not exist (for the form's error)."""
    names = [m.group(1) for m in FIELD_RE.finditer(text)]
    return sorted({n for n in names if n not in FALLBACKS})


def in_words(text: str) -> str:
    """What was written, with each merge field in words for the people who read it back (the
    sent list, the message's page): ``{first_name}`` → "[first name]", ``{role|helper}`` →
    "[role, or “helper”]"."""

    def one(match: re.Match[str]) -> str:
        name, fallback = match.group(1), (match.group(2) or "").strip()
        if name not in FALLBACKS:
            return match.group(0)
        words = name.replace("_", " ")
        return f"[{words}, or “{fallback}”]" if fallback else f"[{words}]"

    return FIELD_RE.sub(one, text)


def fill(text: str, values: dict[str, str | None]) -> str:
    """Fill ``{first_name}``, ``{role}``, ``{next_shift}`` (``{name|fallback}``: that fallback);
    a missing value gives the plain-text fallback. Text, never a format string."""

    def one(match: re.Match[str]) -> str:
        name, fallback = match.group(1), match.group(2)
        if name not in FALLBACKS:
            return match.group(0)
        value = values.get(name)
        if value:
            return value
        return fallback.strip() if fallback and fallback.strip() else FALLBACKS[name]

    return FIELD_RE.sub(one, text)


def next_shift(volunteer_id: int, organisation_id: int | None, now: datetime) -> str | None:
    query = (
        select(Shift)
        .join(SignUp, SignUp.shift_id == Shift.id)
        .where(
            SignUp.volunteer_id == volunteer_id,
            SignUp.status == "confirmed",
            Shift.cancelled.is_(False),
            Shift.starts_at > now,
        )
        .order_by(Shift.starts_at)
        .limit(1)
    )
    if organisation_id is not None:
        query = query.join(Role, Role.id == Shift.role_id).where(
            Role.organisation_id == organisation_id
        )
    shift = db.session.scalar(query)
    if shift is None:
        return None
    return f"{shift.role.title}, {date_time(shift.starts_at, weekday=True)}"


def values_for(bulk: BulkMessage, volunteer: Volunteer, now: datetime) -> dict[str, str | None]:
    about = segments.about(bulk.segment_kind, bulk.segment_key)
    first = (volunteer.name or "").split()
    return {
        "first_name": first[0] if first else None,
        "role": about.role_title if about is not None else None,
        "next_shift": next_shift(volunteer.id, bulk.organisation_id, now),
    }


def rendered(bulk: BulkMessage, volunteer: Volunteer, now: datetime) -> tuple[str, str]:
    """(subject, body) as this person reads them."""
    values = values_for(bulk, volunteer, now)
    return fill(bulk.subject, values), fill(bulk.body, values)


# --- Drafts, sending, cancelling -----------------------------------------------------------------


def save_draft(
    *,
    sender: User,
    segment_kind: str,
    segment_key: str,
    kind: str,
    subject: str,
    body: str,
    bulk: BulkMessage | None = None,
) -> BulkMessage:
    """A new draft, or ``bulk`` (a draft) changed; it is only sent from its preview."""
    about = segments.about(segment_kind, segment_key)
    if about is None or not segments.may_use(sender, segment_kind, segment_key):
        raise NotFound("There is no such group of volunteers.")
    if kind not in BULK_KINDS:
        raise DomainError("Choose what kind of message this is.", field="kind")
    for field, text in (("subject", subject), ("body", body)):
        unknown = unknown_fields(text)
        if unknown:
            names = ", ".join("{" + name + "}" for name in unknown)
            raise DomainError(
                f"There is no merge field {names}: use {{first_name}}, {{role}} or {{next_shift}}",
                field=field,
            )
    values = {"kind": kind, "subject": subject, "body": body, "segment_label": about.label}
    if bulk is None:
        bulk = BulkMessage(
            organisation_id=about.organisation_id,
            sender_id=sender.id,
            segment_kind=segment_kind,
            segment_key=segment_key,
            status="draft",
            **values,
        )
        db.session.add(bulk)
        db.session.flush()
        return bulk
    compare_and_set(
        bulk, expected="draft", values=values, message="This message has already been sent."
    )
    return bulk


def send(*, bulk: BulkMessage, sender: User) -> int:
    """Send a draft: fix its recipients (one delivery each) and leave the rest to the job.
    Of a double click, one sends and the other gets AlreadyDone. Returns the recipient count."""
    if not segments.may_use(sender, bulk.segment_kind, bulk.segment_key):
        raise NotFound("There is no such group of volunteers.")
    people = recipients(sender, bulk.segment_kind, bulk.segment_key, bulk.kind)
    if not people:
        raise DomainError("Nobody would get this message: choose another group.")
    compare_and_set(
        bulk,
        expected="draft",
        values={"status": "sending", "sent_at": utcnow(), "recipient_count": len(people)},
        message="This message has already been sent.",
    )
    # ORM rows (batched into multi-row INSERTs): new deliveries enqueue the job after commit.
    db.session.add_all(
        BulkDelivery(bulk_id=bulk.id, volunteer_id=vid, status="pending") for vid in people
    )
    db.session.flush()
    audit.record(
        "messaging.bulk_sent",
        actor=sender,
        target=bulk,
        details={
            "subject": bulk.subject,
            "kind": bulk.kind,
            "segment": f"{bulk.segment_kind}:{bulk.segment_key}",
            "segment_label": bulk.segment_label,
            "recipients": len(people),
        },
    )
    return len(people)


def cancel(*, bulk: BulkMessage, actor: User) -> int:
    """Stop a message while it is being sent: nobody else gets it. Returns how many did not."""
    compare_and_set(
        bulk,
        expected="sending",
        values={"status": "cancelled", "finished_at": utcnow()},
        message="This message has already finished sending.",
    )
    stopped = db.session.execute(
        update(BulkDelivery)
        .where(BulkDelivery.bulk_id == bulk.id, BulkDelivery.status == "pending")
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    audit.record(
        "messaging.bulk_cancelled", actor=actor, target=bulk, details={"not_sent": stopped}
    )
    return int(stopped)


def deliver(delivery_id: int, now: datetime) -> str | None:
    """Deliver one person's copy, exactly once: "sent" (emailed), "in_app", "skipped"
    (unsubscribed meanwhile), or None when it is not pending (delivered by another worker, or
    cancelled). The claim, the email in the outbox and the count are one transaction."""
    delivery = db.session.get(BulkDelivery, delivery_id)
    if delivery is None:
        return None
    # The message's row first, as cancelling takes it: workers and a cancel queue in one order
    # (never a deadlock), and a cancelled message sends nothing more.
    bulk = lock(delivery.bulk)
    volunteer = db.session.get(Volunteer, delivery.volunteer_id)
    if volunteer is None or bulk.status != "sending":
        return None
    if bulk.kind != "service" and volunteer.id in unsubscribed([volunteer.id], bulk.kind):
        outcome, subject, body = "skipped", None, None
    else:
        subject, body = rendered(bulk, volunteer, now)
        outcome = "sent" if may_email(volunteer, bulk.kind) else "in_app"
    claimed = db.session.execute(
        update(BulkDelivery)
        .where(BulkDelivery.id == delivery_id, BulkDelivery.status == "pending")
        .values(status=outcome, subject=subject, body=body, delivered_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if claimed != 1:
        return None
    if outcome != "skipped":
        db.session.execute(
            update(BulkMessage)
            .where(BulkMessage.id == bulk.id)
            .values(sent_count=BulkMessage.sent_count + 1)
            .execution_options(synchronize_session=False)
        )
    if outcome == "sent":
        _queue(bulk, volunteer, subject or "", body or "")
    return outcome


def _queue(bulk: BulkMessage, volunteer: Volunteer, subject: str, body: str) -> None:
    headers = None
    unsubscribe_url = None
    if bulk.kind in UNSUBSCRIBABLE:
        unsubscribe_url = external_url(
            "messaging.bulk_unsubscribe", token=unsubscribe_token(volunteer.id, bulk.kind)
        )
        headers = {
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    queue_email(
        kind="bulk_message",
        to=email_address(volunteer) or "",
        subject=subject,
        headers=headers,
        body=body,
        kind_label=bulk.kind_label,
        unsubscribe_url=unsubscribe_url,
        received_url=external_url("messaging.bulk_received"),
    )


def finish(bulk_id: int) -> bool:
    """Mark a message sent once nobody is left to deliver to (compare-and-set)."""
    pending = db.session.scalar(
        select(func.count())
        .select_from(BulkDelivery)
        .where(BulkDelivery.bulk_id == bulk_id, BulkDelivery.status == "pending")
    )
    if pending:
        return False
    done = db.session.execute(
        update(BulkMessage)
        .where(BulkMessage.id == bulk_id, BulkMessage.status == "sending")
        .values(status="sent", finished_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    return bool(done)


# --- One-click unsubscribe (RFC 8058) ------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(volunteer_id: int, kind: str) -> str:
    """A signed token naming the person and the kind (no expiry: an old email's link works)."""
    return str(_serializer().dumps([volunteer_id, kind]))


def read_token(token: str) -> tuple[int, str] | None:
    if len(token) > 200:
        return None
    try:
        volunteer_id, kind = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(volunteer_id, int) or kind not in UNSUBSCRIBABLE:
        return None
    return volunteer_id, kind


def unsubscribe(*, volunteer_id: int, kind: str) -> bool:
    """True if unsubscribed now; False if they already were (a second click adds no row)."""
    if db.session.get(Volunteer, volunteer_id) is None:
        raise NotFound("This link does not work.")
    try:
        with db.session.begin_nested():
            db.session.add(Unsubscribe(volunteer_id=volunteer_id, kind=kind))
    except IntegrityError:
        return False
    audit.record(
        "messaging.unsubscribed",
        target_type="volunteers_volunteer",
        target_id=volunteer_id,
        details={"kind": kind},
    )
    return True


def resubscribe(*, volunteer_id: int, kind: str) -> bool:
    """Undo :func:`unsubscribe`: True if the volunteer is subscribed again now, False if they
    already were (a second click changes nothing)."""
    found = db.session.scalar(
        select(Unsubscribe).where(
            Unsubscribe.volunteer_id == volunteer_id, Unsubscribe.kind == kind
        )
    )
    if found is None:
        if db.session.get(Volunteer, volunteer_id) is None:
            raise NotFound("This link does not work.")
        return False
    removed = db.session.execute(delete(Unsubscribe).where(Unsubscribe.id == found.id)).rowcount  # type: ignore[attr-defined]
    if not removed:
        return False  # someone else's click removed it first
    audit.record(
        "messaging.resubscribed",
        target_type="volunteers_volunteer",
        target_id=volunteer_id,
        details={"kind": kind},
    )
    return True
