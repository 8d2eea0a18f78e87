"""The queue is real Huey on a SQLite file: jobs are enqueued, dequeued and executed by Huey
itself (the worker does the same in a loop; test_worker.py runs the real worker once)."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.accounts.conftest import Personas
from tests.accounts.test_authentication import GOOD_PASSWORD
from tests.helpers import post_form
from volunteer_hub.accounts.models import OutboxMessage, User
from volunteer_hub.accounts.outbox import queue_email
from volunteer_hub.extensions import db
from volunteer_hub.jobs.models import JobRun
from volunteer_hub.jobs.queue import (
    JOBS,
    STOPPED,
    Job,
    mark_stopped_runs,
    queue_of,
    run_recorded,
    this_worker,
)


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    return {"JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite3")}


def _run_queued(app: Flask) -> int:
    """Execute every queued task the way a worker does; how many ran."""
    huey = queue_of(app).huey
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


def _runs(name: str) -> list[JobRun]:
    db.session.expire_all()
    return list(db.session.scalars(select(JobRun).where(JobRun.name == name).order_by(JobRun.id)))


def test_the_queue_is_sqlite_in_the_configured_file(app: Flask, tmp_path: Path) -> None:
    queue = queue_of(app)
    assert queue.backend == "sqlite"
    assert sorted(queue.tasks) == sorted(JOBS)
    assert {"outbox", "reminders", "retention", "quarterly_reports"} <= set(JOBS)
    assert all(JOBS[name].periodic for name in ("outbox", "reminders", "retention"))


def test_a_web_request_that_writes_mail_enqueues_the_outbox_and_the_job_sends_it(
    app: Flask,
) -> None:
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
    assert queue_of(app).length() == 1
    assert _run_queued(app) == 1
    db.session.expire_all()
    message = db.session.scalar(select(OutboxMessage))
    assert message is not None and message.status == "sent"
    (run,) = _runs("outbox")
    assert run.status == "succeeded" and run.finished_at is not None and run.attempt == 1
    assert json.loads(run.counts or "{}") == {"sent": 1, "retrying": 0, "failed": 0}


def test_a_rolled_back_email_enqueues_nothing(app: Flask) -> None:
    queue_email(kind="reminder", to="a@example.org", subject="Hello", body="Hi")
    db.session.rollback()
    db.session.commit()
    assert queue_of(app).length() == 0


def test_a_commit_without_mail_enqueues_nothing(app: Flask, personas: Personas) -> None:
    assert queue_of(app).length() == 0


def test_running_the_outbox_job_twice_sends_each_email_once(app: Flask) -> None:
    queue_email(kind="reminder", to="a@example.org", subject="Hello", body="Hi")
    db.session.commit()
    queue = queue_of(app)
    queue.enqueue("outbox")  # a second copy, as if a periodic run came at the same moment
    assert _run_queued(app) == 2
    counts = [json.loads(run.counts or "{}")["sent"] for run in _runs("outbox")]
    assert sorted(counts) == [0, 1]


def test_a_failing_job_is_recorded_and_retried_with_back_off(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def broken() -> dict[str, int]:
        calls.append(1)
        raise RuntimeError("the mail server said no")

    monkeypatch.setitem(JOBS, "reminders", Job(name="reminders", function=broken))
    huey = queue_of(app).huey
    queue_of(app).enqueue("reminders")
    task = huey.dequeue()
    huey.execute(task)
    # Huey keeps the retry for later: 30 s first, then twice as long each time.
    assert huey.scheduled_count() == 1
    (retry,) = huey.scheduled()
    first_wait = (retry.eta - datetime.now(UTC).replace(tzinfo=None)).total_seconds()
    assert 25 < first_wait <= 30
    assert retry.retries == JOBS_RETRIES - 1 and retry.retry_delay == 60  # the next wait
    run = _runs("reminders")[-1]
    assert run.status == "retrying" and run.attempt == 1
    assert run.error == "RuntimeError: the mail server said no"
    huey.execute(retry, timestamp=retry.eta)  # as the worker does once it is due
    assert _runs("reminders")[-1].attempt == 2
    assert len(calls) == 2


JOBS_RETRIES = 4


def test_a_job_out_of_retries_is_recorded_as_failed(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> dict[str, int]:
        raise ValueError("bad data")

    monkeypatch.setitem(JOBS, "reminders", Job(name="reminders", function=broken))
    with pytest.raises(ValueError):
        run_recorded(JOBS["reminders"], attempt=5, will_retry=False)
    run = _runs("reminders")[-1]
    assert (run.status, run.attempt, run.error) == ("failed", 5, "ValueError: bad data")


def test_an_exclusive_job_already_running_elsewhere_is_skipped(app: Flask) -> None:
    huey = queue_of(app).huey
    with huey.lock_task("job:reminders"):
        queue_of(app).enqueue("reminders")
        _run_queued(app)
    assert _runs("reminders") == []
    queue_of(app).enqueue("reminders")
    _run_queued(app)
    assert [run.status for run in _runs("reminders")] == ["succeeded"]


def test_jobs_status_prints_the_queue_and_each_periodic_jobs_last_run(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert "reminders: 0" not in runner.invoke(args=["jobs", "status"]).output
    result = runner.invoke(args=["jobs", "run", "reminders"])
    assert result.exit_code == 0, result.output
    assert result.output == 'reminders: {"queued": 0}\n'
    queue_email(kind="reminder", to="a@example.org", subject="Hello", body="Hi")
    db.session.commit()
    output = runner.invoke(args=["jobs", "status"]).output
    assert "Queue (sqlite): 1 job waiting" in output
    assert "outbox: never run" in output
    assert "reminders: last run " in output and "succeeded" in output and '{"queued": 0}' in output


def test_jobs_run_refuses_an_unknown_job(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["jobs", "run", "nonsense"])
    assert result.exit_code != 0 and "choose one of" in result.output


def test_the_commands_for_cron_still_work(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["outbox", "send"]).output.startswith("Sent 0")
    assert runner.invoke(args=["reminders", "send"]).output == "reminders queued: 0\n"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("centre", 403), ("coordinator_a", 403), ("volunteer", 403)],
)
def test_only_administrators_see_the_jobs_page(
    app: Flask,
    personas: Personas,
    login: Callable[[User], FlaskClient],
    persona: str,
    status: int,
) -> None:
    assert login(personas.get(persona)).get("/admin/jobs").status_code == status


def test_the_jobs_page_shows_last_runs_and_failures(
    app: Flask, personas: Personas, login: Callable[[User], FlaskClient]
) -> None:
    admin = login(personas.admin)
    run_recorded(JOBS["reminders"])

    def broken() -> dict[str, int]:
        raise RuntimeError("Redis went away")

    with pytest.raises(RuntimeError):
        run_recorded(Job(name="retention", function=broken))
    page = admin.get("/admin/jobs").get_data(as_text=True)
    assert "Succeeded" in page and "queued " in page
    assert "RuntimeError: Redis went away" in page
    assert "Never run" in page  # the outbox and quarterly reports have not run
    assert "Jobs waiting in the queue (sqlite): 1." in page  # the reminders’ emails


def test_an_anonymous_visitor_is_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/admin/jobs")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_with_a_redis_url_the_queue_is_in_redis(app: Flask) -> None:
    """Redis mode (127.0.0.1:6379, as CI starts it): the same jobs, on a queue every worker on
    every machine shares."""
    import uuid

    import redis

    from tests.conftest import TEST_SECRET_KEY, base_config
    from volunteer_hub import create_app

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    name = f"vh-test-{uuid.uuid4().hex[:8]}"
    other = create_app(
        {
            **base_config(app.config["SQLALCHEMY_DATABASE_URI"]),
            "SECRET_KEY": TEST_SECRET_KEY,
            "JOBS_REDIS_URL": url,
            "JOBS_QUEUE_NAME": name,
        }
    )
    queue = queue_of(other)
    try:
        assert queue.backend == "redis"
        queue.enqueue("reminders")
        assert queue.length() == 1
        with other.app_context():
            assert _run_queued(other) == 1
            assert [run.status for run in _runs("reminders")] == ["succeeded"]
            db.session.remove()
        assert queue.length() == 0
    finally:
        queue.huey.storage.flush_all()


def test_redis_url_is_read_from_either_variable() -> None:
    from volunteer_hub.config import load_config

    assert load_config(environ={"REDIS_URL": "redis://r:6379/0"})["JOBS_REDIS_URL"] == (
        "redis://r:6379/0"
    )
    both = {"REDIS_URL": "redis://r:6379/0", "JOBS_REDIS_URL": "redis://j:6379/2"}
    assert load_config(environ=both)["JOBS_REDIS_URL"] == "redis://j:6379/2"


def _dead_pid() -> int:
    """The pid of a process of this machine that has ended (a real one, waited for)."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_runs_whose_worker_died_are_marked_stopped(app: Flask) -> None:
    """A killed worker's run stayed "running" on the admin page for ever (seen in the
    worker-import fault run): a dead process on this machine is seen at once, a run from any
    machine once it is older than JOBS_STALE_MINUTES; live and finished runs are left alone."""
    host, now = socket.gethostname(), datetime.now(UTC)
    rows = {
        "dead here": JobRun(name="outbox", worker=f"{host}:{_dead_pid()}", started_at=now),
        "alive here": JobRun(name="outbox", worker=this_worker(), started_at=now),
        "alive here, long": JobRun(
            name="retention", worker=this_worker(), started_at=now - timedelta(hours=5)
        ),
        "elsewhere, old": JobRun(
            name="retention", worker="other-host:7", started_at=now - timedelta(minutes=121)
        ),
        "elsewhere, recent": JobRun(
            name="retention", worker="other-host:7", started_at=now - timedelta(minutes=119)
        ),
        "before workers were named, old": JobRun(
            name="reminders", started_at=now - timedelta(hours=3)
        ),
        "done": JobRun(
            name="outbox", worker=f"{host}:{_dead_pid()}", started_at=now, status="succeeded"
        ),
    }
    db.session.add_all(rows.values())
    db.session.commit()
    with db.engine.begin() as connection:
        assert mark_stopped_runs(connection) == 3
    db.session.expire_all()
    status = {label: (run.status, run.error) for label, run in rows.items()}
    assert status == {
        "dead here": ("failed", STOPPED),
        "alive here": ("running", None),
        "alive here, long": ("running", None),  # a long run still working
        "elsewhere, old": ("failed", STOPPED),
        "elsewhere, recent": ("running", None),
        "before workers were named, old": ("failed", STOPPED),
        "done": ("succeeded", None),
    }
    assert all(rows[label].finished_at for label in ("dead here", "elsewhere, old"))
    with db.engine.begin() as connection:
        assert mark_stopped_runs(connection) == 0  # once
    # A worker starting has nothing in flight: a run under its own host:pid is an earlier
    # process's, the pid reused after a restart.
    with db.engine.begin() as connection:
        assert mark_stopped_runs(connection, starting=True) == 2
    db.session.expire_all()
    assert rows["alive here"].status == rows["alive here, long"].status == "failed"


def test_a_finished_run_names_its_worker_and_marks_the_dead(app: Flask) -> None:
    host = socket.gethostname()
    dead = JobRun(name="reminders", worker=f"{host}:{_dead_pid()}", started_at=datetime.now(UTC))
    db.session.add(dead)
    db.session.commit()
    dead_id = dead.id
    run_recorded(JOBS["outbox"])
    [run] = _runs("outbox")
    assert run.status == "succeeded" and run.worker == this_worker()
    db.session.expire_all()
    assert db.session.get(JobRun, dead_id).status == "failed"
