"""The time bank ledger at scale: 1,000,000 entries.

Run: .venv/bin/python benchmarks/timebank.py [--entries 1000000] [--postgres URL]
Targets (issue 9): a member's balance and the first statement page in under 50 ms each,
`timebank check` (recomputing every balance) in under 30 s, and recording an exchange (a
coordinator's, confirmed at once: idempotency key, locks, conditional updates, two entries)
under 20 ms. The database is built with the migrations, then filled in bulk.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import time
from datetime import date, timedelta

import sqlalchemy
from tempdb import temporary_database


def _ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:.1f} ms, worst {max(samples) * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=1_000)
    parser.add_argument("--postgres", default=None)
    options = parser.parse_args()
    with temporary_database(options.postgres, "timebank") as (url, _tmp):
        os.environ["DATABASE_URL"] = url
        from flask_migrate import upgrade

        from volunteer_hub import create_app
        from volunteer_hub.accounts.models import User
        from volunteer_hub.core.models import utcnow
        from volunteer_hub.extensions import db
        from volunteer_hub.timebank import ledger, services
        from volunteer_hub.timebank.models import (
            Account,
            Entry,
            TimeBank,
            TimeBankCoordinator,
            Transfer,
        )

        app = create_app({"SECRET_KEY": secrets.token_urlsafe(48)})
        with app.app_context():
            upgrade()
            coordinator = User(email="coordinator@bench.invalid", name="Coordinator")
            timebank = TimeBank(name="Bench", terms="Benchmark terms, invented.")
            timebank.min_balance_minutes = -10_000_000
            db.session.add_all([coordinator, timebank])
            db.session.flush()
            db.session.add(TimeBankCoordinator(timebank_id=timebank.id, user_id=coordinator.id))
            services.pot_of(timebank)
            db.session.execute(
                sqlalchemy.insert(Account),
                [
                    {
                        "timebank_id": timebank.id,
                        "kind": "person",
                        "name": f"Member {n}",
                        "email": f"m{n}@bench.invalid",
                        "status": "approved",
                        "approved_at": utcnow(),
                        "balance_minutes": 0,
                        "references_ok": True,
                        "created_at": utcnow(),
                    }
                    for n in range(options.members)
                ],
            )
            db.session.commit()
            ids = list(
                db.session.scalars(
                    sqlalchemy.select(Account.id)
                    .where(Account.kind == "person")
                    .order_by(Account.id)
                )
            )
            focus = ids[0]
            rng = random.Random(9)
            balances = dict.fromkeys(ids, 0)
            transfers = options.entries // 2
            started = time.perf_counter()
            first_day = date.today() - timedelta(days=3 * 365)
            batch = 20_000
            next_transfer = 1 + (
                db.session.scalar(sqlalchemy.select(sqlalchemy.func.max(Transfer.id))) or 0
            )
            for offset in range(0, transfers, batch):
                size = min(batch, transfers - offset)
                transfer_rows, entry_rows = [], []
                for n in range(size):
                    tid = next_transfer + offset + n
                    giver, receiver = rng.sample(ids, 2)
                    if (offset + n) % 250 == 0:
                        giver = focus  # the focus member has a long statement
                    minutes = rng.choice([30, 60, 90, 120])
                    transfer_rows.append(
                        {
                            "id": tid,
                            "timebank_id": timebank.id,
                            "kind": "import",
                            "done_on": first_day + timedelta(days=(offset + n) * 1095 // transfers),
                            "description": "Bulk",
                            "idempotency_key": f"bulk:{tid}",
                            "created_at": utcnow(),
                        }
                    )
                    entry_rows.append({"transfer_id": tid, "account_id": giver, "minutes": minutes})
                    entry_rows.append(
                        {"transfer_id": tid, "account_id": receiver, "minutes": -minutes}
                    )
                    balances[giver] += minutes
                    balances[receiver] -= minutes
                db.session.execute(sqlalchemy.insert(Transfer), transfer_rows)
                db.session.execute(sqlalchemy.insert(Entry), entry_rows)
                db.session.commit()
            db.session.execute(
                sqlalchemy.update(Account),
                [{"id": account_id, "balance_minutes": b} for account_id, b in balances.items()],
            )
            db.session.commit()
            if db.engine.dialect.name == "postgresql":
                db.session.execute(
                    sqlalchemy.text(
                        "SELECT setval(pg_get_serial_sequence('timebank_transfer', 'id'), "
                        "(SELECT max(id) FROM timebank_transfer))"
                    )
                )
                db.session.commit()
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.execute(sqlalchemy.text("VACUUM ANALYZE"))
            else:
                db.session.execute(sqlalchemy.text("ANALYZE"))
                db.session.commit()
            loaded = time.perf_counter() - started
            entries = db.session.scalar(sqlalchemy.select(sqlalchemy.func.count(Entry.id)))
            print(f"{db.engine.dialect.name}: {entries:,} entries loaded in {loaded:.0f} s")

            balance_times, page_times = [], []
            for _ in range(30):
                db.session.expire_all()
                t = time.perf_counter()
                db.session.get(Account, focus).balance_minutes  # noqa: B018 - the timed read
                balance_times.append(time.perf_counter() - t)
                account = db.session.get(Account, focus)
                t = time.perf_counter()
                lines = services.statement(account)
                page_times.append(time.perf_counter() - t)
            print(f"member balance: {_ms(balance_times)}")
            print(f"first statement page ({len(lines)} lines): {_ms(page_times)}")

            t = time.perf_counter()
            result = ledger.check()
            checked = time.perf_counter() - t
            assert not result.problems, result.problems[:3]
            print(
                f"timebank check: {checked:.1f} s "
                f"({result.entries:,} entries, total {result.total})"
            )

            record_times = []
            actor = db.session.get(User, coordinator.id)
            for n in range(-1, 50):  # the first (n = -1) warms the connection and is not timed
                giver = db.session.get(Account, ids[1 + n % 50])
                receiver = db.session.get(Account, ids[100 + n % 50])
                t = time.perf_counter()
                services.record_for_both(
                    actor=actor,
                    timebank=timebank,
                    giver=giver,
                    receiver=receiver,
                    done_on=date.today(),
                    minutes=60,
                    description="Timed",
                    key=f"timed-{n}",
                    today=date.today(),
                )
                db.session.commit()
                if n >= 0:
                    record_times.append(time.perf_counter() - t)
            print(f"record an exchange: {_ms(record_times)}")
            assert not ledger.check().problems


if __name__ == "__main__":
    main()
