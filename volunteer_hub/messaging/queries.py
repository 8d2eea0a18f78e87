"""messaging: queries (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select

from volunteer_hub.accounts.models import Role as UserRoleName
from volunteer_hub.accounts.models import User, UserRole
from volunteer_hub.accounts.permissions import (
    coordinated_organisation_ids,
    register_rule,
    sees_all_organisations,
)
from volunteer_hub.accounts.queries import coordinators_of
from volunteer_hub.extensions import db
from volunteer_hub.messaging import segments
from volunteer_hub.messaging.models import (
    BulkDelivery,
    BulkMessage,
    Message,
    Preference,
    ReadMark,
    Thread,
)
from volunteer_hub.organisations.models import Organisation, Role
from volunteer_hub.placements.models import Placement
from volunteer_hub.recruitment.models import Application
from volunteer_hub.scheduling.models import Shift, SignUp
from volunteer_hub.timebank.models import Account, Listing, TimeBank
from volunteer_hub.volunteers.models import Volunteer

#: How the other party sees an erased volunteer.
FORMER_VOLUNTEER = "a former volunteer"


def email_preference(user_id: int) -> str:
    """How ``user_id`` wants to hear of new messages: ``immediate`` (the default), ``digest``
    or ``none``. Service emails (safeguarding, shift cancelled, claim decided) ignore it."""
    chosen = db.session.scalar(select(Preference.email).where(Preference.user_id == user_id))
    return chosen or "immediate"


def chose_no_email(user_ids: dict[int, int | None]) -> set[int]:
    """Of ``{key: user_id}``, the keys whose person chose no emails for messages ("I will look
    in my inbox"): bulk messages reach them in the app only."""
    known = {key: user for key, user in user_ids.items() if user is not None}
    if not known:
        return set()
    quiet: set[int] = set()
    users = sorted(set(known.values()))
    for start in range(0, len(users), 500):
        quiet.update(
            db.session.scalars(
                select(Preference.user_id).where(
                    Preference.user_id.in_(users[start : start + 500]), Preference.email == "none"
                )
            )
        )
    return {key for key, user in known.items() if user in quiet}


# --- who takes part ---------------------------------------------------------------------------


def listing_owner_id(thread: Thread) -> int | None:
    """The sign-in of the member whose listing a time-bank thread is about."""
    if thread.listing_id is None:
        return None
    return db.session.scalar(
        select(Account.user_id)
        .join(Listing, Listing.account_id == Account.id)
        .where(Listing.id == thread.listing_id)
    )


def is_centre(user: Any) -> bool:
    return bool(getattr(user, "is_centre_coordinator", False))


def takes_part(user: Any, thread: Thread) -> bool:
    """The volunteer (not once erased), the team (every coordinator of the organisation, or the
    centre's coordinators) or, for a time-bank thread, its two members. Nobody else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if thread.kind == "timebank":
        return user.id in {thread.volunteer_id, listing_owner_id(thread)} - {None}
    if user.id == thread.volunteer_id:
        return not thread.volunteer_erased
    if thread.kind == "organisation":
        return thread.organisation_id in coordinated_organisation_ids(user)
    return is_centre(user)


def on_team(user: Any, thread: Thread) -> bool:
    """Answers for the team (the other side of the volunteer)."""
    return takes_part(user, thread) and user.id != thread.volunteer_id


register_rule(Thread, lambda user, thread, action: takes_part(user, thread))


def _visible(user: User) -> ColumnElement[bool]:
    """The threads ``user`` takes part in, as a condition."""
    owned = select(Listing.id).join(Account, Account.id == Listing.account_id)
    conditions: list[ColumnElement[bool]] = [
        and_(Thread.volunteer_id == user.id, Thread.volunteer_erased.is_(False)),
        and_(
            Thread.kind == "timebank",
            Thread.listing_id.in_(owned.where(Account.user_id == user.id)),
        ),
    ]
    organisations = coordinated_organisation_ids(user)
    if organisations:
        conditions.append(Thread.organisation_id.in_(sorted(organisations)))
    if is_centre(user):
        conditions.append(Thread.kind == "centre")
    return or_(*conditions)


def unread_counts(user: User, thread_ids: list[int]) -> dict[int, int]:
    """Messages from others that ``user`` has not read, by thread."""
    if not thread_ids:
        return {}
    read = (
        select(ReadMark.last_read_id)
        .where(ReadMark.thread_id == Message.thread_id, ReadMark.user_id == user.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Message.thread_id, func.count())
        .where(
            Message.thread_id.in_(thread_ids),
            or_(Message.author_id.is_(None), Message.author_id != user.id),
            Message.id > func.coalesce(read, 0),
        )
        .group_by(Message.thread_id)
    )
    return {thread_id: int(count) for thread_id, count in rows}


@dataclass(frozen=True)
class InboxLine:
    thread: Thread
    #: Who the thread is with, as this person sees it.
    with_whom: str
    unread: int


def inbox(user: User, limit: int = 200) -> list[InboxLine]:
    """The threads ``user`` takes part in, newest first, with unread counts."""
    threads = list(
        db.session.scalars(
            select(Thread)
            .where(_visible(user))
            .order_by(Thread.last_message_at.desc())
            .limit(limit)
        )
    )
    unread = unread_counts(user, [t.id for t in threads])
    return [InboxLine(t, other_party(user, t), unread.get(t.id, 0)) for t in threads]


def unread_total(user: User) -> int:
    """Messages from others ``user`` has not read, in every thread they take part in (one
    statement: it is asked on every page, for the navigation)."""
    read = (
        select(ReadMark.last_read_id)
        .where(ReadMark.thread_id == Message.thread_id, ReadMark.user_id == user.id)
        .scalar_subquery()
    )
    total = db.session.scalar(
        select(func.count())
        .select_from(Message)
        .join(Thread, Thread.id == Message.thread_id)
        .where(
            _visible(user),
            or_(Message.author_id.is_(None), Message.author_id != user.id),
            Message.id > func.coalesce(read, 0),
        )
    )
    return int(total or 0)


# --- names as each side sees them ---------------------------------------------------------


def member_name(thread: Thread, user_id: int | None) -> str:
    """A time-bank member's name in that time bank (never their email)."""
    if user_id is None:
        return FORMER_VOLUNTEER
    name = db.session.scalar(
        select(Account.name)
        .join(Listing, Listing.timebank_id == Account.timebank_id)
        .where(Listing.id == thread.listing_id, Account.user_id == user_id)
    )
    return name or FORMER_VOLUNTEER


def team_name(thread: Thread) -> str:
    if thread.kind == "organisation":
        name = db.session.scalar(
            select(Organisation.name).where(Organisation.id == thread.organisation_id)
        )
        return name or "the organisation"
    return "the volunteer centre"


def volunteer_name(thread: Thread) -> str:
    if thread.volunteer_erased:
        return FORMER_VOLUNTEER
    if thread.kind == "timebank":
        return member_name(thread, thread.volunteer_id)
    return thread.volunteer.name


def other_party(user: User, thread: Thread) -> str:
    if thread.kind == "timebank":
        if user.id == thread.volunteer_id:
            return member_name(thread, listing_owner_id(thread))
        return volunteer_name(thread)
    return team_name(thread) if user.id == thread.volunteer_id else volunteer_name(thread)


def author_name(message: Message, thread: Thread) -> str:
    if message.author_erased:
        return FORMER_VOLUNTEER
    if thread.kind == "timebank":
        return member_name(thread, message.author_id)
    if message.from_volunteer:
        return volunteer_name(thread)
    name = message.author.name if message.author is not None else "A coordinator"
    return f"{name}, {team_name(thread)}"


def messages_of(thread: Thread) -> list[Message]:
    return list(
        db.session.scalars(
            select(Message).where(Message.thread_id == thread.id).order_by(Message.id)
        )
    )


def last_message_id(thread: Thread) -> int:
    return int(
        db.session.scalar(select(func.max(Message.id)).where(Message.thread_id == thread.id)) or 0
    )


def thread_by_key(key: str) -> Thread | None:
    return db.session.scalar(select(Thread).where(Thread.idempotency_key == key))


# --- whom a thread reaches -----------------------------------------------------------------


def centre_coordinators() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == UserRoleName.CENTRE_COORDINATOR.value, User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def recipients(thread: Thread, author: User) -> list[User]:
    """Everyone on the other side of ``author`` (each once, active sign-ins only)."""
    people: list[User | None]
    if thread.kind == "timebank":
        ids = {thread.volunteer_id, listing_owner_id(thread)} - {author.id, None}
        people = [db.session.get(User, i) for i in sorted(i for i in ids if i is not None)]
    elif author.id == thread.volunteer_id:
        people = list(
            coordinators_of(thread.organisation_id)
            if thread.organisation_id is not None
            else centre_coordinators()
        )
    else:
        people = [] if thread.volunteer_erased else [thread.volunteer]
    return [p for p in people if p is not None and p.is_active and p.id != author.id]


# --- who may start a thread with whom -----------------------------------------------------


def connected(volunteer: Volunteer, organisation_id: int) -> bool:
    """Whether the volunteer applied to, was placed with or signed up for a shift of the
    organisation (the only volunteers its coordinators may write to first)."""
    applied = exists().where(
        Application.volunteer_id == volunteer.id, Application.organisation_id == organisation_id
    )
    placed = exists().where(
        Placement.volunteer_id == volunteer.id, Placement.organisation_id == organisation_id
    )
    signed_up = (
        exists()
        .where(SignUp.volunteer_id == volunteer.id)
        .where(SignUp.shift_id == Shift.id, Shift.role_id == Role.id)
        .where(Role.organisation_id == organisation_id)
    )
    return bool(db.session.scalar(select(or_(applied, placed, signed_up))))


def senders_for(user: User, volunteer: Volunteer) -> list[tuple[str, str]]:
    """Whom ``user`` may write to ``volunteer`` as: ``("centre", …)`` for the centre, then
    ``("org:<id>", name)`` for each of their organisations the volunteer is connected to."""
    if volunteer.user_id is None or volunteer.user_id == user.id:
        return []
    choices: list[tuple[str, str]] = []
    if is_centre(user):
        choices.append(("centre", "The volunteer centre"))
    ids = sorted(coordinated_organisation_ids(user))
    if ids:
        names = dict(
            db.session.execute(
                select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
            ).all()
        )
        choices += [(f"org:{i}", names[i]) for i in ids if i in names and connected(volunteer, i)]
    return choices


def volunteer_with_account(volunteer_id: int) -> Volunteer | None:
    volunteer = db.session.get(Volunteer, volunteer_id)
    return volunteer if volunteer is not None and volunteer.user_id is not None else None


@dataclass(frozen=True)
class About:
    """What a thread is attached to, as a page shows it: words and a link (endpoint, values)."""

    text: str
    endpoint: str | None
    values: dict[str, int]


def about(thread: Thread) -> list[About]:
    """The application, placement, shift or listing the thread is about."""
    found: list[About] = []
    if thread.application_id is not None:
        application = db.session.get(Application, thread.application_id)
        if application is not None:
            title = application.role.title if application.role is not None else "a role"
            found.append(
                About(
                    f"Application for {title}",
                    "recruitment.application",
                    {"application_id": application.id},
                )
            )
    if thread.placement_id is not None:
        placement = db.session.get(Placement, thread.placement_id)
        if placement is not None:
            found.append(About(f"Placement: {placement.role.title}", None, {}))
    if thread.shift_id is not None:
        shift = db.session.get(Shift, thread.shift_id)
        if shift is not None:
            found.append(About(f"Shift: {shift.role.title}", None, {}))
    if thread.listing_id is not None:
        listing = db.session.get(Listing, thread.listing_id)
        if listing is not None:
            found.append(
                About(f"Listing: {listing.title}", "timebank.listing", {"listing_id": listing.id})
            )
    return found


def attachment_ok(
    volunteer: Volunteer,
    organisation_id: int | None,
    *,
    application: int | None,
    placement: int | None,
    shift: int | None,
) -> bool:
    """Each attachment is the volunteer's own and (for an organisation) that organisation's."""
    if application is not None:
        row = db.session.get(Application, application)
        if row is None or row.volunteer_id != volunteer.id:
            return False
        if organisation_id is not None and row.organisation_id != organisation_id:
            return False
    if placement is not None:
        found = db.session.get(Placement, placement)
        if found is None or found.volunteer_id != volunteer.id:
            return False
        if organisation_id is not None and found.organisation_id != organisation_id:
            return False
    if shift is not None:
        signed = db.session.scalar(
            select(SignUp.id).where(SignUp.shift_id == shift, SignUp.volunteer_id == volunteer.id)
        )
        found_shift = db.session.get(Shift, shift)
        if signed is None or found_shift is None:
            return False
        if organisation_id is not None and found_shift.organisation_id != organisation_id:
            return False
    return True


# --- time bank ------------------------------------------------------------------------------


def contact_thread(listing: Listing, user: User) -> Thread | None:
    """The member's existing thread about the listing, if any."""
    return db.session.scalar(
        select(Thread).where(Thread.listing_id == listing.id, Thread.volunteer_id == user.id)
    )


@dataclass(frozen=True)
class Contact:
    """That two members talked about a listing (never what they said)."""

    listing_id: int
    listing_title: str
    contacted_by: str
    listing_member: str
    started: datetime
    last_message: datetime
    messages: int


def contacts(timebank: TimeBank) -> list[Contact]:
    """For the time bank's coordinators: who contacted whom about which listing, and when."""
    threads = list(
        db.session.scalars(
            select(Thread)
            .join(Listing, Listing.id == Thread.listing_id)
            .where(Listing.timebank_id == timebank.id)
            .order_by(Thread.last_message_at.desc())
        )
    )
    counts = dict(
        db.session.execute(
            select(Message.thread_id, func.count())
            .where(Message.thread_id.in_([t.id for t in threads] or [0]))
            .group_by(Message.thread_id)
        ).all()
    )
    lines = []
    for thread in threads:
        listing = db.session.get(Listing, thread.listing_id)
        assert listing is not None
        lines.append(
            Contact(
                listing_id=listing.id,
                listing_title=listing.title,
                contacted_by=volunteer_name(thread),
                listing_member=listing.account.name,
                started=thread.created_at,
                last_message=thread.last_message_at,
                messages=int(counts.get(thread.id, 0)),
            )
        )
    return lines


# --- Bulk messages ---------------------------------------------------------------------------


#: How many rendered messages the preview shows.
SAMPLE_SIZE = 3


def bulk_by_id(bulk_id: int) -> BulkMessage | None:
    return db.session.get(BulkMessage, bulk_id)


def may_see_bulk(user: User, bulk: BulkMessage) -> bool:
    """The organisation's coordinators (a centre-wide message: the centre) and its sender."""
    if not user.is_authenticated or not user.is_active:
        return False
    if sees_all_organisations(user):
        return True
    return (
        bulk.organisation_id is not None
        and bulk.organisation_id in coordinated_organisation_ids(user)
    )


def sent_messages(user: User, limit: int = 200) -> list[BulkMessage]:
    """The "Sent messages" page: every bulk message of the organisations ``user`` coordinates
    (all of them for the centre), newest first; drafts only the sender's own."""
    query = select(BulkMessage).order_by(BulkMessage.id.desc()).limit(limit)
    if not sees_all_organisations(user):
        ids = sorted(coordinated_organisation_ids(user))
        if not ids:
            return []
        query = query.where(BulkMessage.organisation_id.in_(ids))
    query = query.where((BulkMessage.status != "draft") | (BulkMessage.sender_id == user.id))
    return list(db.session.scalars(query))


def bulk_status(bulk: BulkMessage) -> dict[str, object]:
    """The progress page's counts (the JSON it polls)."""
    counts = dict(
        db.session.execute(
            select(BulkDelivery.status, func.count())
            .where(BulkDelivery.bulk_id == bulk.id)
            .group_by(BulkDelivery.status)
        ).all()
    )
    return {
        "status": bulk.status,
        "finished": bulk.finished,
        "recipients": bulk.recipient_count,
        "delivered": bulk.sent_count,
        "emailed": int(counts.get("sent", 0)),
        "remaining": int(counts.get("pending", 0)),
        "not_sent": int(counts.get("cancelled", 0)) + int(counts.get("skipped", 0)),
    }


@dataclass(frozen=True)
class Sample:
    name: str
    subject: str
    body: str
    by_email: bool


@dataclass(frozen=True)
class Preview:
    count: int
    by_email: int
    samples: list[Sample]


def preview(user: User, bulk: BulkMessage, now: datetime) -> Preview:
    """The exact recipients (unsubscribed people left out) and the first few messages as those
    real people would read them."""
    from volunteer_hub.messaging import bulk as commands

    ids = commands.recipients(user, bulk.segment_kind, bulk.segment_key, bulk.kind)
    by_email = 0
    for start in range(0, len(ids), 500):
        chunk = db.session.scalars(
            select(Volunteer).where(Volunteer.id.in_(ids[start : start + 500]))
        ).all()
        by_email += len(commands.emailable(chunk, bulk.kind))
    samples = []
    for volunteer_id in ids[:SAMPLE_SIZE]:
        person = db.session.get(Volunteer, volunteer_id)
        if person is None:
            continue
        subject, body = commands.rendered(bulk, person, now)
        samples.append(Sample(person.name, subject, body, commands.may_email(person, bulk.kind)))
    return Preview(len(ids), by_email, samples)


def sending_bulk_ids() -> list[int]:
    return list(
        db.session.scalars(
            select(BulkMessage.id).where(BulkMessage.status == "sending").order_by(BulkMessage.id)
        )
    )


def pending_delivery_ids(bulk_id: int, limit: int = 500) -> list[int]:
    return list(
        db.session.scalars(
            select(BulkDelivery.id)
            .where(BulkDelivery.bulk_id == bulk_id, BulkDelivery.status == "pending")
            .order_by(BulkDelivery.id)
            .limit(limit)
        )
    )


def received_bulk(volunteer_id: int) -> list[BulkDelivery]:
    """The bulk messages a volunteer received (in the app or by email), newest first."""
    return list(
        db.session.scalars(
            select(BulkDelivery)
            .where(
                BulkDelivery.volunteer_id == volunteer_id,
                BulkDelivery.status.in_(("sent", "in_app")),
            )
            .order_by(BulkDelivery.delivered_at.desc(), BulkDelivery.id.desc())
        )
    )


def volunteer_id_of(user: User) -> int | None:
    return db.session.scalar(select(Volunteer.id).where(Volunteer.user_id == user.id))


def segment_about(kind: str, key: str) -> segments.About | None:
    return segments.about(kind, key)
