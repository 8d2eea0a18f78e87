"""An invented demo time bank: members (with and without a sign-in, and a care home), offers and
requests, a year of exchanges, a donation to the pot, a grant from it and a reversal. Every
movement goes through the ledger, so `flask timebank check` passes on it."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from volunteer_hub.accounts.models import User
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.timebank import ledger
from volunteer_hub.timebank.ledger import Leg
from volunteer_hub.timebank.models import (
    Account,
    Exchange,
    Listing,
    TimeBank,
    TimeBankCoordinator,
    Transfer,
)
from volunteer_hub.timebank.services import DEFAULT_TERMS, pot_of

NAME = "Northbridge Time Bank"
MEMBERS = [
    ("Ada Okonkwo", "ada.okonkwo@demo.volunteerhub.invalid", "NB1"),
    ("Bill Hartley", None, "NB2"),  # no internet: the coordinator records his exchanges
    ("Chen Wei", "chen.wei@demo.volunteerhub.invalid", "NB1"),
    ("Dora Fitzgerald", "dora.fitzgerald@demo.volunteerhub.invalid", "NB3"),
    ("Eamon Byrne", "eamon.byrne@demo.volunteerhub.invalid", "NB2"),
    ("Farah Haddad", "farah.haddad@demo.volunteerhub.invalid", "NB4"),
]
WORK = [
    ("Lift to the surgery", 60),
    ("Weekly shopping", 90),
    ("Help setting up a new phone", 60),
    ("Weeding the front garden", 120),
    ("Company and a cup of tea", 60),
    ("Putting up shelves", 105),
    ("Reading letters and filling in a form", 45),
    ("Walking the dog", 30),
]


def seed() -> list[str]:
    if db.session.scalar(select(TimeBank.id).where(TimeBank.name == NAME)) is not None:
        return []
    today = date.today()
    timebank = TimeBank(name=NAME, terms=DEFAULT_TERMS)
    db.session.add(timebank)
    db.session.flush()
    pot = pot_of(timebank)
    coordinator = db.session.scalar(
        select(User).where(User.email == "centre@demo.volunteerhub.invalid")
    )
    if coordinator is not None:
        db.session.add(TimeBankCoordinator(timebank_id=timebank.id, user_id=coordinator.id))
    accounts, care_home = _members(timebank, today)
    count = _exchanges(timebank, accounts, coordinator, today)
    _pot_and_reversal(timebank, pot, accounts, coordinator, today)
    _listings(timebank, accounts, care_home)
    db.session.flush()
    return [
        f"Demo time bank: {NAME} with {len(accounts)} members, {count} exchanges over a year, "
        "a donation, a grant and a reversal."
    ]


def _members(timebank: TimeBank, today: date) -> tuple[list[Account], Account]:
    """The approved members (the demo volunteer first, when there is one, and a care home last)
    and one applicant waiting; returns the approved ones and the care home."""
    approved_at = utcnow() - timedelta(days=400)

    def person(name: str, email: str | None, area: str, user_id: int | None = None) -> Account:
        return Account(
            timebank_id=timebank.id,
            kind="person",
            user_id=user_id,
            name=name,
            email=email,
            area=area,
            status="approved",
            terms_version=1,
            terms_accepted_at=approved_at,
            interviewed_on=today - timedelta(days=401),
            references_ok=True,
            approved_at=approved_at,
        )

    accounts: list[Account] = []
    demo = db.session.scalar(
        select(User).where(User.email == "volunteer@demo.volunteerhub.invalid")
    )
    if demo is not None:
        accounts.append(person(demo.name, demo.email, "NB1", user_id=demo.id))
    accounts += [person(name, email, area) for name, email, area in MEMBERS]
    care_home = Account(
        timebank_id=timebank.id,
        kind="organisation",
        name="Willow Court Care Home",
        email="activities@willowcourt.demo.volunteerhub.invalid",
        area="NB3",
        status="approved",
        approved_at=approved_at,
    )
    accounts.append(care_home)
    waiting = Account(
        timebank_id=timebank.id,
        kind="person",
        name="Gus Mendes",
        email="gus.mendes@demo.volunteerhub.invalid",
        area="NB2",
        status="pending",
        terms_version=1,
        terms_accepted_at=utcnow() - timedelta(days=3),
    )
    db.session.add_all([*accounts, waiting])
    db.session.flush()
    return accounts, care_home


def _exchanges(
    timebank: TimeBank, accounts: list[Account], coordinator: User | None, today: date
) -> int:
    """A year of exchanges every few days, recorded by the coordinator; returns how many."""
    rng = random.Random(7)  # noqa: S311 - deterministic invented demo data
    count = 0
    day = today - timedelta(days=365)
    while day < today - timedelta(days=2):
        giver, receiver = rng.sample(accounts, 2)
        what, minutes = rng.choice(WORK)
        if receiver.balance_minutes - minutes >= timebank.min_balance_minutes:
            exchange = Exchange(
                timebank_id=timebank.id,
                giver_id=giver.id,
                receiver_id=receiver.id,
                done_on=day,
                minutes=minutes,
                description=what,
                status="confirmed",
                recorded_by="coordinator",
                recorded_by_user_id=coordinator.id if coordinator else None,
                idempotency_key=f"demo:{count}",
            )
            db.session.add(exchange)
            db.session.flush()
            transfer = ledger.post(
                timebank=timebank,
                kind="exchange",
                legs=[Leg(giver, minutes), Leg(receiver, -minutes)],
                done_on=day,
                description=what,
                actor=coordinator,
                key=f"exchange:{exchange.id}",
            )
            exchange.transfer_id = transfer.id
            db.session.refresh(giver)
            db.session.refresh(receiver)
            count += 1
        day += timedelta(days=rng.choice([3, 4, 5]))
    return count


def _pot_and_reversal(
    timebank: TimeBank,
    pot: Account,
    accounts: list[Account],
    coordinator: User | None,
    today: date,
) -> None:
    """A donation to the pot, a grant from it, and a reversal of a mistaken exchange."""
    donor = max(accounts, key=lambda account: account.balance_minutes)
    ledger.post(
        timebank=timebank,
        kind="donation",
        legs=[Leg(donor, -120), Leg(pot, 120)],
        done_on=today - timedelta(days=60),
        description="Donation to the community pot",
        actor=None,
        key="demo:donation",
    )
    ledger.post(
        timebank=timebank,
        kind="grant",
        legs=[Leg(pot, -60), Leg(accounts[2], 60)],
        done_on=today - timedelta(days=30),
        description="Grant from the community pot: help after a hospital stay",
        actor=coordinator,
        key="demo:grant",
        reason="Help after a hospital stay",
    )
    mistaken = db.session.scalar(
        select(Transfer)
        .where(Transfer.timebank_id == timebank.id, Transfer.kind == "exchange")
        .order_by(Transfer.id.desc())
        .limit(1)
    )
    if mistaken is not None and coordinator is not None:
        ledger.reverse(
            actor=coordinator,
            transfer=mistaken,
            reason="Recorded twice by mistake",
            # Made after the exchange it reverses (the latest one), never before it.
            today=max(mistaken.done_on, today - timedelta(days=20)),
        )


def _listings(timebank: TimeBank, accounts: list[Account], care_home: Account) -> None:
    listings = [
        (accounts[1], "offer", "lifts", "Lifts to appointments", "Weekday mornings"),
        (accounts[2], "request", "garden", "Help cutting back a hedge", "Any Saturday"),
        (accounts[3], "offer", "tech", "Help with phones and tablets", "Evenings"),
        (care_home, "request", "company", "Visitors for residents' afternoon tea", "Thursdays 3pm"),
        (
            accounts[4],
            "offer",
            "cooking",
            "Batch cooking for someone just home from hospital",
            "Flexible",
        ),
    ]
    for account, kind, category, title, when in listings:
        db.session.add(
            Listing(
                timebank_id=timebank.id,
                account_id=account.id,
                kind=kind,
                category=category,
                title=title,
                area=account.area,
                availability=when,
            )
        )
