"""Imports against their floor: each import side by side with a plain bulk insert of the same rows.

Run (SQLite, temporary files):
    .venv/bin/python benchmarks/imports.py [--kinds hours,expenses,timebank]
Run (PostgreSQL; a database is created and dropped for each step):
    .venv/bin/python benchmarks/imports.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

For each kind, an invented file is generated (hours: 1,000,000 rows, 20,000 volunteers, 200
organisations, 1,000 roles; expenses and time bank: 100,000 rows), then two fresh processes, each
on a fresh database built with the migrations:

- floor: read the file with the csv module, create the organisations, volunteers, roles or
  members it names with plain inserts, convert each row with the least work (no checks) and
  insert it in batches (``COPY`` on PostgreSQL, ``executemany`` on SQLite), commit;
- import: the real import function with every check (``--create-missing``), then commit.

Each prints its seconds (inside the process, after the migrations) and its peak RSS. Target
(issue 19): hours within 4× the floor, peak memory under 1 GB; the same ratio for the others.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import secrets
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

START, END = date(2025, 4, 1), date(2026, 3, 31)


# --- files ----------------------------------------------------------------------------------


def generate_hours(path: Path, rows: int) -> None:
    sys.argv = sys.argv[:1]
    from value_report import generate

    generate(path, rows, 20_000, 200, 1_000)


def generate_expenses(path: Path, rows: int) -> None:
    from volunteer_hub.expenses.imports import EXPENSES_HEADER

    rng = random.Random(2)
    days = (END - START).days + 1
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPENSES_HEADER)
        for n in range(rows):
            v = rng.randrange(5_000)
            day = START + timedelta(days=rng.randrange(days))
            car = n % 3 == 0
            status = ("submitted", "approved", "paid")[n % 3]
            writer.writerow(
                [
                    f"exp-{n}",
                    f"claimant{v:05d}@bench.volunteerhub.invalid",
                    f"Claimant {v:05d}",
                    f"Benchmark organisation {v % 50:02d}",
                    day.isoformat(),
                    "car_mileage" if car else "public_transport",
                    f"{rng.randrange(1, 400) / 10}" if car else "",
                    "" if car else f"{rng.randrange(100, 5000) / 100:.2f}",
                    status,
                    day.isoformat() if status == "paid" else "",
                    "Benchmark claim",
                ]
            )


def generate_timebank(path: Path, rows: int) -> None:
    """Exchanges in date order among 2,000 members, none taken below the new time bank's
    minimum (10 hours in debit)."""
    from volunteer_hub.timebank.imports import HEADER

    rng = random.Random(3)
    days = (END - START).days + 1
    balances = [0] * 2_000
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            hours = rng.choice(["0.25", "0.5", "1", "1.5", "2"])
            minutes = int(Decimal(hours) * 60)
            giver = rng.randrange(2_000)
            receiver = (giver + 1 + rng.randrange(1_999)) % 2_000
            if balances[receiver] - minutes < -540:
                giver, receiver = receiver, giver
            if balances[receiver] - minutes < -540:
                receiver = max(range(2_000), key=balances.__getitem__)
                giver = (receiver + 1) % 2_000
            balances[giver] += minutes
            balances[receiver] -= minutes
            writer.writerow(
                [
                    f"tb-{n}",
                    (START + timedelta(days=n * days // rows)).isoformat(),
                    f"member{giver:04d}@bench.volunteerhub.invalid",
                    f"member{receiver:04d}@bench.volunteerhub.invalid",
                    hours,
                    "Benchmark exchange",
                ]
            )


GENERATE = {"hours": generate_hours, "expenses": generate_expenses, "timebank": generate_timebank}
ROWS = {"hours": 1_000_000, "expenses": 100_000, "timebank": 100_000}


# --- the floor --------------------------------------------------------------------------------


def _bulk(table: str, names: list[str], rows: list[tuple[object, ...]]) -> None:
    """A plain bulk insert: COPY on PostgreSQL, executemany on SQLite."""
    from volunteer_hub.extensions import db

    connection = db.session.connection()
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in names)
        statement = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
        driver.executemany(statement, rows)


def floor_hours(path: Path) -> None:
    from volunteer_hub.core.models import utcnow
    from volunteer_hub.extensions import db
    from volunteer_hub.organisations.models import Organisation, Role
    from volunteer_hub.volunteers.models import Volunteer

    with path.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))[1:]
    organisations: dict[str, Organisation] = {}
    for row in lines:
        if row[3] not in organisations:
            organisations[row[3]] = Organisation(
                name=row[3], slug=f"o{len(organisations)}", kind="vco"
            )
    db.session.add_all(organisations.values())
    db.session.flush()
    volunteers: dict[str, Volunteer] = {}
    roles: dict[tuple[str, str], Role] = {}
    for row in lines:
        if row[1] not in volunteers:
            volunteers[row[1]] = Volunteer(email=row[1], name=row[2])
        if (row[3], row[4]) not in roles:
            roles[(row[3], row[4])] = Role(
                organisation_id=organisations[row[3]].id, title=row[4], soc_code=row[5]
            )
    db.session.add_all([*volunteers.values(), *roles.values()])
    db.session.flush()
    vid = {k: v.id for k, v in volunteers.items()}
    oid = {k: v.id for k, v in organisations.items()}
    rid = {k: v.id for k, v in roles.items()}
    now = utcnow()
    postgres = db.session.connection().dialect.name == "postgresql"
    stamp: object = now if postgres else now.replace(tzinfo=None).isoformat(" ")
    names = [
        *("ref", "volunteer_id", "organisation_id", "role_id", "date", "seconds", "status"),
        *("source", "employer_time", "soc_code", "approved_at", "created_at"),
    ]
    batch: list[tuple[object, ...]] = []
    for row in lines:
        day = date.fromisoformat(row[6]) if postgres else row[6]
        batch.append(
            (
                row[0],
                vid[row[1]],
                oid[row[3]],
                rid[(row[3], row[4])],
                day,
                int(Decimal(row[7]) * 3600),
                "approved",
                "imported",
                row[8] == "yes",
                row[5],
                stamp,
                stamp,
            )
        )
        if len(batch) == 50_000:
            _bulk("hours_record", names, batch)
            batch = []
    if batch:
        _bulk("hours_record", names, batch)
    db.session.commit()


def run_import(kind: str, path: Path) -> str:
    from volunteer_hub.extensions import db

    if kind == "hours":
        from volunteer_hub.hours.imports import import_hours

        result = import_hours(path, create_missing=True)
        summary = f"{result.imported:,} imported, {result.created_volunteers:,} volunteers"
    elif kind == "expenses":
        from volunteer_hub.expenses.imports import import_expenses

        done = import_expenses(path, create_missing=True)
        summary = f"{done.imported:,} imported, £{done.total_pence / 100:,.2f}"
    else:
        from volunteer_hub.timebank.imports import import_exchanges

        bank = import_exchanges(
            path, timebank_name="Bench", create_missing=True, today=date.today()
        )
        summary = f"{bank.imported:,} imported, {bank.created_members:,} members"
    db.session.commit()
    return summary


def child(step: str, kind: str, path: Path) -> None:
    """One step in this (fresh) process; prints JSON with its seconds and peak RSS."""
    from flask_migrate import upgrade

    from volunteer_hub import create_app

    app = create_app({"SECRET_KEY": secrets.token_urlsafe(48)})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        cpu = time.process_time()
        if step == "floor":
            FLOORS[kind](path)
            summary = "floor"
        else:
            summary = run_import(kind, path)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak, "summary": summary}))


def _people(
    lines: list[list[str]], org_column: int | None, emails: tuple[int, ...]
) -> tuple[dict[str, int], dict[str, int]]:
    """Organisations and volunteers named in the file, added with plain ORM inserts."""
    from volunteer_hub.extensions import db
    from volunteer_hub.organisations.models import Organisation
    from volunteer_hub.volunteers.models import Volunteer

    organisations: dict[str, Organisation] = {}
    volunteers: dict[str, Volunteer] = {}
    for row in lines:
        if org_column is not None and row[org_column] not in organisations:
            name = row[org_column]
            organisations[name] = Organisation(name=name, slug=f"o{len(organisations)}", kind="vco")
        for column in emails:
            if row[column] not in volunteers:
                volunteers[row[column]] = Volunteer(email=row[column], name=row[column])
    db.session.add_all([*organisations.values(), *volunteers.values()])
    db.session.flush()
    return {k: v.id for k, v in organisations.items()}, {k: v.id for k, v in volunteers.items()}


def floor_expenses(path: Path) -> None:
    """Claims with ids of our own (a fresh database), then one item each; mileage at 45p."""
    from volunteer_hub.core.models import utcnow
    from volunteer_hub.extensions import db

    with path.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))[1:]
    oid, vid = _people(lines, 3, (1,))
    postgres = db.session.connection().dialect.name == "postgresql"
    now = utcnow()
    stamp: object = now if postgres else now.replace(tzinfo=None).isoformat(" ")
    claims, items = [], []
    for n, row in enumerate(lines, start=1):
        day = date.fromisoformat(row[4]) if postgres else row[4]
        paid = (date.fromisoformat(row[9]) if postgres else row[9]) if row[9] else None
        tenths = int(Decimal(row[6]) * 10) if row[6] else None
        pence = tenths * 45 // 10 if tenths else int(Decimal(row[7]) * 100)
        claims.append((n, row[0], vid[row[1]], oid[row[3]], row[8], "imported", 0, paid))
        claims[-1] += (stamp, stamp, stamp)
        items.append((n, row[5], day, row[10], tenths, 0, pence))
    _bulk(
        "expenses_claim",
        [
            *("id", "ref", "volunteer_id", "organisation_id", "status", "source"),
            *("policy_version", "paid_on", "submitted_at", "created_at", "updated_at"),
        ],
        claims,
    )
    _bulk(
        "expenses_item",
        ["claim_id", "type", "date", "description", "miles_tenths", "passengers", "claimed_pence"],
        items,
    )
    db.session.commit()


def floor_timebank(path: Path) -> None:
    """Members, then transfers with ids of our own (a fresh database), two entries each, and
    each balance set once."""
    from volunteer_hub.core.models import utcnow
    from volunteer_hub.extensions import db
    from volunteer_hub.timebank.models import Account, TimeBank

    with path.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))[1:]
    bank = TimeBank(name="Bench", terms="Benchmark terms.")
    db.session.add(bank)
    db.session.flush()
    members = {row[c] for row in lines for c in (2, 3)}
    accounts = {
        email: Account(
            timebank_id=bank.id, kind="person", name=email, email=email, status="approved"
        )
        for email in sorted(members)
    }
    db.session.add_all(accounts.values())
    db.session.flush()
    postgres = db.session.connection().dialect.name == "postgresql"
    now = utcnow()
    stamp: object = now if postgres else now.replace(tzinfo=None).isoformat(" ")
    transfers, entries, balances = [], [], dict.fromkeys(accounts, 0)
    for n, row in enumerate(lines, start=1):
        day = date.fromisoformat(row[1]) if postgres else row[1]
        minutes = int(Decimal(row[4]) * 60)
        transfers.append((n, bank.id, "import", day, row[5], f"import:{row[0]}", stamp))
        entries += [(n, accounts[row[2]].id, minutes), (n, accounts[row[3]].id, -minutes)]
        balances[row[2]] += minutes
        balances[row[3]] -= minutes
    _bulk(
        "timebank_transfer",
        ["id", "timebank_id", "kind", "done_on", "description", "idempotency_key", "created_at"],
        transfers,
    )
    _bulk("timebank_entry", ["transfer_id", "account_id", "minutes"], entries)
    connection = db.session.connection()
    connection.exec_driver_sql(
        "UPDATE timebank_account SET balance_minutes = %(b)s WHERE id = %(i)s"
        if postgres
        else "UPDATE timebank_account SET balance_minutes = ? WHERE id = ?",
        [{"b": b, "i": accounts[e].id} for e, b in balances.items()]
        if postgres
        else [(b, accounts[e].id) for e, b in balances.items()],
    )
    db.session.commit()


FLOORS = {"hours": floor_hours, "expenses": floor_expenses, "timebank": floor_timebank}


def _step(step: str, kind: str, path: Path, postgres: str | None) -> dict[str, object]:
    from tempdb import temporary_database

    with temporary_database(postgres, f"imp_{kind}_{step}") as (url, _tmp):
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=secrets.token_urlsafe(48))
        done = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--child", step, "--kind", kind, "--file", str(path)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        sys.exit(f"{step} {kind} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kinds", default="hours,expenses,timebank")
    parser.add_argument("--rows", type=int, default=None, help="Rows per file (default per kind).")
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--child", default=None)
    parser.add_argument("--kind", default=None)
    parser.add_argument("--file", type=Path, default=None)
    options = parser.parse_args()
    if options.child:
        child(options.child, options.kind, options.file)
        return
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for kind in options.kinds.split(","):
            path = Path(tmp) / f"{kind}.csv"
            GENERATE[kind](path, options.rows or ROWS[kind])
            floor = _step("floor", kind, path, options.postgres)
            real = _step("import", kind, path, options.postgres)
            ratio = float(real["seconds"]) / float(floor["seconds"])
            cpu_ratio = float(real["cpu"]) / float(floor["cpu"])
            print(
                f"{kind}: import {real['seconds']:.1f} s wall, {real['cpu']:.1f} s CPU (peak RSS "
                f"{real['peak_mb']:.0f} MB; {real['summary']}); floor {floor['seconds']:.1f} s "
                f"wall, {floor['cpu']:.1f} s CPU (peak RSS {floor['peak_mb']:.0f} MB): "
                f"{ratio:.1f}× the floor (CPU {cpu_ratio:.1f}×)",
                flush=True,
            )


if __name__ == "__main__":
    main()
