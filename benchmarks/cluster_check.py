"""The bookkeeping of benchmarks/cluster.py: the database before and after, what the load test's
client was told was saved (its acknowledgements) against what the database holds, Locust's
figures, and any traceback in the servers' logs."""

from __future__ import annotations

import csv
import json
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import text


def create_database(admin_url: str, name: str) -> None:
    engine = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def drop_database(admin_url: str, name: str) -> None:
    for _ in range(10):  # PostgreSQL may be restarting after a fault run
        try:
            engine = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with engine.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            engine.dispose()
            return
        except sqlalchemy.exc.OperationalError:
            time.sleep(2)


def _engine(cluster: Any) -> sqlalchemy.Engine:
    return sqlalchemy.create_engine(cluster.database_url, pool_pre_ping=True)


def _retrying(function: Any, tries: int = 15) -> Any:
    for attempt in range(tries):
        try:
            return function()
        except sqlalchemy.exc.OperationalError:
            if attempt == tries - 1:
                raise
            time.sleep(2)
    return None


def snapshot(cluster: Any) -> dict[str, Any]:
    """Every table's row count, the outbox by status, the ledger check and the value report."""
    engine = _engine(cluster)

    def read() -> dict[str, Any]:
        with engine.connect() as connection:
            tables = connection.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
                )
            ).scalars()
            counts = {
                t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()  # noqa: S608
                for t in list(tables)
            }
            outbox = dict(
                connection.execute(
                    text("SELECT status, count(*) FROM accounts_outbox GROUP BY status")
                ).all()
            )
        return {"rows": counts, "outbox": outbox}

    result: dict[str, Any] = _retrying(read)
    engine.dispose()
    check = cluster.flask("timebank", "check", check=False)
    result["ledger_check"] = {"exit": check.returncode, "output": check.stdout.strip()[-300:]}
    end = date.today()
    report = cluster.flask(
        "report",
        "value",
        "--start",
        (end - timedelta(days=365)).isoformat(),
        "--end",
        end.isoformat(),
        check=False,
    )
    try:
        figures = json.loads(report.stdout)
    except ValueError:
        figures = {"output": report.stdout[-300:] + report.stderr[-300:]}
    keep = ("total_hours", "active_volunteers", "fte", "net_value")
    result["value_report"] = {"exit": report.returncode, **{k: figures.get(k) for k in keep}}
    engine = _engine(cluster)
    result["approved_hours_in_database"] = _retrying(
        lambda: _scalar(
            engine,
            "SELECT round(coalesce(sum(seconds), 0) / 3600.0, 2) FROM hours_record "
            "WHERE status = 'approved' AND NOT employer_time AND date BETWEEN :start AND :end",
            start=end - timedelta(days=365),
            end=end,
        )
    )
    engine.dispose()
    return result


def wait_for_outbox(cluster: Any, seconds: float) -> dict[str, Any]:
    """Wait until no message is pending (the worker sends them); report how long it took."""
    engine = _engine(cluster)
    started = time.monotonic()
    pending = -1
    while time.monotonic() - started < seconds:
        pending = _retrying(
            lambda: _scalar(engine, "SELECT count(*) FROM accounts_outbox WHERE status = 'pending'")
        )
        if pending == 0:
            break
        time.sleep(3)
    engine.dispose()
    received = len(cluster.mail_log.read_text().splitlines())
    return {
        "pending_left": pending,
        "waited_seconds": round(time.monotonic() - started),
        "smtp_sink_received": received,
    }


def _scalar(engine: sqlalchemy.Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as connection:
        return connection.execute(text(sql), params).scalar()


#: For each kind of acknowledgement: the SQL whose answer says the acknowledged write is there.
FOUND = {
    "hours": "SELECT count(*) FROM hours_record WHERE note = :marker",
    "hours_approved": "SELECT count(*) FROM hours_record WHERE id = :marker::int "
    "AND status = 'approved'",
    "claim_submitted": "SELECT count(*) FROM expenses_claim c JOIN expenses_item i "
    "ON i.claim_id = c.id WHERE i.description = :marker AND c.status <> 'draft'",
    "claim_decided": "SELECT count(*) FROM expenses_claim WHERE id = :marker::int "
    "AND status IN ('approved', 'part_approved', 'rejected', 'paid')",
    "receipt": "SELECT count(*) FROM expenses_receipt WHERE original_name = :marker",
    # The person was told the receipt was not saved: it must not be there.
    "receipt_refused": "SELECT count(*) FROM expenses_receipt WHERE original_name = :marker",
    "reset_requested": "SELECT 1",
}


def compare(cluster: Any, acks_file: Path) -> dict[str, Any]:
    """Each acknowledged write looked up by its marker: how many were acknowledged and found."""
    acks = []
    if acks_file.exists():
        acks = [json.loads(line) for line in acks_file.read_text().splitlines() if line]
    engine = _engine(cluster)
    summary: dict[str, Any] = {}
    for ack in acks:
        kind = ack["kind"]
        entry = summary.setdefault(kind, {"acknowledged": 0, "found": 0, "missing": []})
        entry["acknowledged"] += 1
        sql = FOUND[kind].replace(":marker::int", "CAST(:marker AS integer)")
        found = _retrying(lambda sql=sql, ack=ack: _scalar(engine, sql, marker=str(ack["marker"])))
        if kind == "receipt_refused":
            found = 0 if found else 1
        if found:
            entry["found"] += 1
        elif len(entry["missing"]) < 10:
            entry["missing"].append(ack["marker"])
    resets = _scalar(engine, "SELECT count(*) FROM accounts_outbox WHERE kind LIKE '%reset%'")
    summary["reset_emails_in_outbox"] = resets
    summary["receipt_files_missing"] = _missing_files(engine, cluster.receipts)
    engine.dispose()
    return summary


def _missing_files(engine: sqlalchemy.Engine, folder: Path) -> int:
    with engine.connect() as connection:
        keys = connection.execute(text("SELECT storage_key FROM expenses_receipt")).scalars().all()
    return sum(1 for key in keys if not (folder / key[:2] / key).exists())


def read_stats(prefix: Path) -> list[dict[str, Any]]:
    """Locust's per-request figures (ms), from its ``_stats.csv``."""
    path = Path(f"{prefix}_stats.csv")
    if not path.exists():
        return []
    rows = []
    with path.open() as handle:
        for row in csv.DictReader(handle):
            rows.append(
                {
                    "type": row["Type"],
                    "name": row["Name"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "rps": round(float(row["Requests/s"]), 2),
                    "p50": row["50%"],
                    "p95": row["95%"],
                    "p99": row["99%"],
                    "max": round(float(row["Max Response Time"])),
                }
            )
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open() as handle:
            for row in csv.DictReader(handle):
                rows.append(
                    {
                        "failure": f"{row['Method']} {row['Name']}",
                        "error": row["Error"][:200],
                        "occurrences": row["Occurrences"],
                    }
                )
    return rows


def tracebacks(folder: Path) -> list[str]:
    """Lines of the servers' and worker's logs that show a traceback or a 500."""
    found = []
    for log in sorted(folder.glob("*.log")):
        for line in log.read_text(errors="replace").splitlines():
            if "Traceback" in line or '"status": 500' in line or "status=500" in line:
                found.append(f"{log.name}: {line[:300]}")
    return found[:40]


# The worker killed mid-import -----------------------------------------------------------------

IMPORT_ROWS = 150_000


def stage_import(cluster: Any, folder: Path, rows: int = IMPORT_ROWS) -> dict[str, Any]:
    """A large hours file waiting for the browser-import job, as the upload page leaves it: the
    file under a random name in the upload folder and an ``uploads_upload`` row ("uploaded",
    by a coordinator of the organisation) that the worker's every-minute run picks up. Rows
    name volunteers the demo already has, so every row is good."""
    import random
    import secrets

    engine = _engine(cluster)
    with engine.begin() as connection:
        organisation_id, name = connection.execute(
            text(
                "SELECT o.id, o.name FROM hours_record h JOIN organisations_organisation o "
                "ON o.id = h.organisation_id GROUP BY o.id, o.name "
                "ORDER BY count(DISTINCT h.volunteer_id) DESC LIMIT 1"
            )
        ).one()
        emails = list(
            connection.execute(
                text(
                    "SELECT DISTINCT v.email FROM hours_record h JOIN volunteers_volunteer v "
                    "ON v.id = h.volunteer_id WHERE h.organisation_id = :o AND v.email IS NOT NULL"
                ),
                {"o": organisation_id},
            ).scalars()
        )
        uploader = connection.execute(
            text(
                "SELECT user_id FROM accounts_membership WHERE organisation_id = :o "
                "AND role = 'coordinator' ORDER BY user_id LIMIT 1"
            ),
            {"o": organisation_id},
        ).scalar()
        stored = f"{secrets.token_hex(16)}.csv"
        rng = random.Random(19)
        first = date.today() - timedelta(days=2000)
        with (folder / stored).open("w", encoding="utf-8") as handle:
            handle.write(
                "ref,volunteer_email,volunteer_name,organisation,role,soc_code,date,hours,"
                "employer_time\n"
            )
            for n in range(rows):
                day = first + timedelta(days=rng.randrange(1900))
                handle.write(f"fault-{n},{rng.choice(emails)},,{name},,,{day},0.25,no\n")
        upload_id = connection.execute(
            text(
                "INSERT INTO uploads_upload (kind, organisation_id, uploaded_by_id, filename, "
                "stored_name, status, checked, imported, skipped, attempts, created_at) VALUES "
                "('hours', :o, :u, 'fault-hours.csv', :s, 'uploaded', 0, 0, 0, 0, now()) "
                "RETURNING id"
            ),
            {"o": organisation_id, "u": uploader, "s": stored},
        ).scalar_one()
    engine.dispose()
    return {"upload_id": upload_id, "rows": rows, "organisation": name, "file": stored}


def import_state(cluster: Any, upload_id: int) -> dict[str, Any]:
    """The upload's row and how many of the file's records the hub holds."""
    engine = _engine(cluster)

    def read() -> dict[str, Any]:
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT status, checked, imported, attempts, error FROM uploads_upload "
                    "WHERE id = :i"
                ),
                {"i": upload_id},
            ).one()
            records = connection.execute(
                text("SELECT count(*) FROM hours_record WHERE ref LIKE 'fault-%'")
            ).scalar()
            runs = connection.execute(
                text(
                    "SELECT status, count(*) FROM jobs_run WHERE name = 'imports' "
                    'AND counts IS DISTINCT FROM \'{"imported": 0, "refused": 0}\' '
                    "GROUP BY status"
                )
            ).all()
        return {
            "at": time.strftime("%H:%M:%S"),
            "status": row[0],
            "checked": row[1],
            "imported": row[2],
            "attempts": row[3],
            "error": (row[4] or "")[:200],
            "fault_records_in_hub": records,
            "import_job_runs": dict(runs),
        }

    result: dict[str, Any] = _retrying(read)
    engine.dispose()
    return result


def wait_for_import(
    cluster: Any, upload_id: int, statuses: tuple[str, ...], seconds: float
) -> dict[str, Any]:
    started = time.monotonic()
    state = import_state(cluster, upload_id)
    while state["status"] not in statuses and time.monotonic() - started < seconds:
        time.sleep(0.5)
        state = import_state(cluster, upload_id)
    state["waited_seconds"] = round(time.monotonic() - started, 1)
    return state
