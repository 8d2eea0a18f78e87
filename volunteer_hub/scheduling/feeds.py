"""Each person's private iCalendar feed, and the secret link it is read at.

The feed is built from :data:`SOURCES`: functions from a :class:`Person` to :class:`FeedEvent`
values. A volunteer's sources give their own places on shifts, their booked training sessions,
their next supervision meetings and their placements' start days; a coordinator's source gives
their organisations' shifts with counts (confirmed of capacity, waiting), never names. Nothing in
a feed names or addresses anybody else.

- UIDs are stable (``shift-<id>@<host>``, ``training-<id>@<host>``, ...); a shift's ``SEQUENCE``
  is its ``version``, so a moved or cancelled shift replaces the copy in the calendar.
- A shift the organisation cancelled stays in the feed with ``STATUS:CANCELLED`` (calendars then
  strike it through or remove it themselves); a place the person gave up leaves their feed.
- Times are UTC instants (``DTSTART:20270205T093000Z``); day-long items (supervision, a
  placement's start) are ``VALUE=DATE``.
- The link's secret is an HMAC of the app's ``SECRET_KEY``, the user and a random salt; only its
  SHA-256 is stored. Resetting draws a new salt, so the old link answers 404 at once. Changing
  ``SECRET_KEY`` changes the link shown (the stored hash still answers the old link until the
  person resets it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlparse

from flask import current_app
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import coordinated_organisation_ids
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.transitions import AlreadyDone, flush_unique, lock
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Role
from volunteer_hub.placements.models import Placement
from volunteer_hub.scheduling.models import HOLDING, FeedToken, Shift, SignUp
from volunteer_hub.scheduling.times import LONDON
from volunteer_hub.supervision.models import SupervisionRecord
from volunteer_hub.training.models import Booking, TrainingSession
from volunteer_hub.volunteers.models import Volunteer

#: How far back and ahead a feed reaches.
PAST = timedelta(days=90)
AHEAD = timedelta(days=400)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class FeedEvent:
    """One VEVENT. ``start``/``end`` are aware datetimes, or dates for day-long items."""

    uid: str
    summary: str
    start: datetime | date
    end: datetime | date
    sequence: int = 0
    location: str | None = None
    description: str | None = None
    cancelled: bool = False


@dataclass
class Person:
    """Whose feed: the user, their volunteer record (if any), the organisations they run."""

    user: User
    volunteer: Volunteer | None
    organisation_ids: set[int] = field(default_factory=set)
    now: datetime = field(default_factory=lambda: datetime.now(LONDON))
    host: str = "volunteer-hub"

    def uid(self, kind: str, ident: int) -> str:
        return f"{kind}-{ident}@{self.host}"


# --- sources ----------------------------------------------------------------------------------


def _shift_event(person: Person, shift: Shift, summary: str, description: str) -> FeedEvent:
    return FeedEvent(
        uid=person.uid("shift", shift.id),
        summary=summary,
        start=shift.starts_at,
        end=shift.ends_at,
        sequence=shift.version,
        location=shift.location,
        description=description,
        cancelled=shift.cancelled,
    )


def my_shifts(person: Person) -> list[FeedEvent]:
    """The person's own places on shifts (not the waiting list, not places given up)."""
    if person.volunteer is None:
        return []
    rows = db.session.scalars(
        select(SignUp)
        .join(Shift, Shift.id == SignUp.shift_id)
        .where(
            SignUp.volunteer_id == person.volunteer.id,
            SignUp.status.in_(HOLDING),
            Shift.ends_at > person.now - PAST,
            Shift.starts_at < person.now + AHEAD,
        )
        .options(
            selectinload(SignUp.shift).selectinload(Shift.role).selectinload(Role.organisation)
        )
        .order_by(Shift.starts_at, Shift.id)
    )
    return [
        _shift_event(
            person,
            s.shift,
            f"{s.shift.role.title} shift",
            f"Your shift with {s.shift.role.organisation.name}.",
        )
        for s in rows
    ]


def my_training(person: Person) -> list[FeedEvent]:
    """Training sessions the person has a place on."""
    if person.volunteer is None:
        return []
    rows = db.session.scalars(
        select(Booking)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .where(
            Booking.volunteer_id == person.volunteer.id,
            Booking.status.in_(("booked", "attended")),
            TrainingSession.held_on >= (person.now - PAST).date(),
        )
        .options(selectinload(Booking.session).selectinload(TrainingSession.course))
    )
    events = []
    for booking in rows:
        session = booking.session
        # UK wall-clock time as a UTC instant: a feed carries no VTIMEZONE.
        start = datetime.combine(session.held_on, session.starts_at, tzinfo=LONDON).astimezone(UTC)
        events.append(
            FeedEvent(
                uid=person.uid("training", session.id),
                summary=f"Training: {session.course.title}",
                start=start,
                end=start + timedelta(minutes=session.course.duration_minutes or 60),
                location=session.place or session.online_link,
                cancelled=session.cancelled,
            )
        )
    return events


def my_supervision(person: Person) -> list[FeedEvent]:
    """The next supervision meeting agreed at each meeting (a day; the time is arranged)."""
    if person.volunteer is None:
        return []
    rows = db.session.scalars(
        select(SupervisionRecord)
        .join(Placement, Placement.id == SupervisionRecord.placement_id)
        .where(
            Placement.volunteer_id == person.volunteer.id,
            SupervisionRecord.next_meeting_on.is_not(None),
            SupervisionRecord.next_meeting_on >= (person.now - PAST).date(),
        )
        .options(selectinload(SupervisionRecord.placement).selectinload(Placement.role))
    )
    return [
        FeedEvent(
            uid=person.uid("supervision", record.id),
            summary=f"Supervision meeting: {record.placement.role.title}",
            start=record.next_meeting_on,
            end=record.next_meeting_on + timedelta(days=1),
        )
        for record in rows
        if record.next_meeting_on is not None
    ]


def my_placements(person: Person) -> list[FeedEvent]:
    """The first day of each of the person's placements."""
    if person.volunteer is None:
        return []
    rows = db.session.scalars(
        select(Placement)
        .where(Placement.volunteer_id == person.volunteer.id)
        .options(selectinload(Placement.role), selectinload(Placement.organisation))
    )
    return [
        FeedEvent(
            uid=person.uid("placement", p.id),
            summary=f"Placement starts: {p.role.title}",
            start=p.start_date,
            end=p.start_date + timedelta(days=1),
            description=f"Your placement with {p.organisation.name} starts.",
        )
        for p in rows
    ]


def organisation_shifts(person: Person) -> list[FeedEvent]:
    """For coordinators: every shift of the organisations they run, with counts, never names."""
    if not person.organisation_ids:
        return []
    rows = db.session.scalars(
        select(Shift)
        .join(Role, Role.id == Shift.role_id)
        .where(
            Role.organisation_id.in_(person.organisation_ids),
            Shift.ends_at > person.now - PAST,
            Shift.starts_at < person.now + AHEAD,
        )
        .options(
            selectinload(Shift.role).selectinload(Role.organisation), selectinload(Shift.signups)
        )
        .order_by(Shift.starts_at, Shift.id)
    )
    events = []
    for shift in rows:
        confirmed, waiting = len(shift.confirmed), len(shift.waiting)
        gap = f"; needs {shift.short} more" if shift.short and not shift.cancelled else ""
        events.append(
            _shift_event(
                person,
                shift,
                f"{shift.role.title} ({confirmed}/{shift.capacity})",
                f"{shift.role.organisation.name}: {confirmed} of {shift.capacity} places taken, "
                f"{waiting} waiting{gap}.",
            )
        )
    return events


Source = Callable[[Person], Iterable[FeedEvent]]


def my_interviews(person: Person) -> Iterable[FeedEvent]:
    """The person's booked interviews: the same events (UID, SEQUENCE) their invitation emails
    carried, so a calendar that took the invitation updates the same entry."""
    from volunteer_hub.scheduling.queries import interview_calendar_events

    if person.volunteer is None:
        return []
    return [
        FeedEvent(
            uid=str(event["UID"]),
            summary=str(event["SUMMARY"]),
            start=event.decoded("DTSTART"),
            end=event.decoded("DTEND"),
            sequence=int(event.get("SEQUENCE", 0)),
            location=str(event["LOCATION"]) if event.get("LOCATION") else None,
            description=str(event["DESCRIPTION"]) if event.get("DESCRIPTION") else None,
        )
        for event in interview_calendar_events(person.volunteer.id)
    ]


#: Where a feed's events come from, in order; the first event with a UID wins (a coordinator
#: with a place on their own organisation's shift sees it once, as their own).
SOURCES: list[Source] = [
    my_shifts,
    my_training,
    my_supervision,
    my_placements,
    organisation_shifts,
    my_interviews,
]


# --- the calendar -----------------------------------------------------------------------------


def person_for(user: User, now: datetime) -> Person:
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
    host = urlparse(current_app.config.get("BASE_URL") or "").hostname or "volunteer-hub"
    return Person(user, volunteer, coordinated_organisation_ids(user), now, host)


def events_for(person: Person) -> list[FeedEvent]:
    seen: dict[str, FeedEvent] = {}
    for source in SOURCES:
        for event in source(person):
            seen.setdefault(event.uid, event)
    return list(seen.values())


def calendar(person: Person) -> bytes:
    """The person's feed as iCalendar text."""
    cal = Calendar()
    cal.add("prodid", "-//Volunteer Hub//Calendar feed//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Volunteer Hub")
    cal.add("x-published-ttl", "PT1H")
    for item in events_for(person):
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", person.now)
        event.add("dtstart", item.start)
        event.add("dtend", item.end)
        event.add("sequence", item.sequence)
        event.add("summary", item.summary)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        cal.add_component(event)
    return cal.to_ical()


# --- the secret link --------------------------------------------------------------------------


def _secret(user_id: int, salt: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"calendar-feed:{user_id}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_of(user: User) -> FeedToken | None:
    return db.session.scalar(select(FeedToken).where(FeedToken.user_id == user.id))


def secret_of(token: FeedToken) -> str | None:
    """The secret of the person's current link, or None when ``SECRET_KEY`` has changed since
    (the page then asks them to reset it)."""
    secret = _secret(token.user_id, token.salt)
    return secret if hmac.compare_digest(_hash(secret), token.token_hash) else None


def create_link(*, user: User) -> FeedToken:
    """Give the person a feed link (once: a second click is told it exists)."""
    if token_of(user) is not None:
        raise AlreadyDone("You already have a calendar link.")
    salt = secrets.token_hex(16)
    token = FeedToken(user_id=user.id, salt=salt, token_hash=_hash(_secret(user.id, salt)))
    db.session.add(token)
    flush_unique("You already have a calendar link.")
    audit("scheduling.feed_created", actor=user, target=user)
    return token


def reset_link(*, user: User, current: str) -> FeedToken:
    """Revoke the person's link and give a new one. ``current`` is the start of the link's hash
    the page showed, so a double click resets once."""
    token = token_of(user)
    if token is None:
        raise DomainError("You have no calendar link yet.")
    token = lock(token)
    if not current or not token.token_hash.startswith(current):
        raise AlreadyDone("Your calendar link has already been reset.")
    token.salt = secrets.token_hex(16)
    token.token_hash = _hash(_secret(user.id, token.salt))
    db.session.flush()
    audit("scheduling.feed_reset", actor=user, target=user)
    return token


def user_for_secret(secret: str) -> User | None:
    """The user whose current link has this secret, or None (unknown, revoked, malformed).
    Only hashes are compared, and with :func:`hmac.compare_digest`."""
    if not TOKEN_RE.match(secret):
        return None
    wanted = _hash(secret)
    token = db.session.scalar(select(FeedToken).where(FeedToken.token_hash == wanted))
    if token is None or not hmac.compare_digest(token.token_hash, wanted):
        return None
    user = db.session.get(User, token.user_id)
    return user if user is not None and user.is_active else None
