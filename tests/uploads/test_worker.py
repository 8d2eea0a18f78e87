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


def test_a_worker_killed_mid_import_imports_nothing_and_the_import_is_claimed_again(
    app, personas, login, tmp_path
) -> None:
    """The fault run's scenario, small: a real worker process is killed (SIGKILL) while it
    imports an uploaded file. Nothing of the file is in the hub, the upload stays "checking"
    or "importing" until it is stale, then the next run claims it again and imports it whole."""
    from datetime import date, timedelta

    from sqlalchemy import update

    from tests.uploads.test_uploads import hours_csv, upload
    from volunteer_hub.core.models import utcnow
    from volunteer_hub.uploads.jobs import import_one

    first = date(2020, 1, 1)
    rows = [
        f"k{n},volunteer@example.test,,Organisation A,,,{first + timedelta(days=n % 2000)},0.25,no"
        for n in range(20_000)
    ]
    client = login(personas.coordinator_a)
    environment = {
        **_environment(app, tmp_path),
        "IMPORT_UPLOAD_FOLDER": app.config["IMPORT_UPLOAD_FOLDER"],
    }
    log = tmp_path / "killed-worker.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            exec_start("volunteer-hub-worker.service"),
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        assert _wait_for(lambda: b"Jobs worker ready" in log.read_bytes(), 30), log.read_text()
        response = upload(client, "hours", personas.org_a.id, hours_csv(*rows))
        upload_id = int(response.headers["Location"].rsplit("/", 1)[1])

        def status() -> str:
            db.session.rollback()
            return str(db.session.scalar(select(Upload.status).where(Upload.id == upload_id)))

        assert _wait_for(lambda: status() in ("checking", "importing"), 30), log.read_text()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    left = status()
    assert left in ("checking", "importing")  # not "done": the import never committed
    assert db.session.scalar(select(func.count(HourRecord.id))) == 0
    # Not stale yet: nobody claims it.
    assert import_one(upload_id) is None
    db.session.execute(update(Upload).values(started_at=utcnow() - timedelta(minutes=31)))
    db.session.commit()
    assert import_one(upload_id) == "imported"
    db.session.rollback()
    done = db.session.get(Upload, upload_id)
    assert done is not None and done.status == "done" and done.imported == 20_000
    assert done.attempts == 2
    assert db.session.scalar(select(func.count(HourRecord.id))) == 20_000
    assert list(Path(app.config["IMPORT_UPLOAD_FOLDER"]).iterdir()) == []
