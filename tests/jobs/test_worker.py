"""The real thing, once: the systemd units' command lines from docs/deployment.md, run here.
The worker (its own process, on a SQLite queue file) sends an email that a web request queued,
with no command typed; the web server answers its health check."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from tests.accounts.test_authentication import GOOD_PASSWORD
from tests.conftest import TEST_SECRET_KEY
from tests.helpers import post_form
from volunteer_hub.accounts.models import OutboxMessage
from volunteer_hub.config import ROOT
from volunteer_hub.extensions import db
from volunteer_hub.jobs.models import JobRun
from volunteer_hub.jobs.queue import STOPPED, queue_of

DOCS = ROOT / "docs" / "deployment.md"
#: Where the units in the docs expect the virtual environment.
DOCS_BIN = "/srv/volunteer-hub/.venv/bin/"


def exec_start(unit: str) -> list[str]:
    """The ExecStart command line of the unit file ``unit`` shown in docs/deployment.md, with
    this machine's virtual environment in place of the documented one."""
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(rf"# /etc/systemd/system/{re.escape(unit)}\n(.*?)```", text, re.S)
    assert block, f"no unit {unit} in {DOCS}"
    (line,) = re.findall(r"^ExecStart=(.+)$", block.group(1), re.M)
    return line.replace(DOCS_BIN, str(Path(sys.executable).parent) + "/").split()


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    return {"JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite3")}


def _environment(app: Flask, tmp_path: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "VOLUNTEER_HUB"))},
        "PYTHONPATH": str(ROOT),
        "VOLUNTEER_HUB_ENV": "testing",
        "SECRET_KEY": TEST_SECRET_KEY,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "JOBS_SQLITE_PATH": app.config["JOBS_SQLITE_PATH"],
        "MAIL_SERVER": "",
        "RECEIPT_FOLDER": str(tmp_path / "receipts"),
    }


def _start_worker(app: Flask, tmp_path: Path, name: str) -> tuple[subprocess.Popen[bytes], Path]:
    """The worker unit's command line, run here, its output in ``<name>.log``."""
    log = tmp_path / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            exec_start("volunteer-hub-worker.service"),
            cwd=ROOT,
            env=_environment(app, tmp_path),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return process, log


@pytest.fixture
def worker(app: Flask, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    process, log = _start_worker(app, tmp_path, "worker")
    yield process, log
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_the_worker_sends_an_email_queued_by_a_web_request_with_no_command_typed(
    app: Flask, worker: tuple[subprocess.Popen[bytes], Path]
) -> None:
    process, log = worker
    assert _wait_for(lambda: b"Jobs worker ready" in log.read_bytes(), 30), log.read_text()
    response = post_form(
        app.test_client(),
        "/register",
        {
            "name": "New Comer",
            "email": "new@example.org",
            "password": GOOD_PASSWORD,
            "privacy": "y",
        },
    )
    assert response.status_code == 302

    def sent() -> bool:
        db.session.expire_all()
        message = db.session.scalar(select(OutboxMessage))
        db.session.rollback()
        return message is not None and message.status == "sent"

    # Enqueued at once by the commit: sent well before the next minute's periodic run.
    started = time.monotonic()
    assert _wait_for(sent, 20), log.read_text()
    assert time.monotonic() - started < 20
    assert process.poll() is None
    assert "Jobs worker on the sqlite queue" in log.read_text()
    assert "--- email to new@example.org: Confirm your email address" in log.read_text()
    assert queue_of(app).length() == 0


def test_the_worker_stops_cleanly_on_sigterm(
    app: Flask, worker: tuple[subprocess.Popen[bytes], Path]
) -> None:
    process, log = worker
    assert _wait_for(lambda: b"Jobs worker ready" in log.read_bytes(), 30)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0, log.read_text()


def test_a_run_left_by_a_killed_worker_is_marked_stopped_when_a_worker_starts(
    app: Flask, tmp_path: Path
) -> None:
    """The worker-import fault run found the killed worker's run "running" for ever."""

    def start(name: str) -> tuple[subprocess.Popen[bytes], Path]:
        process, log = _start_worker(app, tmp_path, name)
        assert _wait_for(lambda: b"Jobs worker ready" in log.read_bytes(), 30), log.read_text()
        return process, log

    first, _log = start("first")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    # What the killed worker was doing: a run it had started, as _start records it.
    left = JobRun(
        name="report_files",
        worker=f"{socket.gethostname()}:{first.pid}",
        started_at=datetime.now(UTC),
    )
    db.session.add(left)
    db.session.commit()
    left_id = left.id
    second, log = start("second")
    try:
        db.session.expire_all()
        run = db.session.get(JobRun, left_id)
        assert run is not None and run.status == "failed" and run.error == STOPPED, log.read_text()
        assert run.finished_at is not None
    finally:
        second.send_signal(signal.SIGINT)
        second.wait(timeout=15)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_web_units_command_line_serves_the_app(app: Flask, tmp_path: Path) -> None:
    port = _free_port()
    command = [
        part.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        for part in exec_start("volunteer-hub-web.service")
    ]
    log = tmp_path / "web.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=_environment(app, tmp_path), stdout=output, stderr=output
        )
    try:

        def healthy() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        assert _wait_for(healthy, 30), log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_make_runs_worker_stops_when_the_server_beside_it_stops(app: Flask, tmp_path: Path) -> None:
    """`make run` starts `jobs worker --exit-with-parent` from the shell that runs the server:
    when that shell ends, the worker ends too."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(FLASK) jobs worker --exit-with-parent &" in makefile
    flask = str(Path(sys.executable).parent / "flask")
    log = tmp_path / "worker.log"
    shell = subprocess.run(  # the shell starts the worker, says its pid, waits a little, ends
        [
            "sh",
            "-c",
            f'{flask} --app wsgi jobs worker --exit-with-parent >"{log}" 2>&1 & '
            'echo $!; i=0; while [ $i -lt 150 ] && ! grep -q "worker ready" "' + str(log) + '"; '
            "do sleep 0.2; i=$((i+1)); done",
        ],
        cwd=ROOT,
        env=_environment(app, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    pid = int(shell.stdout.strip())
    assert "Jobs worker ready" in log.read_text()

    def gone() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        # A zombie (exited, not yet reaped by init) counts as gone.
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"

    try:
        assert _wait_for(gone, 15), log.read_text()
    finally:
        if not gone():
            os.kill(pid, signal.SIGKILL)
