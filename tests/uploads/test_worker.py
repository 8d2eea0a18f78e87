"""The real thing: a worker process (the systemd unit's command line from docs/deployment.md,
on a SQLite queue file) imports a file uploaded through the web with no command typed."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.jobs.test_worker import _environment, _wait_for, exec_start
from tests.uploads.test_uploads import GOOD_HOURS, upload
from volunteer_hub.config import ROOT
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.uploads.models import Upload


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    return {
        "JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite3"),
        "IMPORT_UPLOAD_FOLDER": str(tmp_path / "uploads"),
    }


@pytest.fixture
def worker(app: Flask, tmp_path: Path) -> Iterator[Path]:
    log = tmp_path / "worker.log"
    environment = {
        **_environment(app, tmp_path),
        "IMPORT_UPLOAD_FOLDER": app.config["IMPORT_UPLOAD_FOLDER"],
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            exec_start("volunteer-hub-worker.service"),
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    yield log
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_worker_imports_an_uploaded_file_once(app, personas, login, worker) -> None:
    assert _wait_for(lambda: b"Jobs worker ready" in worker.read_bytes(), 30), worker.read_text()
    client = login(personas.coordinator_a)
    response = upload(client, "hours", personas.org_a.id, GOOD_HOURS)
    assert response.status_code == 302
    upload_id = int(response.headers["Location"].rsplit("/", 1)[1])

    def done() -> bool:
        db.session.expire_all()
        status = db.session.scalar(select(Upload.status).where(Upload.id == upload_id))
        db.session.rollback()
        return status == "done"

    # Enqueued by the upload's commit: imported well before the next minute's periodic run.
    assert _wait_for(done, 30), worker.read_text()
    assert db.session.scalar(select(func.count(HourRecord.id))) == 2
    assert list(Path(app.config["IMPORT_UPLOAD_FOLDER"]).iterdir()) == []
    db.session.rollback()
