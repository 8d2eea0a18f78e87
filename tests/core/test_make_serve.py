"""`make serve` (the last step of `make run`) as a newcomer runs it: the web server and the
email worker together, on the port asked for; registering prints the email with a link to that
port, the link opens on that server, and stopping make stops both."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, build_opener

import pytest
from cryptography.fernet import Fernet

from tests.accounts.test_authentication import GOOD_PASSWORD
from tests.conftest import TEST_SECRET_KEY, base_config
from volunteer_hub import create_app
from volunteer_hub.config import ROOT
from volunteer_hub.extensions import db

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(predicate, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_make_serve_prints_email_links_on_the_port_asked_for(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'first-run.db'}"
    app = create_app(base_config(database))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    port = _free_port()
    output = tmp_path / "make.log"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DATABASE_URL": database,
        # Given, so nothing is written into the checkout's instance/ folder.
        "SECRET_KEY": TEST_SECRET_KEY,
        "BANK_DETAILS_KEYS": Fernet.generate_key().decode(),
        "PYTHONUNBUFFERED": "1",
    }
    with output.open("wb") as log:
        make = subprocess.Popen(
            [
                "make",
                "--no-print-directory",
                "serve",
                f"BIN={Path(sys.executable).parent}",
                "HOST=127.0.0.1",
                f"PORT={port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    browser = build_opener(HTTPCookieProcessor())

    def up() -> bool:
        try:
            return browser.open(base + "/healthz", timeout=2).status == 200
        except (URLError, OSError):
            return False

    try:
        _wait_for(up, f"the server on port {port}\n{output.read_text()}")
        page = browser.open(base + "/register", timeout=10).read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token, page[:500]
        form = {
            "csrf_token": token.group(1),
            "name": "First Runner",
            "email": "first.runner@example.org",
            "password": GOOD_PASSWORD,
            "privacy": "y",
        }
        browser.open(base + "/register", data=urlencode(form).encode(), timeout=10)
        pattern = re.compile(rf"Link: (http://127\.0\.0\.1:{port}/verify-email/\S+)")
        _wait_for(
            lambda: pattern.search(output.read_text()) is not None,
            f"the worker to print the email\n{output.read_text()}",
        )
        link = pattern.search(output.read_text())
        assert link is not None
        confirm = browser.open(link.group(1), timeout=10).read().decode()
        assert "Confirm my email address" in confirm
    finally:
        os.killpg(make.pid, signal.SIGINT)  # Ctrl+C in the terminal
        try:
            make.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(make.pid, signal.SIGKILL)
            raise
    # Nothing is left running: the worker stopped with the server.
    _wait_for(lambda: not _group_alive(make.pid), "the worker to stop", timeout=10)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
