"""Time bank fixtures: a time bank with its coordinator and approved members."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.accounts.conftest import login, personas  # noqa: F401
from tests.factories import UserFactory
from tests.value_fixtures import cli, default_rates  # noqa: F401
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.timebank.models import Account, TimeBank, TimeBankCoordinator
from volunteer_hub.timebank.services import DEFAULT_TERMS, pot_of


@dataclass
class Bank:
    timebank: TimeBank
    pot: Account
    ann: Account
    bob: Account
    cat: Account


def make_bank(name: str, coordinator, members: dict[str, object]) -> TimeBank:
    timebank = TimeBank(name=name, terms=DEFAULT_TERMS)
    db.session.add(timebank)
    db.session.flush()
    pot_of(timebank)
    db.session.add(TimeBankCoordinator(timebank_id=timebank.id, user_id=coordinator.id))
    return timebank


def member(timebank: TimeBank, user=None, *, name: str = "", email: str = "", status="approved"):
    account = Account(
        timebank_id=timebank.id,
        kind="person",
        user_id=user.id if user is not None else None,
        name=user.name if user is not None else name,
        email=(user.email if user is not None else email) or None,
        status=status,
        approved_at=utcnow() if status == "approved" else None,
    )
    db.session.add(account)
    db.session.flush()
    return account


@pytest.fixture
def bank(personas) -> Bank:  # noqa: F811 - the imported fixture
    timebank = make_bank("Riverside Time Bank", personas.coordinator_a, {})
    bob_user = UserFactory(email="bob@example.test", name="Bob Member")
    cat_user = UserFactory(email="cat@example.test", name="Cat Member")
    ann = member(timebank, personas.volunteer)
    bob = member(timebank, bob_user)
    cat = member(timebank, cat_user)
    db.session.commit()
    return Bank(timebank, pot_of(timebank), ann, bob, cat)
