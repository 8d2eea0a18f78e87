"""Invented messaging demo data: a coordinator and the demo volunteer about an application, a
team-inbox thread from the volunteer centre, and a time-bank contact about a listing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.queries import coordinators_of
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.messaging import bulk, segments
from volunteer_hub.messaging.models import BulkMessage, Message, ReadMark, Thread
from volunteer_hub.messaging.queries import pending_delivery_ids
from volunteer_hub.recruitment.models import Application
from volunteer_hub.scheduling.models import SignUp
from volunteer_hub.timebank.models import Account, Listing, TimeBank
from volunteer_hub.volunteers.models import Volunteer


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _thread(
    thread: Thread, lines: list[tuple[User, str]], start: datetime, read_by: list[User]
) -> Thread:
    db.session.add(thread)
    db.session.flush()
    when = start
    last = 0
    for author, body in lines:
        message = Message(
            thread_id=thread.id,
            author_id=author.id,
            from_volunteer=author.id == thread.volunteer_id,
            body=body,
            created_at=when,
        )
        db.session.add(message)
        db.session.flush()
        last = message.id
        thread.last_message_at = when
        when += timedelta(hours=5)
    for person in read_by:
        db.session.add(ReadMark(thread_id=thread.id, user_id=person.id, last_read_id=last))
    return thread


def _application_thread(volunteer_user: User, start: datetime) -> int:
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == volunteer_user.id))
    if volunteer is None:
        return 0
    application = db.session.scalar(
        select(Application)
        .where(Application.volunteer_id == volunteer.id, Application.organisation_id.is_not(None))
        .order_by(Application.id)
        .limit(1)
    )
    if application is None or application.organisation_id is None:
        return 0
    coordinators = coordinators_of(application.organisation_id)
    if not coordinators:
        return 0
    title = application.role.title if application.role is not None else "your application"
    _thread(
        Thread(
            kind="organisation",
            organisation_id=application.organisation_id,
            volunteer_id=volunteer_user.id,
            started_by_id=coordinators[0].id,
            subject=f"Your application: {title}",
            application_id=application.id,
        ),
        [
            (
                coordinators[0],
                "Thank you for applying. Could you come in for an informal chat next Tuesday "
                "at 2pm? It takes about half an hour.",
            ),
            (volunteer_user, "Tuesday at 2pm works for me. Should I bring anything?"),
            (coordinators[0], "Just yourself. Ask for me at the front desk."),
        ],
        start,
        read_by=[volunteer_user],  # the coordinator has the last reply unread
    )
    return 1


def _timebank_contact(volunteer_user: User, other: User, start: datetime) -> int:
    mine = db.session.scalar(select(Account).where(Account.user_id == volunteer_user.id))
    if mine is None:
        return 0
    timebank = db.session.get(TimeBank, mine.timebank_id)
    assert timebank is not None
    theirs = db.session.scalar(
        select(Account).where(Account.timebank_id == timebank.id, Account.user_id == other.id)
    )
    if theirs is None:
        theirs = Account(
            timebank_id=timebank.id,
            kind="person",
            user_id=other.id,
            name=other.name,
            area=mine.area,
            status="approved",
            terms_version=timebank.terms_version,
            terms_accepted_at=start,
            references_ok=True,
            approved_at=start,
        )
        db.session.add(theirs)
    listing = Listing(
        timebank_id=timebank.id,
        account_id=mine.id,
        kind="offer",
        category="tech",
        title="Help writing a CV",
        area=mine.area,
        availability="Weekday evenings",
    )
    db.session.add(listing)
    db.session.flush()
    _thread(
        Thread(
            kind="timebank",
            volunteer_id=other.id,
            started_by_id=other.id,
            subject=listing.title,
            listing_id=listing.id,
        ),
        [
            (
                other,
                "Hello, I'm applying for jobs again after a long break. Could you look over my CV?",
            ),
            (volunteer_user, "Happily. Would an hour on Wednesday evening suit you?"),
        ],
        start + timedelta(days=1),
        read_by=[volunteer_user, other],
    )
    return 1


def seed() -> list[str]:
    return seed_threads() + seed_bulk()


def seed_threads() -> list[str]:
    if db.session.scalar(select(Thread.id).limit(1)) is not None:
        return []
    volunteer_user = _user("volunteer@demo.volunteerhub.invalid")
    centre = _user("centre@demo.volunteerhub.invalid")
    other = _user("admin@demo.volunteerhub.invalid")
    if volunteer_user is None or centre is None:
        return []
    start = utcnow() - timedelta(days=3)
    made = _application_thread(volunteer_user, start)
    _thread(
        Thread(
            kind="centre",
            volunteer_id=volunteer_user.id,
            started_by_id=centre.id,
            subject="Volunteers' Week celebration",
        ),
        [
            (
                centre,
                "We're holding a thank-you tea for volunteers on the first Saturday of June. "
                "Would you like to come?",
            ),
        ],
        start + timedelta(days=2),
        read_by=[centre],  # unread by the volunteer
    )
    made += 1
    if other is not None:
        made += _timebank_contact(volunteer_user, other, start)
    db.session.flush()
    return [
        f"Demo messages: {made} conversations: about an application, in the centre's inbox, "
        "and a time-bank contact."
    ]


def _busiest_shift() -> int | None:
    """The shift with the most people signed up or waiting (the demo's full shift)."""
    return db.session.scalar(
        select(SignUp.shift_id)
        .where(SignUp.status.in_(("confirmed", "waiting")))
        .group_by(SignUp.shift_id)
        .order_by(func.count().desc(), SignUp.shift_id)
        .limit(1)
    )


def seed_bulk() -> list[str]:
    """One shift update sent to the sign-ups and waiting list of the demo's full shift, one of
    whom has unsubscribed from news."""
    if db.session.scalar(select(BulkMessage.id).limit(1)) is not None:
        return []
    centre = db.session.scalar(select(User).where(User.email == "centre@demo.volunteerhub.invalid"))
    shift_id = _busiest_shift()
    if centre is None or shift_id is None:
        return []
    key = f"{shift_id}-waiting"
    people = sorted(segments.resolve(centre, "shift", key))
    bulk.unsubscribe(volunteer_id=people[0], kind="news")
    message = bulk.save_draft(
        sender=centre,
        segment_kind="shift",
        segment_key=key,
        kind="shift_updates",
        subject="Parking at the hall this week",
        body="Hello {first_name},\n\nThe car park is closed for resurfacing, so please use the "
        "side street when you come to help as {role}.\n\n"
        "Your next shift: {next_shift|none booked yet}.",
    )
    count = bulk.send(bulk=message, sender=centre)
    for delivery_id in pending_delivery_ids(message.id):
        bulk.deliver(delivery_id, utcnow())
    bulk.finish(message.id)
    db.session.flush()
    return [
        f"Demo bulk messages: a shift update sent to {count} people; one volunteer unsubscribed "
        "from news."
    ]
