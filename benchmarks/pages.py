"""Server time of every page in the load test's mix, with Flask's test client (issue 19 §4).

A fresh database (PostgreSQL by default, as the load test uses; ``--sqlite`` for a file) is
migrated and given the demo data; then, in this one process, each page of
benchmarks/locustfile.py is requested ``--repeat`` times as the person the mix sends (signed in
where the mix is), and the median and 95th percentile of the time inside the application are
printed beside the floor: a bare page (``/healthz``: one ``SELECT 1``) measured in the same run.
No network, no other requests at the same time: this is each page's own cost. Run from the
repository root:

    .venv/bin/python benchmarks/pages.py
    .venv/bin/python benchmarks/pages.py --sqlite --repeat 20
"""

# ruff: noqa: S603  (fixed commands of this machine's own tools)
from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tempdb import temporary_database  # noqa: E402  (beside this file)

BIN = Path(sys.executable).parent
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PASSWORD = "volunteer-hub-demo"  # noqa: S105 - the demo data's published password
DOMAIN = "@demo.volunteerhub.invalid"
#: The servers run in production mode: the session cookie is Secure.
HTTPS = "https://localhost"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def prepare(url: str, folder: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "FLASK_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": url,
        "BASE_URL": "http://127.0.0.1:8101",
        "RECEIPT_FOLDER": str(folder / "receipts"),
        "LOG_FORMAT": "json",
    }
    env.pop("VOLUNTEER_HUB_ENV", None)
    for args in (["db", "upgrade"], ["demo", "seed"]):
        subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    return env


def token(response: Any) -> str:
    match = CSRF.search(response.get_data(as_text=True))
    return match.group(1) if match else ""


class Person:
    """One browser: a test client, signed in as ``who`` (or anonymous)."""

    def __init__(self, app: Any, who: str | None, address: str) -> None:
        self.client = app.test_client()
        self.address = address
        if who:
            page = self.get("/sign-in")
            response = self.post(
                "/sign-in",
                {"csrf_token": token(page), "email": who + DOMAIN, "password": PASSWORD},
            )
            assert response.status_code == 302, f"{who} could not sign in"

    def get(self, path: str) -> Any:
        return self.client.get(path, environ_base={"REMOTE_ADDR": self.address}, base_url=HTTPS)

    def post(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(
            path,
            data=data,
            environ_base={"REMOTE_ADDR": self.address},
            base_url=HTTPS,
            headers={"Referer": HTTPS + path},
        )


#: Statements sent to the database (all connections), for the queries-per-request column.
STATEMENTS = {"n": 0}
QUERIES: dict[int, int] = {}


def _count(*_args: Any) -> None:
    STATEMENTS["n"] += 1


def timed(call: Callable[[], Any], repeat: int, ok: tuple[int, ...] = (200,)) -> list[float]:
    call()  # warm: templates compiled, caches filled as in a running server
    before = STATEMENTS["n"]
    call()
    queries = STATEMENTS["n"] - before
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code in ok, response.status_code
    QUERIES[id(times)] = queries
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(app: Any, repeat: int) -> list[tuple[str, list[float]]]:
    anonymous = Person(app, None, "127.0.1.1")
    volunteer = Person(app, "volunteer", "127.0.1.2")
    coordinator = Person(app, "garden", "127.0.1.3")
    partner = Person(app, "partner", "127.0.1.4")
    hours_page = volunteer.get("/my-hours").get_data(as_text=True)
    placement = re.findall(r'href="/placements/(\d+)/hours"', hours_page)[0]
    search = anonymous.get("/opportunities?q=garden").get_data(as_text=True)
    slug = next(
        s for s in re.findall(r'href="/opportunities/([a-z0-9-]+)"', search) if s != "interest"
    )
    claim_start = volunteer.get("/expenses")
    made = volunteer.post("/expenses", {"csrf_token": token(claim_start), "placement": placement})
    claim = made.headers["location"].rsplit("/", 1)[1]

    def log_hours() -> Any:
        path = f"/placements/{placement}/hours"
        day = date.today() - timedelta(days=3)
        return volunteer.post(
            path,
            {
                "csrf_token": token(volunteer.get(path)),
                "day": [str(day.day), str(day.month), str(day.year)],
                "hours": "0",
                "minutes": "15",
                "note": "pages benchmark",
                "confirm": "y",
            },
        )

    def sign_in() -> Any:
        fresh = app.test_client()
        page = fresh.get("/sign-in", environ_base={"REMOTE_ADDR": "127.0.2.1"}, base_url=HTTPS)
        t0 = time.perf_counter()
        response = fresh.post(
            "/sign-in",
            data={"csrf_token": token(page), "email": "volunteer" + DOMAIN, "password": PASSWORD},
            environ_base={"REMOTE_ADDR": f"127.0.3.{secrets.randbelow(250) + 1}"},
            base_url=HTTPS,
            headers={"Referer": HTTPS + "/sign-in"},
        )
        response.elapsed_ms = (time.perf_counter() - t0) * 1000
        return response

    pages: list[tuple[str, Callable[[], Any], tuple[int, ...]]] = [
        ("GET /healthz (the floor)", lambda: anonymous.get("/healthz"), (200,)),
        ("GET /opportunities?q=garden", lambda: anonymous.get("/opportunities?q=garden"), (200,)),
        ("GET /opportunities/[slug]", lambda: anonymous.get(f"/opportunities/{slug}"), (200,)),
        ("GET /sign-in", lambda: anonymous.get("/sign-in"), (200,)),
        ("GET /password/forgotten", lambda: anonymous.get("/password/forgotten"), (200,)),
        ("GET /my-hours", lambda: volunteer.get("/my-hours"), (200,)),
        (
            "GET /placements/[id]/hours",
            lambda: volunteer.get(f"/placements/{placement}/hours"),
            (200,),
        ),
        ("GET /expenses", lambda: volunteer.get("/expenses"), (200,)),
        (
            "GET /expenses/claims/[id] (volunteer)",
            lambda: volunteer.get(f"/expenses/claims/{claim}"),
            (200,),
        ),
        ("GET /hours/approvals", lambda: coordinator.get("/hours/approvals"), (200,)),
        ("GET /expenses/approvals", lambda: coordinator.get("/expenses/approvals"), (200,)),
        ("GET /reports/value (partner)", lambda: partner.get("/reports/value"), (200,)),
        (
            "GET /reports/value/download/csv",
            lambda: partner.get("/reports/value/download/csv"),
            (200,),
        ),
    ]
    results = []
    for name, call, ok in pages:
        results.append((name, timed(call, repeat, ok)))
    # Writes: each repeat is one more record (the cache, if any, is invalidated every time).
    results.append(("POST /placements/[id]/hours (+ its GET)", timed(log_hours, repeat, (302,))))
    results.append(
        (
            "GET /reports/value (partner, just after an approval)",
            _after_approval(partner, coordinator, log_hours, repeat),
        )
    )
    sign_ins = [sign_in() for _ in range(min(repeat, 8))]
    results.append(("POST /sign-in (argon2id)", [r.elapsed_ms for r in sign_ins]))
    return results


def _after_approval(
    partner: Person, coordinator: Person, write: Callable[[], Any], repeat: int
) -> list[float]:
    """The value report page just after an hour record was approved: the report is built
    afresh (the cache's cold path)."""
    times = []
    for _ in range(repeat):
        write()
        page = coordinator.get("/hours/approvals")
        shown = re.findall(r'name="record"[^>]*value="(\\d+)"', page.get_data(as_text=True))
        done = coordinator.post(
            "/hours/approvals",
            {"csrf_token": token(page), "action": "approve", "record": shown[:1]},
        )
        assert done.status_code == 302
        t0 = time.perf_counter()
        response = partner.get("/reports/value")
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file, not PostgreSQL")
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with temporary_database(None if args.sqlite else args.postgres, "pages") as (url, folder):
        (folder / "receipts").mkdir()
        env = prepare(url, folder)
        os.environ.update({k: env[k] for k in ("FLASK_ENV", "SECRET_KEY", "BASE_URL")})
        os.environ["DATABASE_URL"] = url
        os.environ["RECEIPT_FOLDER"] = env["RECEIPT_FOLDER"]
        os.environ["LOG_FORMAT"] = "json"
        import logging

        from volunteer_hub import create_app

        app = create_app()
        logging.disable(logging.INFO)  # one JSON line a request would be timed too
        from sqlalchemy import event

        from volunteer_hub.extensions import db

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", _count)
        results = measure(app, args.repeat)
        with app.app_context():
            db.engine.dispose()
    floor = statistics.median(results[0][1])
    database = "SQLite" if args.sqlite else "PostgreSQL"
    print(f"\n{database}, {args.repeat} requests each, load average {os.getloadavg()[0]:.1f}\n")
    print("| page | median ms | p95 ms | median − floor ms | queries |")
    print("| --- | --- | --- | --- | --- |")
    for name, times in results:
        median = statistics.median(times)
        queries = QUERIES.get(id(times), "")
        print(
            f"| {name} | {median:.1f} | {percentile(times, 0.95):.1f} | {median - floor:.1f} "
            f"| {queries} |"
        )


if __name__ == "__main__":
    main()
