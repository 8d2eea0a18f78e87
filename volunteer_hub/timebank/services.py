"""Time banks, members, offers and requests, exchanges, donations and grants, statements.
Services flush, never commit (``ledger.once`` rolls back a losing duplicate)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.services import give_consent
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.geo import outward_code
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set, flush_unique, lock
from volunteer_hub.extensions import db
from volunteer_hub.recruitment.models import DbsRecord
from volunteer_hub.timebank import ledger
from volunteer_hub.timebank.ledger import Leg
from volunteer_hub.timebank.models import (
    CATEGORIES,
    Account,
    Entry,
    Exchange,
    Listing,
    Match,
    TimeBank,
    TimeBankCoordinator,
    Transfer,
)
from volunteer_hub.volunteers.models import Volunteer

DEFAULT_TERMS = (
    "Time credits are earned by giving help and spent on receiving it: one hour is one credit, "
    "whatever the task. Credits are never bought, sold, or exchanged for money or goods, so they "
    "are not earnings and do not affect benefits. Members treat each other with respect, keep "
    "each other's details private and tell the coordinator about any concern."
)
INACTIVE_DAYS = 90
MAX_MINUTES = 24 * 60


def _clean(value: Any, limit: int) -> str:
    text = " ".join(str(value or "").split())
    return text[: limit + 1]


def hours_to_minutes(value: Any, *, field: str = "hours") -> int:
    """ "1.5" → 90; hours must be a positive multiple of 0.25, at most 24."""
    from decimal import Decimal, InvalidOperation

    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError("Enter the hours as a number, like 1.5", field=field) from None
    if not hours.is_finite() or hours <= 0 or hours > 24 or (hours * 4) % 1 != 0:
        raise DomainError(
            "Enter hours in steps of a quarter of an hour (0.25), from 0.25 to 24", field=field
        )
    return int(hours * 60)


# --- who may do what -------------------------------------------------------------------------


def coordinates(user: User, timebank: TimeBank) -> bool:
    """Only a time bank's own coordinators act in it."""
    return (
        db.session.scalar(
            select(TimeBankCoordinator.id).where(
                TimeBankCoordinator.timebank_id == timebank.id,
                TimeBankCoordinator.user_id == user.id,
            )
        )
        is not None
    )


def coordinated_timebanks(user: User) -> list[TimeBank]:
    return list(
        db.session.scalars(
            select(TimeBank)
            .join(TimeBankCoordinator, TimeBankCoordinator.timebank_id == TimeBank.id)
            .where(TimeBankCoordinator.user_id == user.id)
            .order_by(TimeBank.name)
        )
    )


def account_of(user: User, timebank: TimeBank) -> Account | None:
    return db.session.scalar(
        select(Account).where(Account.timebank_id == timebank.id, Account.user_id == user.id)
    )


def pot_of(timebank: TimeBank) -> Account:
    pot = db.session.scalar(
        select(Account).where(Account.timebank_id == timebank.id, Account.kind == "pot")
    )
    if pot is None:
        pot = Account(
            timebank_id=timebank.id,
            kind="pot",
            name=f"{timebank.name} community pot",
            status="approved",
        )
        db.session.add(pot)
        db.session.flush()
    return pot


def _require_coordinator(user: User, timebank: TimeBank) -> None:
    if not coordinates(user, timebank):
        raise DomainError("Only this time bank's coordinators can do that")


# --- time banks and members ------------------------------------------------------------------


def create_timebank(
    *,
    actor: User,
    name: str,
    terms: str = "",
    min_hours: str = "-10",
    max_hours: str = "",
    requires_dbs: bool = False,
) -> TimeBank:
    if not actor.is_admin:
        raise DomainError("Only an administrator creates a time bank")
    name = _clean(name, 200)
    if not name or len(name) > 200:
        raise DomainError("Enter the time bank's name (up to 200 characters)", field="name")
    if db.session.scalar(select(TimeBank.id).where(TimeBank.name == name)):
        raise DomainError("There is already a time bank with this name", field="name")
    timebank = TimeBank(name=name, terms=(terms or "").strip() or DEFAULT_TERMS)
    _set_limits(timebank, min_hours, max_hours)
    timebank.requires_dbs = requires_dbs
    db.session.add(timebank)
    # Two administrators (or a double click) creating the same bank at once: one is created.
    flush_unique("There is already a time bank with this name", field="name")
    pot_of(timebank)
    audit("timebank.created", actor=actor, target=timebank)
    return timebank


def _set_limits(timebank: TimeBank, min_hours: str, max_hours: str) -> None:
    from decimal import Decimal, InvalidOperation

    try:
        minimum = Decimal(str(min_hours or "0").strip())
        maximum = Decimal(str(max_hours).strip()) if str(max_hours or "").strip() else None
    except InvalidOperation:
        raise DomainError(
            "Enter the limits as numbers of hours, like -10", field="min_hours"
        ) from None
    if not minimum.is_finite() or minimum > 0 or minimum < -1000 or (minimum * 4) % 1:
        raise DomainError(
            "The minimum balance is 0 or a negative number of hours in quarter hours, down to "
            "-1000",
            field="min_hours",
        )
    if maximum is not None and (
        not maximum.is_finite() or maximum <= 0 or maximum > 10000 or (maximum * 4) % 1
    ):
        raise DomainError(
            "The maximum balance is a positive number of hours, or empty for none",
            field="max_hours",
        )
    timebank.min_balance_minutes = int(minimum * 60)
    timebank.max_balance_minutes = int(maximum * 60) if maximum is not None else None


def update_settings(
    *,
    actor: User,
    timebank: TimeBank,
    terms: str,
    min_hours: str,
    max_hours: str,
    requires_dbs: bool,
) -> None:
    if not (actor.is_admin or coordinates(actor, timebank)):
        raise DomainError("Only this time bank's coordinators change its settings")
    terms = (terms or "").strip()
    if len(terms) < 20:
        raise DomainError("Enter the time bank's terms (at least 20 characters)", field="terms")
    if terms != timebank.terms:
        timebank.terms = terms
        timebank.terms_version += 1
    _set_limits(timebank, min_hours, max_hours)
    timebank.requires_dbs = requires_dbs
    db.session.flush()
    audit("timebank.settings", actor=actor, target=timebank)


def add_coordinator(*, actor: User, timebank: TimeBank, user: User) -> None:
    if not actor.is_admin:
        raise DomainError("Only an administrator names a time bank's coordinators")
    if not user.is_staff:
        raise DomainError("Coordinators must be staff (a centre or organisation coordinator)")
    lock(timebank)  # a second request waits here, then finds the first one's row
    if coordinates(user, timebank):
        raise AlreadyDone(f"{user.name} already coordinates this time bank.")
    db.session.add(TimeBankCoordinator(timebank_id=timebank.id, user_id=user.id))
    db.session.flush()
    audit("timebank.coordinator_added", actor=actor, target=timebank, details={"user": user.id})


def join(*, user: User, timebank: TimeBank, area: str, accepted_terms: bool) -> Account:
    """A person applies: they accept the terms and wait for the coordinator's approval. The time
    bank's row is locked first, so of two applications at once (a double click) the second
    waits, then finds the first and is told it was already made."""
    if not accepted_terms:
        raise DomainError("Tick the box to accept the time bank's terms", field="accept")
    if account_of(user, timebank) is not None:
        raise AlreadyDone("You have already applied to this time bank.")
    district = outward_code(area)
    if area and district is None:
        raise DomainError(
            "Enter your postcode district, like SE15 (the first part of your postcode)",
            field="area",
        )
    lock(timebank)
    if account_of(user, timebank) is not None:
        raise AlreadyDone("You have already applied to this time bank.")
    if db.session.scalar(
        select(Account.id).where(
            Account.timebank_id == timebank.id, Account.email == user.email.lower()
        )
    ):
        raise DomainError(
            "The coordinator has already recorded a member with your email address: ask them to "
            "link it to your sign-in"
        )
    account = Account(
        timebank_id=timebank.id,
        kind="person",
        user_id=user.id,
        name=user.name,
        email=user.email.lower(),
        area=district,
        status="pending",
        terms_version=timebank.terms_version,
        terms_accepted_at=utcnow(),
    )
    db.session.add(account)
    db.session.flush()
    give_consent(user, "timebank_terms", "timebank_join", version=str(timebank.terms_version))
    audit("timebank.applied", actor=user, target=account)
    return account


def add_member(
    *,
    actor: User,
    timebank: TimeBank,
    kind: str,
    name: str,
    email: str = "",
    phone: str = "",
    area: str = "",
    organisation_id: int | None = None,
) -> Account:
    """A coordinator records a member without a sign-in (a person without internet, or an
    organisation such as a care home). They still need approving."""
    _require_coordinator(actor, timebank)
    if kind not in ("person", "organisation"):
        raise DomainError("Choose a person or an organisation", field="kind")
    name = _clean(name, 200)
    if not name or len(name) > 200:
        raise DomainError("Enter the member's name", field="name")
    email = email.strip().lower() or ""
    if email and ("@" not in email or len(email) > 254):
        raise DomainError("Enter a real email address, or leave it empty", field="email")
    if email and db.session.scalar(
        select(Account.id).where(Account.timebank_id == timebank.id, Account.email == email)
    ):
        raise DomainError("A member with this email is already in the time bank", field="email")
    district = outward_code(area)
    if area and district is None:
        raise DomainError("Enter the postcode district, like SE15", field="area")
    account = Account(
        timebank_id=timebank.id,
        kind=kind,
        name=name,
        email=email or None,
        phone=_clean(phone, 40) or None,
        area=district,
        organisation_id=organisation_id,
        status="pending",
    )
    db.session.add(account)
    db.session.flush()
    audit("timebank.member_recorded", actor=actor, target=account)
    return account


def approve(
    *,
    actor: User,
    account: Account,
    interviewed_on: date | None,
    references_ok: bool,
    today: date,
) -> None:
    """Pending (or suspended) → approved, once: a compare-and-set, so of two approvals at once
    the second is told the member is already approved (one audit event)."""
    timebank = account.timebank
    _require_coordinator(actor, timebank)
    if account.kind == "pot":
        raise DomainError("The community pot is not a member to approve")
    if account.status == "approved":
        raise AlreadyDone(f"{account.name} is already approved.")
    if interviewed_on is None or interviewed_on > today:
        raise DomainError("Enter the date of the interview", field="interviewed_on")
    if not references_ok:
        raise DomainError("Confirm the references are satisfactory", field="references_ok")
    if timebank.requires_dbs and account.kind == "person" and not _clear_dbs(account, today):
        raise DomainError(
            "This time bank requires a DBS check: record a clear one (from the last three years) "
            "on the member's volunteer record first"
        )
    compare_and_set(
        account,
        expected=("pending", "suspended"),
        values={
            "status": "approved",
            "interviewed_on": interviewed_on,
            "references_ok": True,
            "approved_at": utcnow(),
            "approved_by_id": actor.id,
            "suspended_at": None,
        },
        message=f"{account.name} is already approved.",
    )
    audit("timebank.member_approved", actor=actor, target=account)


def _clear_dbs(account: Account, today: date) -> bool:
    if account.user_id is None:
        return False
    since = today - timedelta(days=3 * 365)
    return (
        db.session.scalar(
            select(DbsRecord.id)
            .join(Volunteer, Volunteer.id == DbsRecord.volunteer_id)
            .where(
                Volunteer.user_id == account.user_id,
                DbsRecord.outcome == "clear",
                DbsRecord.issue_date >= since,
            )
        )
        is not None
    )


def suspend(*, actor: User, account: Account, suspended: bool) -> None:
    """Approved → suspended, or suspended → approved (reinstated), each a compare-and-set: of
    two at once the second is told it was already done."""
    _require_coordinator(actor, account.timebank)
    if account.kind == "pot":
        raise DomainError("The community pot cannot be suspended")
    name = account.name
    if suspended:
        if account.status == "suspended":
            raise AlreadyDone(f"{name} is already suspended.")
        if account.status != "approved":
            raise DomainError("Only an approved member can be suspended")
        compare_and_set(
            account,
            expected="approved",
            values={"status": "suspended", "suspended_at": utcnow()},
            message=f"{name} is already suspended.",
        )
    else:
        if account.status == "approved":
            raise AlreadyDone(f"{name} was already reinstated.")
        if account.status != "suspended":
            raise DomainError("This member is not suspended")
        compare_and_set(
            account,
            expected="suspended",
            values={"status": "approved", "suspended_at": None},
            message=f"{name} was already reinstated.",
        )
    audit(
        "timebank.member_suspended" if suspended else "timebank.member_reinstated",
        actor=actor,
        target=account,
    )


# --- offers, requests and matches ------------------------------------------------------------


def post_listing(*, user: User, timebank: TimeBank, values: dict[str, Any]) -> Listing:
    account = _approved_member(user, timebank)
    kind = values.get("kind")
    if kind not in ("offer", "request"):
        raise DomainError("Choose an offer or a request", field="kind")
    if values.get("category") not in CATEGORIES:
        raise DomainError("Choose a category", field="category")
    title = _clean(values.get("title"), 120)
    if not title or len(title) > 120:
        raise DomainError("Enter a short title (up to 120 characters)", field="title")
    description = str(values.get("description") or "").strip()
    if len(description) > 2000:
        raise DomainError("Keep the description to 2,000 characters", field="description")
    area_text = str(values.get("area") or "")
    area = outward_code(area_text) if area_text else account.area
    if area_text and area is None:
        raise DomainError("Enter a postcode district like SE15, never an address", field="area")
    availability = _clean(values.get("availability"), 200)
    if len(availability) > 200:
        raise DomainError("Keep availability to 200 characters", field="availability")
    key = str(values.get("key") or "")[:32] or None
    already = "This was already posted."
    if key and db.session.scalar(select(Listing.id).where(Listing.form_key == key)):
        raise AlreadyDone(already)  # the same form sent again (a double click)
    listing = Listing(
        timebank_id=timebank.id,
        account_id=account.id,
        kind=kind,
        category=values["category"],
        title=title,
        description=description or None,
        area=area,
        availability=availability or None,
        form_key=key,
    )
    db.session.add(listing)
    flush_unique(already)  # the same form sent twice at once: one is posted
    audit("timebank.listing_posted", actor=user, target=listing)
    return listing


def search(
    timebank: TimeBank, *, kind: str = "", category: str = "", text: str = "", area: str = ""
) -> list[Listing]:
    statement = (
        select(Listing)
        .join(Account, Account.id == Listing.account_id)
        .where(
            Listing.timebank_id == timebank.id,
            Listing.status == "open",
            Account.status == "approved",
        )
    )
    if kind in ("offer", "request"):
        statement = statement.where(Listing.kind == kind)
    if category in CATEGORIES:
        statement = statement.where(Listing.category == category)
    if text.strip():
        like = f"%{text.strip()[:100]}%"
        statement = statement.where(or_(Listing.title.ilike(like), Listing.description.ilike(like)))
    district = outward_code(area)
    if district:
        statement = statement.where(Listing.area == district)
    return list(db.session.scalars(statement.order_by(Listing.created_at.desc()).limit(200)))


def _locked_listing(listing: Listing) -> Listing:
    """The listing's row locked, then read again: matches to it are made one at a time, so a
    second response (or suggestion) at once finds the first instead of a unique violation."""
    return lock(listing)


def respond(*, user: User, listing: Listing, message: str) -> Match:
    account = _approved_member(user, listing.account.timebank)
    if listing.account_id == account.id:
        raise DomainError("This is your own listing")
    listing = _locked_listing(listing)
    if listing.status != "open":
        raise DomainError("This listing is closed")
    if db.session.scalar(
        select(Match.id).where(Match.listing_id == listing.id, Match.account_id == account.id)
    ):
        raise AlreadyDone("You have already responded to this.")
    match = Match(
        listing_id=listing.id,
        account_id=account.id,
        message=_clean(message, 1000) or None,
        responder_agreed=True,
    )
    db.session.add(match)
    db.session.flush()
    audit("timebank.responded", actor=user, target=match)
    return match


def broker(*, actor: User, listing: Listing, account: Account) -> Match:
    """A coordinator suggests a match; both members must agree before details are shared."""
    _require_coordinator(actor, listing.account.timebank)
    if account.timebank_id != listing.timebank_id or account.status != "approved":
        raise DomainError("Choose an approved member of this time bank", field="member")
    if account.id == listing.account_id or account.kind == "pot":
        raise DomainError("Choose a different member from the one who posted", field="member")
    listing = _locked_listing(listing)
    existing = db.session.scalar(
        select(Match).where(Match.listing_id == listing.id, Match.account_id == account.id)
    )
    if existing is not None:
        raise AlreadyDone("These two members are already matched.")
    match = Match(listing_id=listing.id, account_id=account.id, brokered_by_id=actor.id)
    db.session.add(match)
    db.session.flush()
    audit("timebank.brokered", actor=actor, target=match)
    return match


def agree(*, user: User, match: Match, agreed: bool) -> None:
    """One member's answer, once: the match is locked and read again first, so a second click
    (or the other answer at the same moment) finds the first and is told so."""
    timebank = match.listing.account.timebank
    mine = account_of(user, timebank)
    if mine is None or mine.id not in (match.listing.account_id, match.account_id):
        raise DomainError("Only the two members agree to a match")
    match = lock(match)
    if match.declined:
        raise AlreadyDone("This match was declined.")
    poster = mine.id == match.listing.account_id
    if agreed and (match.poster_agreed if poster else match.responder_agreed):
        raise AlreadyDone("You have already agreed to this match.")
    if not agreed:
        match.declined = True
    elif poster:
        match.poster_agreed = True
    else:
        match.responder_agreed = True
    db.session.flush()
    audit(
        "timebank.match_agreed" if agreed else "timebank.match_declined", actor=user, target=match
    )


def close_listing(*, user: User, listing: Listing) -> None:
    mine = account_of(user, listing.account.timebank)
    if (mine is None or mine.id != listing.account_id) and not coordinates(
        user, listing.account.timebank
    ):
        raise DomainError("Only the member who posted it closes a listing")
    if listing.status == "closed":
        raise AlreadyDone("This listing is already closed.")
    compare_and_set(
        listing,
        expected="open",
        values={"status": "closed"},
        message="This listing is already closed.",
    )
    audit("timebank.listing_closed", actor=user, target=listing)


# --- exchanges, donations, grants ------------------------------------------------------------


def _approved_member(user: User, timebank: TimeBank) -> Account:
    account = account_of(user, timebank)
    if account is None:
        raise DomainError("Join the time bank first")
    if account.status != "approved":
        raise DomainError(
            "Your membership is suspended: contact the coordinator"
            if account.status == "suspended"
            else "Your membership is waiting for the coordinator's approval"
        )
    return account


def _exchange_by_key(key: str) -> Exchange | None:
    return db.session.scalar(select(Exchange).where(Exchange.idempotency_key == key))


def _check_exchange(
    giver: Account,
    receiver: Account,
    timebank: TimeBank,
    done_on: date | None,
    minutes: int,
    description: str,
    today: date,
) -> str:
    """Every rule an exchange must meet, whoever records it; returns the cleaned description."""
    if giver.id == receiver.id:
        raise DomainError("The giver and the receiver must be different members", field="member")
    for account in (giver, receiver):
        if account.timebank_id != timebank.id or account.kind == "pot":
            raise DomainError("Choose a member of this time bank", field="member")
        if account.status != "approved":
            raise DomainError(
                f"{account.name} is {account.status}: only approved members exchange",
                field="member",
            )
    if done_on is None or done_on > today:
        raise DomainError(
            "Enter the date the help was given; it cannot be in the future", field="done_on"
        )
    if done_on < today - timedelta(days=366):
        raise DomainError("The date is more than a year ago: ask the coordinator", field="done_on")
    description = _clean(description, 500)
    if not description or len(description) > 500:
        raise DomainError("Say what was done (up to 500 characters)", field="description")
    if not 0 < minutes <= MAX_MINUTES or minutes % 15:
        raise DomainError("Enter hours in steps of 0.25, up to 24", field="hours")
    return description


def _record(
    *,
    actor: User,
    timebank: TimeBank,
    giver: Account,
    receiver: Account,
    done_on: date,
    minutes: int,
    description: str,
    recorded_by: str,
    key: str,
) -> Exchange:
    """Record an exchange once per idempotency key; a coordinator's is settled at once."""

    def make() -> Exchange:
        exchange = Exchange(
            timebank_id=timebank.id,
            giver_id=giver.id,
            receiver_id=receiver.id,
            done_on=done_on,
            minutes=minutes,
            description=description,
            status="pending",
            recorded_by=recorded_by,
            recorded_by_user_id=actor.id,
            idempotency_key=key,
        )
        db.session.add(exchange)
        db.session.flush()
        if recorded_by == "coordinator":
            _settle(exchange, timebank, actor)
        audit("timebank.exchange_recorded", actor=actor, target=exchange)
        return exchange

    return ledger.once(_valid_key(key), _exchange_by_key, make)


def record_exchange(
    *,
    user: User,
    timebank: TimeBank,
    other: Account,
    i_gave: bool,
    done_on: date | None,
    minutes: int,
    description: str,
    key: str,
    today: date,
) -> Exchange:
    """A member records help given or received; the other member confirms it."""
    mine = _approved_member(user, timebank)
    giver, receiver = (mine, other) if i_gave else (other, mine)
    description = _check_exchange(giver, receiver, timebank, done_on, minutes, description, today)
    if not i_gave and mine.balance_minutes - minutes < ledger.minimum_for(mine, timebank):
        raise DomainError(
            f"You have {ledger.hours_text(mine.balance_minutes)} hours: this would take you below "
            f"the minimum of {ledger.hours_text(timebank.min_balance_minutes)}",
            field="hours",
        )
    assert done_on is not None
    return _record(
        actor=user,
        timebank=timebank,
        giver=giver,
        receiver=receiver,
        done_on=done_on,
        minutes=minutes,
        description=description,
        recorded_by="giver" if i_gave else "receiver",
        key=key,
    )


def _valid_key(key: str) -> str:
    if not key or len(key) > 80:
        raise DomainError("The form has expired: reload the page and try again")
    return key


def record_for_both(
    *,
    actor: User,
    timebank: TimeBank,
    giver: Account,
    receiver: Account,
    done_on: date | None,
    minutes: int,
    description: str,
    key: str,
    today: date,
) -> Exchange:
    """A coordinator records an exchange for both members: confirmed at once."""
    _require_coordinator(actor, timebank)
    description = _check_exchange(giver, receiver, timebank, done_on, minutes, description, today)
    assert done_on is not None
    return _record(
        actor=actor,
        timebank=timebank,
        giver=giver,
        receiver=receiver,
        done_on=done_on,
        minutes=minutes,
        description=description,
        recorded_by="coordinator",
        key=key,
    )


def _settle(exchange: Exchange, timebank: TimeBank, actor: User) -> None:
    """Confirm: the status changes once (a compare-and-set), then one transfer."""
    try:
        compare_and_set(exchange, expected="pending", values={"status": "confirmed"})
    except AlreadyDone:
        raise _already_decided(exchange) from None
    transfer = ledger.post(
        timebank=timebank,
        kind="exchange",
        legs=[Leg(exchange.giver, exchange.minutes), Leg(exchange.receiver, -exchange.minutes)],
        done_on=exchange.done_on,
        description=exchange.description,
        actor=actor,
        key=f"exchange:{exchange.id}",
    )
    exchange.transfer_id = transfer.id
    db.session.flush()


def _already_decided(exchange: Exchange) -> AlreadyDone:
    """What a second confirmation or decline (or one racing the other) is told."""
    return AlreadyDone(f"This exchange has already been {exchange.status}.")


def confirm(*, user: User, exchange: Exchange) -> None:
    timebank = db.session.get(TimeBank, exchange.timebank_id)
    assert timebank is not None
    mine = _approved_member(user, timebank)
    other_side = exchange.receiver_id if exchange.recorded_by == "giver" else exchange.giver_id
    if mine.id != other_side:
        raise DomainError("Only the other member confirms an exchange")
    if exchange.status != "pending":
        raise _already_decided(exchange)
    _settle(exchange, timebank, user)
    audit("timebank.exchange_confirmed", actor=user, target=exchange)


def decline(*, user: User, exchange: Exchange) -> None:
    timebank = db.session.get(TimeBank, exchange.timebank_id)
    assert timebank is not None
    mine = account_of(user, timebank)
    if mine is None or mine.id not in (exchange.giver_id, exchange.receiver_id):
        raise DomainError("Only the two members can decline an exchange")
    if exchange.status != "pending":
        raise _already_decided(exchange)
    try:
        compare_and_set(exchange, expected="pending", values={"status": "declined"})
    except AlreadyDone:
        raise _already_decided(exchange) from None
    audit("timebank.exchange_declined", actor=user, target=exchange)


def donate(*, user: User, timebank: TimeBank, minutes: int, key: str, today: date) -> Transfer:
    mine = _approved_member(user, timebank)
    if not 0 < minutes <= 100 * 60 or minutes % 15:
        raise DomainError("Enter hours in steps of 0.25", field="hours")
    pot = pot_of(timebank)
    return ledger.once(
        _valid_key(key),
        ledger.transfer_by_key,
        lambda: _audited(
            ledger.post(
                timebank=timebank,
                kind="donation",
                legs=[Leg(mine, -minutes), Leg(pot, minutes)],
                done_on=today,
                description="Donation to the community pot",
                actor=user,
                key=key,
            ),
            "timebank.donated",
            user,
        ),
    )


def grant(
    *,
    actor: User,
    timebank: TimeBank,
    account: Account,
    minutes: int,
    reason: str,
    key: str,
    today: date,
) -> Transfer:
    _require_coordinator(actor, timebank)
    if account.timebank_id != timebank.id or account.kind == "pot" or account.status != "approved":
        raise DomainError("Choose an approved member of this time bank", field="member")
    if not 0 < minutes <= 100 * 60 or minutes % 15:
        raise DomainError("Enter hours in steps of 0.25", field="hours")
    reason = _clean(reason, 500)
    if len(reason) < 5 or len(reason) > 500:
        raise DomainError("Say why the grant is made (5 to 500 characters)", field="reason")
    pot = pot_of(timebank)
    return ledger.once(
        _valid_key(key),
        ledger.transfer_by_key,
        lambda: _audited(
            ledger.post(
                timebank=timebank,
                kind="grant",
                legs=[Leg(pot, -minutes), Leg(account, minutes)],
                done_on=today,
                description=f"Grant from the community pot: {reason}",
                actor=actor,
                key=key,
                reason=reason,
            ),
            "timebank.granted",
            actor,
        ),
    )


def reverse(*, actor: User, transfer: Transfer, reason: str, today: date) -> Transfer:
    timebank = db.session.get(TimeBank, transfer.timebank_id)
    assert timebank is not None
    _require_coordinator(actor, timebank)
    reversal = ledger.reverse(actor=actor, transfer=transfer, reason=reason, today=today)
    audit("timebank.reversed", actor=actor, target=reversal, details={"reverses": transfer.id})
    return reversal


def _audited(transfer: Transfer, action: str, actor: User) -> Transfer:
    audit(action, actor=actor, target=transfer)
    return transfer


# --- statements and the coordinator's view ----------------------------------------------------

STATEMENT_PAGE = 50


@dataclass(frozen=True)
class Line:
    entry_id: int
    done_on: date
    kind: str
    description: str | None
    counterpart: str
    minutes: int
    balance_after: int
    transfer_id: int


def statement(
    account: Account, *, before: int | None = None, limit: int | None = STATEMENT_PAGE
) -> list[Line]:
    """Entries newest first (by the date each was done; entries of one day newest recorded
    first) with the running balance after each. ``before`` (an entry id) gives the next page,
    in the same order; the running balance starts from the stored balance less everything
    newer. A reversal is described in words from the transfer it reverses ("Reversal of the
    12 November 2026 exchange with Bob"), never by an internal number."""
    newest_first = (Transfer.done_on.desc(), Entry.id.desc())
    newer = 0
    after = None
    if before is not None:
        anchor = db.session.execute(
            select(Transfer.done_on, Entry.id)
            .join(Transfer, Transfer.id == Entry.transfer_id)
            .where(Entry.account_id == account.id, Entry.id == before)
        ).first()
        if anchor is not None:
            # Everything shown on earlier pages: done later, or the same day and recorded later.
            after = or_(
                Transfer.done_on > anchor.done_on,
                and_(Transfer.done_on == anchor.done_on, Entry.id >= anchor.id),
            )
            newer = int(
                db.session.scalar(
                    select(func.coalesce(func.sum(Entry.minutes), 0))
                    .join(Transfer, Transfer.id == Entry.transfer_id)
                    .where(Entry.account_id == account.id, after)
                )
                or 0
            )
    statement_ = (
        select(Entry, Transfer)
        .join(Transfer, Transfer.id == Entry.transfer_id)
        .where(Entry.account_id == account.id)
        .order_by(*newest_first)
    )
    if after is not None:
        statement_ = statement_.where(~after)
    if limit is not None:
        statement_ = statement_.limit(limit)
    rows = db.session.execute(statement_).all()
    others = _counterparts([t.id for _e, t in rows], account.id)
    reversed_transfers = {
        t.id: t
        for t in db.session.scalars(
            select(Transfer).where(
                Transfer.id.in_({t.reverses_id for _e, t in rows if t.reverses_id is not None})
            )
        )
    }
    balance = account.balance_minutes - newer
    lines = []
    for entry, transfer in rows:
        counterpart = others.get(transfer.id, "")
        original = reversed_transfers.get(transfer.reverses_id or 0)
        lines.append(
            Line(
                entry_id=entry.id,
                done_on=transfer.done_on,
                kind=transfer.kind,
                description=ledger.reversal_words(original, counterpart)
                if original is not None
                else transfer.description,
                counterpart=counterpart,
                minutes=entry.minutes,
                balance_after=balance,
                transfer_id=transfer.id,
            )
        )
        balance -= entry.minutes
    return lines


def _counterparts(transfer_ids: list[int], account_id: int) -> dict[int, str]:
    if not transfer_ids:
        return {}
    rows = db.session.execute(
        select(Entry.transfer_id, Account.name)
        .join(Account, Account.id == Entry.account_id)
        .where(Entry.transfer_id.in_(transfer_ids), Entry.account_id != account_id)
    ).all()
    return {transfer_id: name for transfer_id, name in rows}


def members(timebank: TimeBank) -> list[Account]:
    return list(
        db.session.scalars(
            select(Account)
            .where(Account.timebank_id == timebank.id)
            .order_by(Account.kind == "pot", Account.status, Account.name)
        )
    )


def inactive(timebank: TimeBank, today: date) -> list[tuple[Account, date | None]]:
    """Approved members with no ledger entry for 90 days (to follow up), with their last."""
    last = (
        select(Entry.account_id, func.max(Transfer.done_on).label("last"))
        .join(Transfer, Transfer.id == Entry.transfer_id)
        .group_by(Entry.account_id)
        .subquery()
    )
    cutoff = today - timedelta(days=INACTIVE_DAYS)
    cutoff_at = datetime.combine(cutoff, datetime.min.time(), tzinfo=UTC)
    rows = db.session.execute(
        select(Account, last.c.last)
        .outerjoin(last, last.c.account_id == Account.id)
        .where(
            Account.timebank_id == timebank.id,
            Account.kind != "pot",
            Account.status == "approved",
            or_(
                last.c.last < cutoff,
                (last.c.last.is_(None)) & (Account.approved_at < cutoff_at),
            ),
        )
        .order_by(Account.name)
    ).all()
    return [(account, when) for account, when in rows]


def _pending(account: Account, *, recorded_by_them: bool) -> list[Exchange]:
    """Pending exchanges this member takes part in, recorded by the other side (for them to
    confirm) or by themselves (waiting for the other side)."""
    giver_side = Exchange.receiver_id if recorded_by_them else Exchange.giver_id
    receiver_side = Exchange.giver_id if recorded_by_them else Exchange.receiver_id
    return list(
        db.session.scalars(
            select(Exchange)
            .where(
                Exchange.status == "pending",
                or_(
                    (Exchange.recorded_by == "giver") & (giver_side == account.id),
                    (Exchange.recorded_by == "receiver") & (receiver_side == account.id),
                ),
            )
            .order_by(Exchange.done_on)
        )
    )


def pending_for(account: Account) -> list[Exchange]:
    """Exchanges waiting for this member to confirm."""
    return _pending(account, recorded_by_them=True)


def awaiting_other(account: Account) -> list[Exchange]:
    """Exchanges this member recorded, waiting for the other member."""
    return _pending(account, recorded_by_them=False)


def coordinators_of(timebank: TimeBank) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(TimeBankCoordinator, TimeBankCoordinator.user_id == User.id)
            .where(TimeBankCoordinator.timebank_id == timebank.id)
            .order_by(User.name)
        )
    )


def reversed_ids(timebank: TimeBank) -> set[int]:
    """Transfers of this time bank that have been reversed."""
    return set(
        db.session.scalars(
            select(Transfer.reverses_id).where(
                Transfer.timebank_id == timebank.id, Transfer.reverses_id.is_not(None)
            )
        )
    )
