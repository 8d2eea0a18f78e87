"""Commands: time banks, members, offers and requests, matches, exchanges, donations, grants
and reversals. Services flush, never commit (``ledger.once`` rolls back a losing duplicate)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.services import give_consent
from volunteer_hub.core import formatting
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.geo import outward_code
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set, flush_unique, lock
from volunteer_hub.extensions import db
from volunteer_hub.timebank import ledger, queries, rules
from volunteer_hub.timebank.ledger import Leg
from volunteer_hub.timebank.models import (
    Account,
    Exchange,
    Listing,
    Match,
    TimeBank,
    TimeBankCoordinator,
    Transfer,
)
from volunteer_hub.timebank.rules import check_exchange, clean, set_limits, valid_key

DEFAULT_TERMS = (
    "Time credits are earned by giving help and spent on receiving it: one hour is one credit, "
    "whatever the task. Credits are never bought, sold, or exchanged for money or goods, so they "
    "are not earnings and do not affect benefits. Members treat each other with respect, keep "
    "each other's details private and tell the coordinator about any concern."
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
    if not queries.coordinates(user, timebank):
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
    name = clean(name, 200)
    if not name or len(name) > 200:
        raise DomainError("Enter the time bank's name (up to 200 characters)", field="name")
    if db.session.scalar(select(TimeBank.id).where(TimeBank.name == name)):
        raise DomainError("There is already a time bank with this name", field="name")
    timebank = TimeBank(name=name, terms=(terms or "").strip() or DEFAULT_TERMS)
    set_limits(timebank, min_hours, max_hours)
    timebank.requires_dbs = requires_dbs
    db.session.add(timebank)
    # Two administrators (or a double click) creating the same bank at once: one is created.
    flush_unique("There is already a time bank with this name", field="name")
    pot_of(timebank)
    audit("timebank.created", actor=actor, target=timebank)
    return timebank


def update_settings(
    *,
    actor: User,
    timebank: TimeBank,
    terms: str,
    min_hours: str,
    max_hours: str,
    requires_dbs: bool,
) -> None:
    if not (actor.is_admin or queries.coordinates(actor, timebank)):
        raise DomainError("Only this time bank's coordinators change its settings")
    terms = (terms or "").strip()
    if len(terms) < 20:
        raise DomainError("Enter the time bank's terms (at least 20 characters)", field="terms")
    if terms != timebank.terms:
        timebank.terms = terms
        timebank.terms_version += 1
    set_limits(timebank, min_hours, max_hours)
    timebank.requires_dbs = requires_dbs
    db.session.flush()
    audit("timebank.settings", actor=actor, target=timebank)


def add_coordinator(*, actor: User, timebank: TimeBank, user: User) -> None:
    if not actor.is_admin:
        raise DomainError("Only an administrator names a time bank's coordinators")
    if not user.is_staff:
        raise DomainError("Coordinators must be staff (a centre or organisation coordinator)")
    lock(timebank)  # a second request waits here, then finds the first one's row
    if queries.coordinates(user, timebank):
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
    if queries.account_of(user, timebank) is not None:
        raise AlreadyDone("You have already applied to this time bank.")
    district = outward_code(area)
    if area and district is None:
        raise DomainError(
            "Enter your postcode district, like SE15 (the first part of your postcode)",
            field="area",
        )
    lock(timebank)
    if queries.account_of(user, timebank) is not None:
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
    name, email = rules.check_member(kind, name, email)
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
        phone=clean(phone, 40) or None,
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
    if (
        timebank.requires_dbs
        and account.kind == "person"
        and not queries.has_clear_dbs(account, today)
    ):
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


def suspend(*, actor: User, account: Account, suspended: bool) -> None:
    """Approved → suspended, or suspended → approved (reinstated), each a compare-and-set: of
    two at once the second is told it was already done."""
    _require_coordinator(actor, account.timebank)
    if account.kind == "pot":
        raise DomainError("The community pot cannot be suspended")
    # (status now, status after, already done, not possible, values)
    now, after, already, refused, values = (
        ("approved", "suspended", f"{account.name} is already suspended.",
         "Only an approved member can be suspended", {"suspended_at": utcnow()})
        if suspended
        else ("suspended", "approved", f"{account.name} was already reinstated.",
              "This member is not suspended", {"suspended_at": None})
    )  # fmt: skip
    if account.status == after:
        raise AlreadyDone(already)
    if account.status != now:
        raise DomainError(refused)
    compare_and_set(account, expected=now, values={"status": after, **values}, message=already)
    audit(
        "timebank.member_suspended" if suspended else "timebank.member_reinstated",
        actor=actor,
        target=account,
    )


# --- offers, requests and matches ------------------------------------------------------------


def post_listing(*, user: User, timebank: TimeBank, values: dict[str, Any]) -> Listing:
    account = queries.approved_member(user, timebank)
    fields = rules.check_listing(values, default_area=account.area)
    key = str(values.get("key") or "")[:32] or None
    already = "This was already posted."
    if key and db.session.scalar(select(Listing.id).where(Listing.form_key == key)):
        raise AlreadyDone(already)  # the same form sent again (a double click)
    listing = Listing(
        timebank_id=timebank.id,
        account_id=account.id,
        form_key=key,
        **fields,
    )
    db.session.add(listing)
    flush_unique(already)  # the same form sent twice at once: one is posted
    audit("timebank.listing_posted", actor=user, target=listing)
    return listing


def respond(*, user: User, listing: Listing, message: str) -> Match:
    account = queries.approved_member(user, listing.account.timebank)
    if listing.account_id == account.id:
        raise DomainError("This is your own listing")
    # The listing's row locked, then read again: matches to it are made one at a time, so a
    # second response (or suggestion) at once finds the first instead of a unique violation.
    listing = lock(listing)
    if listing.status != "open":
        raise DomainError("This listing is closed")
    if db.session.scalar(
        select(Match.id).where(Match.listing_id == listing.id, Match.account_id == account.id)
    ):
        raise AlreadyDone("You have already responded to this.")
    match = Match(
        listing_id=listing.id,
        account_id=account.id,
        message=clean(message, 1000) or None,
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
    listing = lock(listing)  # one match at a time (see respond)
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
    mine = queries.account_of(user, timebank)
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
    mine = queries.account_of(user, listing.account.timebank)
    if (mine is None or mine.id != listing.account_id) and not queries.coordinates(
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


def _record(
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

    return ledger.once(valid_key(key), queries.exchange_by_key, make)


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
    mine = queries.approved_member(user, timebank)
    giver, receiver = (mine, other) if i_gave else (other, mine)
    description = check_exchange(giver, receiver, timebank, done_on, minutes, description, today)
    if not i_gave and mine.balance_minutes - minutes < ledger.minimum_for(mine, timebank):
        raise DomainError(
            f"You have {formatting.hours(mine.balance_minutes)}: this would take you below "
            f"the minimum of {formatting.hours(timebank.min_balance_minutes)}",
            field="hours",
        )
    assert done_on is not None
    recorded_by = "giver" if i_gave else "receiver"
    return _record(user, timebank, giver, receiver, done_on, minutes, description, recorded_by, key)


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
    description = check_exchange(giver, receiver, timebank, done_on, minutes, description, today)
    assert done_on is not None
    return _record(
        actor, timebank, giver, receiver, done_on, minutes, description, "coordinator", key
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
    mine = queries.approved_member(user, timebank)
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
    mine = queries.account_of(user, timebank)
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
    mine = queries.approved_member(user, timebank)
    rules.pot_minutes(minutes)
    pot = pot_of(timebank)
    legs = [Leg(mine, -minutes), Leg(pot, minutes)]
    description = "Donation to the community pot"
    return _pot_transfer(timebank, "donation", legs, description, user, key, today)


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
    rules.pot_minutes(minutes)
    reason = clean(reason, 500)
    if len(reason) < 5 or len(reason) > 500:
        raise DomainError("Say why the grant is made (5 to 500 characters)", field="reason")
    legs = [Leg(pot_of(timebank), -minutes), Leg(account, minutes)]
    description = f"Grant from the community pot: {reason}"
    return _pot_transfer(timebank, "grant", legs, description, actor, key, today, reason=reason)


def _pot_transfer(
    timebank: TimeBank,
    kind: str,
    legs: list[Leg],
    description: str,
    actor: User,
    key: str,
    today: date,
    reason: str | None = None,
) -> Transfer:
    """A donation to or a grant from the pot, once per idempotency key, audited."""

    def post() -> Transfer:
        transfer = ledger.post(
            timebank=timebank,
            kind=kind,
            legs=legs,
            done_on=today,
            description=description,
            actor=actor,
            key=key,
            reason=reason,
        )
        action = "timebank.donated" if kind == "donation" else "timebank.granted"
        audit(action, actor=actor, target=transfer)
        return transfer

    return ledger.once(valid_key(key), ledger.transfer_by_key, post)


def reverse(*, actor: User, transfer: Transfer, reason: str, today: date) -> Transfer:
    timebank = db.session.get(TimeBank, transfer.timebank_id)
    assert timebank is not None
    _require_coordinator(actor, timebank)
    reversal = ledger.reverse(actor=actor, transfer=transfer, reason=reason, today=today)
    audit("timebank.reversed", actor=actor, target=reversal, details={"reverses": transfer.id})
    return reversal
