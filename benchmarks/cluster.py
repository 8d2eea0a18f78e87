"""Two app servers under load, and under faults, on this machine (issue 19 §4).

A fresh PostgreSQL database (migrated, demo data), two gunicorn instances on two loopback ports,
one jobs worker, Redis for rate limits and the job queue, a local SMTP sink, and Locust
(headless, bounded) alternating between the two servers. Run from the repository root:

    .venv/bin/python benchmarks/cluster.py load                 # 50 users, 60 s, then the ceiling
    .venv/bin/python benchmarks/cluster.py load --burst         # all arriving within 5 s
    .venv/bin/python benchmarks/cluster.py fault postgres       # PostgreSQL restarted mid-run
    .venv/bin/python benchmarks/cluster.py fault redis          # Redis restarted
    .venv/bin/python benchmarks/cluster.py fault app-server     # one gunicorn killed (SIGKILL)
    .venv/bin/python benchmarks/cluster.py fault smtp           # the mail server refusing
    .venv/bin/python benchmarks/cluster.py fault receipts       # the receipt folder unwritable
    .venv/bin/python benchmarks/cluster.py fault worker-import  # the worker killed mid-import
    .venv/bin/python benchmarks/cluster.py up                   # start it all; Ctrl+C stops it

Everything it starts is stopped, and the database dropped, when it ends (also on Ctrl+C).
Results (Locust's figures, what the client was told was saved, and what the database holds) are
printed and written as JSON to ``--output``.
"""

# ruff: noqa: S603, S607  (fixed commands of this machine's own tools)
from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import cluster_check  # noqa: E402  (beside this file)

BIN = Path(sys.executable).parent
#: Loopback ports of the two app servers and the SMTP sink (``--ports``, ``--smtp-port``: two
#: runs at once on one machine need their own).
PORTS = (8101, 8102)
SMTP_PORT = 8125
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379"
PG_VERSION = "15"
#: The load test's people (benchmarks/locustfile.py), mixed by their weights.
MIX = ["Visitor", "Volunteer", "Coordinator", "Partner", "Health"]
#: gunicorn workers a server (``--workers``), and people arriving a second (``--spawn-rate``).
WORKERS = 3
SPAWN_RATE = 2.0

SMTP_SINK = """
import sys, time, asyncio
from aiosmtpd.controller import Controller
class Sink:
    async def handle_DATA(self, server, session, envelope):
        with open(sys.argv[2], "a") as f:
            for to in envelope.rcpt_tos:
                f.write(to + "\\n")
        return "250 OK"
c = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
while True:
    time.sleep(1)
"""


class Cluster:
    """The processes of one run, started and stopped by name."""

    def __init__(self, folder: Path, database_url: str) -> None:
        self.folder = folder
        self.database_url = database_url
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        #: The worker-import fault's upload and what was seen of it.
        self.import_fault: dict[str, Any] | None = None
        self.receipts = folder / "receipts"
        self.receipts.mkdir()
        self.uploads = folder / "uploads"
        self.uploads.mkdir()
        self.mail_log = folder / "mail-received.txt"
        self.mail_log.touch()
        suffix = uuid.uuid4().hex[:8]
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "FLASK_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": database_url,
            "BASE_URL": f"http://127.0.0.1:{PORTS[0]}",
            "RATELIMIT_STORAGE_URI": f"{REDIS}/7",
            "JOBS_REDIS_URL": f"{REDIS}/8",
            "JOBS_QUEUE_NAME": f"vh_load_{suffix}",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(SMTP_PORT),
            "RECEIPT_FOLDER": str(self.receipts),
            "IMPORT_UPLOAD_FOLDER": str(self.uploads),
            # A killed worker's import is claimed again after a minute (30 by default), so the
            # fault run sees the retry.
            "IMPORT_STALE_MINUTES": "1",
            "REPORT_FILE_FOLDER": str(folder / "report-files"),
            "METRICS_TOKEN": secrets.token_urlsafe(24),
            "LOG_FORMAT": "json",
        }
        self.env.pop("VOLUNTEER_HUB_ENV", None)

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=check,
        )

    def start(self, name: str, command: list[str]) -> None:
        log = (self.folder / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def start_server(self, index: int) -> None:
        port = PORTS[index]
        self.start(
            f"web{index + 1}",
            [
                str(BIN / "gunicorn"),
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "5",
                "wsgi:app",
            ],
        )
        wait_for(f"http://127.0.0.1:{port}/healthz", 60)

    def start_worker(self) -> None:
        self.start("worker", [str(BIN / "flask"), "--app", "wsgi", "jobs", "worker"])

    def start_smtp(self) -> None:
        self.start("smtp", [sys.executable, "-c", SMTP_SINK, str(SMTP_PORT), str(self.mail_log)])
        time.sleep(1.5)

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name, signal.SIGINT if name == "worker" else signal.SIGTERM)


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {seconds} s")
        time.sleep(0.5)


def run_locust(
    cluster: Cluster,
    users: int,
    seconds: int,
    name: str,
    classes: list[str],
    *,
    steady: bool = False,
) -> Path:
    """Locust headless against both servers; returns the stats CSV prefix. ``steady``: people
    arrive ``SPAWN_RATE`` a second, and the figures count only the ``seconds`` after the last
    has arrived (Locust's ``--reset-stats``); otherwise they arrive all within 5 s and the
    figures count from the first request."""
    prefix = cluster.folder / name
    rate = SPAWN_RATE if steady else max(1, users // 5)
    ramp = math.ceil(users / rate) if steady else 0
    env = {
        **cluster.env,
        "LOAD_SERVERS": ",".join(f"http://127.0.0.1:{p}" for p in PORTS),
        "LOAD_ACKS": str(cluster.folder / "acks.jsonl"),
    }
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(rate),
            "--run-time",
            f"{seconds + ramp}s",
            *(["--reset-stats"] if steady else []),
            "--host",
            f"http://127.0.0.1:{PORTS[0]}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",
            "10",
            "--loglevel",
            "WARNING",
            *classes,
        ],
        cwd=ROOT,
        env=env,
        check=False,
        stdout=(cluster.folder / f"{name}.out").open("ab"),
        stderr=subprocess.STDOUT,
    )
    return prefix


# Faults: each is (inject, recover), called at about a third and a half of the run. ------------


def _pg(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", action], check=True
    )


def _redis_restart() -> None:
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False)
    time.sleep(3)
    config = "/etc/redis/redis.conf"
    command = ["redis-server", config] if Path(config).exists() else ["redis-server"]
    subprocess.run([*command, "--daemonize", "yes"], check=True)


def _receipts_broken(cluster: Cluster) -> None:
    aside = cluster.folder / "receipts-aside"
    cluster.receipts.rename(aside)
    # Running as root, permissions would not stop a write: a plain file where the folder was does.
    cluster.receipts.write_text("not a folder\n")


def _receipts_mended(cluster: Cluster) -> None:
    cluster.receipts.unlink()
    (cluster.folder / "receipts-aside").rename(cluster.receipts)


def _kill_worker_mid_import(cluster: Cluster) -> None:
    """Stage a large upload, then SIGKILL the worker once it is importing it (it picks it up
    within a minute), a few seconds in, so the import is part-way."""
    staged = cluster_check.stage_import(cluster, cluster.uploads)
    cluster.import_fault = staged
    upload_id = staged["upload_id"]
    staged["before_kill"] = cluster_check.wait_for_import(
        cluster, upload_id, ("checking", "importing", "done", "failed"), 150
    )
    time.sleep(3)
    staged["at_kill"] = cluster_check.import_state(cluster, upload_id)
    cluster.stop("worker", signal.SIGKILL)
    time.sleep(1)
    staged["after_kill"] = cluster_check.import_state(cluster, upload_id)


def fault_actions(
    kind: str, cluster: Cluster
) -> tuple[Callable[[], None], Callable[[], None], str]:
    if kind == "postgres":
        return (lambda: _pg("restart")), (lambda: None), "PostgreSQL restarted (fast shutdown)"
    if kind == "redis":
        return _redis_restart, (lambda: None), "Redis shut down (nosave) and started again"
    if kind == "app-server":
        return (
            (lambda: cluster.stop("web2", signal.SIGKILL)),
            (lambda: cluster.start_server(1)),
            "web2 killed with SIGKILL (every worker), started again 20 s later",
        )
    if kind == "smtp":
        return (
            (lambda: cluster.stop("smtp")),
            cluster.start_smtp,
            "SMTP sink stopped (connections refused), started again 20 s later",
        )
    if kind == "receipts":
        return (
            (lambda: _receipts_broken(cluster)),
            (lambda: _receipts_mended(cluster)),
            "receipt folder replaced by a plain file, put back 20 s later",
        )
    if kind == "worker-import":
        return (
            (lambda: _kill_worker_mid_import(cluster)),
            cluster.start_worker,
            f"a {cluster_check.IMPORT_ROWS:,}-row hours file uploaded; the worker killed "
            "(SIGKILL) 3 s into its import, started again 20 s later",
        )
    raise SystemExit(f"unknown fault {kind!r}")


def run_with_fault(cluster: Cluster, kind: str, users: int, seconds: int) -> dict[str, Any]:
    inject, recover, what = fault_actions(kind, cluster)
    import threading

    timeline: list[str] = []

    def fault() -> None:
        time.sleep(seconds / 3)
        timeline.append(f"{time.strftime('%H:%M:%S')} inject: {what}")
        inject()
        time.sleep(20)
        recover()
        timeline.append(f"{time.strftime('%H:%M:%S')} recovered")

    thread = threading.Thread(target=fault, daemon=True)
    thread.start()
    prefix = run_locust(cluster, users, seconds, "fault", MIX)
    thread.join()
    return {"fault": what, "timeline": timeline, "stats": cluster_check.read_stats(prefix)}


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("load", "fault", "up"))
    parser.add_argument("fault", nargs="?", default="")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--time", type=int, default=60, help="seconds of load")
    parser.add_argument("--ceiling-time", type=int, default=20)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the run's folder (logs)")
    parser.add_argument("--ports", default="8101,8102", help="the two app servers' ports")
    parser.add_argument("--smtp-port", type=int, default=8125)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers a server")
    parser.add_argument(
        "--burst",
        dest="steady",
        action="store_false",
        help="all people arrive within 5 s and are counted from the first request (the first "
        "runs' method); by default they arrive --spawn-rate a second and only the --time "
        "seconds after the last arrived are counted",
    )
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="people arriving a second")
    args = parser.parse_args()
    global PORTS, SMTP_PORT, WORKERS, SPAWN_RATE  # set once, before anything starts
    WORKERS, SPAWN_RATE = args.workers, args.spawn_rate
    first, second = (int(p) for p in args.ports.split(","))
    PORTS, SMTP_PORT = (first, second), args.smtp_port
    signal.signal(signal.SIGTERM, _interrupted)
    signal.signal(signal.SIGINT, _interrupted)
    folder = Path(tempfile.mkdtemp(prefix="vh-cluster-"))
    database = f"vh_load_{uuid.uuid4().hex[:8]}"
    cluster_check.create_database(POSTGRES, database)
    cluster = Cluster(folder, POSTGRES.rsplit("/", 1)[0] + "/" + database)
    result: dict[str, Any] = {
        "mode": args.mode,
        "fault": args.fault,
        "users": args.users,
        "workers": args.workers,
        "arrivals": f"{args.spawn_rate} a second, counted once all arrived"
        if args.steady
        else "within 5 s, counted from the first request",
    }
    with ExitStack() as stack:
        stack.callback(cluster_check.drop_database, POSTGRES, database)
        if not args.keep:
            stack.callback(shutil.rmtree, folder, True)
        stack.callback(cluster.stop_all)
        t0 = time.monotonic()
        cluster.flask("db", "upgrade")
        cluster.flask("demo", "seed")
        result["prepare_seconds"] = round(time.monotonic() - t0, 1)
        cluster.start_smtp()
        cluster.start_server(0)
        cluster.start_server(1)
        cluster.start_worker()
        if args.mode == "up":
            print(f"servers on {PORTS}, folder {folder}; Ctrl+C stops", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                return
        result["before"] = cluster_check.snapshot(cluster)
        if args.mode == "load":
            prefix = run_locust(cluster, args.users, args.time, "mix", MIX, steady=args.steady)
            result["stats"] = cluster_check.read_stats(prefix)
            ceiling = run_locust(cluster, args.users, args.ceiling_time, "ceiling", ["CeilingUser"])
            result["ceiling"] = cluster_check.read_stats(ceiling)
        else:
            result.update(run_with_fault(cluster, args.fault, args.users, args.time))
        result["drained"] = cluster_check.wait_for_outbox(cluster, 120)
        if cluster.import_fault is not None:
            upload_id = cluster.import_fault["upload_id"]
            cluster.import_fault["end"] = cluster_check.wait_for_import(
                cluster, upload_id, ("done", "failed"), 600
            )
            result["import_fault"] = cluster.import_fault
        result["after"] = cluster_check.snapshot(cluster)
        result["acknowledged"] = cluster_check.compare(cluster, folder / "acks.jsonl")
        result["errors_in_logs"] = cluster_check.tracebacks(folder)
        text = json.dumps(result, indent=1, default=str)
        print(text)
        if args.output:
            args.output.write_text(text)
        if args.keep:
            print(f"logs kept in {folder}")


if __name__ == "__main__":
    main()
