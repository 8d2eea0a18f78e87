"""Import 1,000,000 hour rows and report on them: the value-report issue's numbers.

Run (SQLite, a temporary database):
    .venv/bin/python benchmarks/value_report.py
Run (PostgreSQL; the benchmark creates and drops its own database):
    .venv/bin/python benchmarks/value_report.py --postgres postgresql+psycopg://postgres@127.0.0.1/postgres

Steps, each in a fresh process so peak memory is that step's own:
1. generate an invented CSV (20,000 volunteers, 200 organisations, 1,000 roles, one year);
2. `flask --app wsgi hours import FILE --create-missing` (the real command; wall time, peak RSS);
3. the one-year report, `build_value_report`, run three times (time of each and peak RSS);
4. `flask --app wsgi report value` end to end (wall time, process start included).
Targets: import < 120 s; report < 3 s with peak memory < 500 MB.
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
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from volunteer_hub.hours.imports import HOURS_HEADER

ROOT = Path(__file__).resolve().parent.parent
START, END = date(2025, 4, 1), date(2026, 3, 31)
SOC_CODES = ["6145", "5113", "9252", "8214", "4159", "6131", "3221", "2314", "4122", "9233"]


def generate(path: Path, rows: int, volunteers: int, organisations: int, roles: int) -> None:
    rng = random.Random(1)
    days = (END - START).days + 1
    role_names = [
        (f"Benchmark organisation {r % organisations:03d}", f"Role {r:04d}", SOC_CODES[r % 10])
        for r in range(roles)
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HOURS_HEADER)
        hours = ["1", "1.5", "2", "2.5", "3", "4"]
        for n in range(rows):
            v = rng.randrange(volunteers)
            organisation, role, soc = role_names[(v * 7 + n % 3) % roles]
            writer.writerow(
                [
                    f"bench-{n}",
                    f"volunteer{v:05d}@bench.volunteerhub.invalid",
                    f"Volunteer {v:05d}",
                    organisation,
                    role,
                    soc,
                    (START + timedelta(days=rng.randrange(days))).isoformat(),
                    rng.choice(hours),
                    "yes" if n % 50 == 0 else "no",
                ]
            )


def _env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url
    env["SECRET_KEY"] = secrets.token_urlsafe(48)
    env.pop("FLASK_ENV", None)
    return env


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a child process; return (seconds, its peak RSS in MB, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far; each step is larger than the last
    # or we report the max seen, which is an upper bound.
    return elapsed, max(before, after) / 1024, done.stdout


REPORT_CHILD = """
import json, resource, sys, time
from datetime import date
from volunteer_hub import create_app
from volunteer_hub.reports.value import build_value_report
app = create_app()
with app.app_context():
    times = []
    for _ in range(3):
        t = time.perf_counter()
        data = build_value_report(start=date(2025, 4, 1), end=date(2026, 3, 31))
        times.append(time.perf_counter() - t)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    generalist = data["value"]["generalist"]["amount"]
    print(json.dumps({"times": times, "peak_mb": peak, "total_hours": data["total_hours"],
                      "active": data["active_volunteers"], "generalist": generalist}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--volunteers", type=int, default=20_000)
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--roles", type=int, default=1_000)
    parser.add_argument("--postgres", default=None, help="A PostgreSQL URL to create a DB from.")
    parser.add_argument(
        "--keep", type=Path, default=None, help="SQLite file to keep (reused: import skipped)."
    )
    options = parser.parse_args()
    python = sys.executable
    flask = [python, "-m", "flask", "--app", "wsgi"]

    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "hours.csv"
        if not (options.keep and options.keep.exists()):
            started = time.perf_counter()
            generate(
                csv_path, options.rows, options.volunteers, options.organisations, options.roles
            )
            print(f"generated {options.rows:,} rows in {time.perf_counter() - started:.1f} s")

        drop = None
        if options.postgres:
            import sqlalchemy

            name = f"vh_bench_{uuid.uuid4().hex[:8]}"
            admin = sqlalchemy.create_engine(options.postgres, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
            database_url = options.postgres.rsplit("/", 1)[0] + f"/{name}"

            def drop() -> None:
                with admin.connect() as connection:
                    connection.execute(sqlalchemy.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        else:
            database = options.keep.resolve() if options.keep else Path(tmp) / "bench.db"
            database_url = f"sqlite:///{database}"
        env = _env(database_url)
        reuse = options.keep is not None and options.keep.exists()
        try:
            if not reuse:
                _run([*flask, "db", "upgrade"], env)
                seconds, peak, out = _run(
                    [*flask, "hours", "import", str(csv_path), "--create-missing"], env
                )
                print(f"import: {seconds:.1f} s wall, peak RSS {peak:.0f} MB")
                print("   ", out.strip().splitlines()[-1] if out.strip() else "")
            _seconds, _peak, out = _run([python, "-c", REPORT_CHILD], env)
            figures = json.loads(out)
            runs = ", ".join(f"{t:.2f}" for t in figures["times"])
            print(
                f"report (build_value_report, one year): {runs} s; "
                f"peak RSS {figures['peak_mb']:.0f} MB"
            )
            print(
                f"    total_hours {figures['total_hours']}, active {figures['active']}, "
                f"generalist £{figures['generalist']}"
            )
            seconds, peak, _out = _run(
                [*flask, "report", "value", "--start", "2025-04-01", "--end", "2026-03-31"], env
            )
            print(f"report CLI end to end (process start included): {seconds:.2f} s")
        finally:
            if drop is not None:
                drop()


if __name__ == "__main__":
    main()
