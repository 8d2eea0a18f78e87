"""The ledger that must not fail: it always sums to zero, balances equal their entries, entries
are append-only in the database, repeats record once and concurrent spends never breach the
minimum (real concurrent sessions against PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from tests.timebank.conftest import make_bank, member
from volunteer_hub.core.errors import DomainError
from volunteer_hub.extensions import db
from volunteer_hub.timebank import ledger, services
from volunteer_hub.timebank.ledger import Duplicate, Leg
from volunteer_hub.timebank.models import Account, Entry, Exchange, TimeBank, Transfer

TODAY = date.today()


def test_any_sequence_keeps_the_ledger_at_zero(app, personas) -> None:
    """Stateful property test: exchanges, donations, grants and reversals in any order (refused
    ones included) leave every transfer and the ledger at zero and every stored balance equal to
    its entries; no account ends below its minimum except through a reversal."""
    coordinator = personas.coordinator_a
    counter = iter(range(1_000_000))

    class Ledger(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            n = next(counter)
            self.timebank = make_bank(f"Property bank {n}", coordinator, {})
            self.timebank.min_balance_minutes = -120
            self.members = [
                member(self.timebank, name=f"M{n}-{i}", email=f"m{n}-{i}@example.test")
                for i in range(3)
            ]
            self.pot = services.pot_of(self.timebank)
            db.session.commit()
            self.keys = iter(range(1_000_000))
            self.reversals = 0

        def _key(self) -> str:
            return f"{self.timebank.id}:{next(self.keys)}"

        @rule(
            giver=st.integers(0, 2),
            receiver=st.integers(0, 2),
            quarters=st.integers(1, 24 * 4),
        )
        def exchange(self, giver: int, receiver: int, quarters: int) -> None:
            try:
                services.record_for_both(
                    actor=coordinator,
                    timebank=self.timebank,
                    giver=self.members[giver],
                    receiver=self.members[receiver],
                    done_on=TODAY,
                    minutes=quarters * 15,
                    description="Help",
                    key=self._key(),
                    today=TODAY,
                )
                db.session.commit()
            except DomainError:
                db.session.rollback()

        @rule(who=st.integers(0, 2), quarters=st.integers(1, 40))
        def donate_then_grant(self, who: int, quarters: int) -> None:
            account = self.members[who]
            for legs in (
                [Leg(account, -quarters * 15), Leg(self.pot, quarters * 15)],
                [Leg(self.pot, -quarters * 15), Leg(self.members[(who + 1) % 3], quarters * 15)],
            ):
                try:
                    ledger.post(
                        timebank=self.timebank,
                        kind="donation" if legs[1].account is self.pot else "grant",
                        legs=legs,
                        done_on=TODAY,
                        description=None,
                        actor=coordinator,
                        key=self._key(),
                    )
                    db.session.commit()
                except DomainError:
                    db.session.rollback()

        @rule(pick=st.integers(0, 1000))
        def reverse(self, pick: int) -> None:
            transfers = db.session.scalars(
                select(Transfer)
                .where(Transfer.timebank_id == self.timebank.id)
                .order_by(Transfer.id)
            ).all()
            if not transfers:
                return
            try:
                ledger.reverse(
                    actor=coordinator,
                    transfer=transfers[pick % len(transfers)],
                    reason="Property test",
                    today=TODAY,
                )
                db.session.commit()
                self.reversals += 1
            except DomainError:
                db.session.rollback()

        @invariant()
        def balanced(self) -> None:
            result = ledger.check()
            assert result.problems == [] and result.total == 0
            if self.reversals == 0:
                for account in self.members:
                    db.session.refresh(account)
                    assert account.balance_minutes >= self.timebank.min_balance_minutes
                db.session.refresh(self.pot)
                assert self.pot.balance_minutes >= 0

    run_state_machine_as_test(
        Ledger,
        settings=settings(
            max_examples=20,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
    assert db.session.scalar(select(func.count(Entry.id))) > 0


@pytest.mark.parametrize(
    "statement", ["UPDATE timebank_entry SET minutes = 1", "DELETE FROM timebank_entry"]
)
def test_the_database_refuses_to_change_entries(bank, personas, statement) -> None:
    services.record_for_both(
        actor=personas.coordinator_a,
        timebank=bank.timebank,
        giver=bank.ann,
        receiver=bank.bob,
        done_on=TODAY,
        minutes=60,
        description="Shopping",
        key="k1",
        today=TODAY,
    )
    db.session.commit()
    with pytest.raises(DBAPIError) as refused:
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()
    assert "never" in str(refused.value)
    assert db.session.scalar(select(func.sum(Entry.minutes))) == 0
    assert db.session.scalar(select(func.count(Entry.id))) == 2


def test_same_key_records_once(bank, personas) -> None:
    def record() -> Exchange:
        return services.record_for_both(
            actor=personas.coordinator_a,
            timebank=bank.timebank,
            giver=bank.ann,
            receiver=bank.bob,
            done_on=TODAY,
            minutes=90,
            description="Lift",
            key="same-form",
            today=TODAY,
        )

    first = record()
    db.session.commit()
    with pytest.raises(Duplicate) as again:
        record()
    assert again.value.existing.id == first.id
    assert db.session.scalar(select(func.count(Exchange.id))) == 1
    assert db.session.scalar(select(func.count(Entry.id))) == 2
    db.session.refresh(bank.ann)
    db.session.refresh(bank.bob)
    assert (bank.ann.balance_minutes, bank.bob.balance_minutes) == (90, -90)


def test_minimum_and_maximum_are_enforced(bank, personas) -> None:
    bank.timebank.max_balance_minutes = 600
    db.session.commit()

    def record(giver, receiver, minutes, key):
        return services.record_for_both(
            actor=personas.coordinator_a,
            timebank=bank.timebank,
            giver=giver,
            receiver=receiver,
            done_on=TODAY,
            minutes=minutes,
            description="Help",
            key=key,
            today=TODAY,
        )

    record(bank.ann, bank.bob, 120, "a")
    db.session.commit()
    with pytest.raises(DomainError, match=r"above the time bank.s maximum of 10 hours"):
        record(bank.ann, bank.cat, 495, "b")  # 2.00 + 8.25 > 10.00
    db.session.rollback()
    record(bank.cat, bank.bob, 8 * 60, "c")  # Bob: −2 − 8 = −10, the minimum exactly
    db.session.commit()
    with pytest.raises(DomainError, match=r"below the time bank.s minimum of -10 hours"):
        record(bank.cat, bank.bob, 15, "d")
    db.session.rollback()
    db.session.refresh(bank.bob)
    assert bank.bob.balance_minutes == -600
    assert ledger.check().problems == []


def _postgres_only(app) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrency is tested with real sessions against PostgreSQL")


def test_concurrent_spends_never_breach_the_minimum(app, bank, personas) -> None:
    _postgres_only(app)
    ids = {"ann": bank.ann.id, "bob": bank.bob.id, "cat": bank.cat.id, "tb": bank.timebank.id}
    coordinator_id = personas.coordinator_a.id
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def spend(n: int) -> None:
        with app.app_context():
            from volunteer_hub.accounts.models import User

            timebank = db.session.get(TimeBank, ids["tb"])
            giver = db.session.get(Account, ids["ann"] if n % 2 else ids["cat"])
            receiver = db.session.get(Account, ids["bob"])
            actor = db.session.get(User, coordinator_id)
            start.wait()
            try:
                services.record_for_both(
                    actor=actor,
                    timebank=timebank,
                    giver=giver,
                    receiver=receiver,
                    done_on=TODAY,
                    minutes=180,  # 8 × 3 hours against a minimum of −10: at most 3 fit
                    description="Concurrent",
                    key=f"concurrent-{n}",
                    today=TODAY,
                )
                db.session.commit()
                outcomes.append("ok")
            except DomainError:
                db.session.rollback()
                outcomes.append("refused")
            except Exception as error:  # reported by the assertion below
                outcomes.append(repr(error)[:300])
            finally:
                db.session.remove()

    threads = [threading.Thread(target=spend, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 3 and outcomes.count("refused") == 5, outcomes
    db.session.expire_all()
    assert db.session.get(Account, ids["bob"]).balance_minutes == -540
    assert db.session.scalar(select(func.count(Entry.id))) == 6
    assert ledger.check().problems == []


def test_concurrent_requests_with_one_key_record_one_exchange(app, bank, personas) -> None:
    _postgres_only(app)
    ids = (bank.timebank.id, bank.ann.id, bank.bob.id, personas.coordinator_a.id)
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def submit() -> None:
        with app.app_context():
            from volunteer_hub.accounts.models import User

            timebank = db.session.get(TimeBank, ids[0])
            giver, receiver = db.session.get(Account, ids[1]), db.session.get(Account, ids[2])
            actor = db.session.get(User, ids[3])
            start.wait()
            try:
                services.record_for_both(
                    actor=actor,
                    timebank=timebank,
                    giver=giver,
                    receiver=receiver,
                    done_on=TODAY,
                    minutes=60,
                    description="Same form, four times",
                    key="one-key",
                    today=TODAY,
                )
                db.session.commit()
                outcomes.append("recorded")
            except Duplicate:
                outcomes.append("duplicate")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["duplicate"] * 3 + ["recorded"]
    assert db.session.scalar(select(func.count(Exchange.id))) == 1
    assert db.session.scalar(select(func.count(Entry.id))) == 2


def test_reversal_is_linked_once_and_may_not_be_reversed(bank, personas) -> None:
    exchange = services.record_for_both(
        actor=personas.coordinator_a,
        timebank=bank.timebank,
        giver=bank.ann,
        receiver=bank.bob,
        done_on=TODAY - timedelta(days=3),
        minutes=45,
        description="Forms",
        key="r1",
        today=TODAY,
    )
    db.session.commit()
    original = db.session.get(Transfer, exchange.transfer_id)
    reversal = services.reverse(
        actor=personas.coordinator_a, transfer=original, reason="Entered twice", today=TODAY
    )
    db.session.commit()
    assert (
        reversal.reverses_id == original.id and reversal.created_by_id == personas.coordinator_a.id
    )
    with pytest.raises(DomainError, match="already been reversed"):
        services.reverse(
            actor=personas.coordinator_a, transfer=original, reason="Again!", today=TODAY
        )
    db.session.rollback()
    with pytest.raises(DomainError, match="cannot itself be reversed"):
        services.reverse(
            actor=personas.coordinator_a, transfer=reversal, reason="Undo it", today=TODAY
        )
    db.session.rollback()
    with pytest.raises(DomainError, match="Only this time bank's coordinators"):
        services.reverse(
            actor=personas.coordinator_b, transfer=original, reason="Not mine", today=TODAY
        )
    db.session.rollback()
    db.session.refresh(bank.ann)
    assert bank.ann.balance_minutes == 0 and ledger.check().problems == []
