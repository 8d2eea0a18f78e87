"""The task queue: Huey, set up from the configuration, and the registry of jobs.

Domains declare their jobs in their own ``jobs.py`` with :func:`job`; ``create_app`` imports
those modules and :func:`init_app` registers every declared job with this application's Huey.
A job is a function of no arguments that runs inside an application context, commits its own
work through the domain's existing exactly-once service, and returns counts to record.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import Task, TaskWrapper
from huey.exceptions import TaskLockedException
from sqlalchemy import Connection, delete, event, insert, select, update
from sqlalchemy.orm import Session

from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.jobs.models import JobRun

__all__ = ["JOBS", "Job", "crontab", "enqueue", "enqueue_after_commit", "job", "queue_of"]

log = logging.getLogger(__name__)

#: Runs are kept this long on the admin page, then removed by the next run of the same job.
KEEP_RUNS_DAYS = 30

JobFunction = Callable[[], Mapping[str, int]]


@dataclass(frozen=True)
class Job:
    name: str
    function: JobFunction
    #: Plain words for people: "every minute", "daily at 02:30 UTC"; empty: on demand only.
    when: str = ""
    #: Huey's schedule (a ``crontab``), or None for a job that runs only when enqueued.
    schedule: Callable[..., bool] | None = None
    retries: int = 4
    #: Seconds before the first retry; each later retry waits ``retry_backoff`` times longer.
    retry_delay: int = 30
    retry_backoff: float = 2.0
    #: True: one run at a time across every worker (a second one finding it running skips).
    exclusive: bool = True

    @property
    def periodic(self) -> bool:
        return self.schedule is not None


#: Every declared job by name, in declaration order.
JOBS: dict[str, Job] = {}
#: Model classes whose new rows, once committed, enqueue a job: (class, job name).
_AFTER_COMMIT: list[tuple[type, str]] = []


def job(
    name: str, *, when: str = "", schedule: Callable[..., bool] | None = None, **options: Any
) -> Callable[[JobFunction], JobFunction]:
    """Declare ``function`` as the job ``name`` (idempotent: declaring it again replaces it)."""

    def decorator(function: JobFunction) -> JobFunction:
        JOBS[name] = Job(name=name, function=function, when=when, schedule=schedule, **options)
        return function

    return decorator


def enqueue_after_commit(model: type, job_name: str) -> None:
    """Enqueue ``job_name`` once after each commit that inserted a ``model`` row (e.g. mail
    written to the outbox is sent at once rather than at the next minute)."""
    if (model, job_name) not in _AFTER_COMMIT:
        _AFTER_COMMIT.append((model, job_name))


class JobQueue:
    """One application's Huey and the task wrapper of each job, made on first use: building
    the application opens no queue (SQLite's queue creates its tables when opened)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.backend = backend_of(app.config)
        self._lock = threading.Lock()
        self._huey: Huey | None = None
        self._tasks: dict[str, TaskWrapper] = {}

    @property
    def huey(self) -> Huey:
        with self._lock:
            if self._huey is None:
                self._huey = self._build()
            return self._huey

    @property
    def tasks(self) -> dict[str, TaskWrapper]:
        self.huey  # noqa: B018 - made with the queue
        return self._tasks

    def _build(self) -> Huey:
        huey = make_huey(self.app.config, self.backend)
        for declared in JOBS.values():
            options = {
                "retries": declared.retries,
                "retry_delay": declared.retry_delay,
                "retry_backoff": declared.retry_backoff,
                "name": declared.name,
                "context": True,
            }
            runner = _runner(self.app, declared.name, declared.retries)
            if declared.schedule is not None:
                task = huey.periodic_task(declared.schedule, **options)(runner)
            else:
                task = huey.task(**options)(runner)
            self._tasks[declared.name] = task
        return huey

    def enqueue(self, name: str) -> None:
        self.tasks[name]()

    def length(self) -> int:
        return int(self.huey.pending_count())


def backend_of(config: Mapping[str, Any]) -> str:
    """Redis when ``JOBS_REDIS_URL`` is set; otherwise SQLite in the instance folder (or
    ``JOBS_SQLITE_PATH``); a test that names neither gets a queue in memory that nothing
    consumes, so tests never write to the developer's queue."""
    if (config.get("JOBS_REDIS_URL") or "").strip():
        return "redis"
    if not (config.get("JOBS_SQLITE_PATH") or "").strip() and config.get("TESTING"):
        return "memory"
    return "sqlite"


def make_huey(config: Mapping[str, Any], backend: str) -> Huey:
    name = config.get("JOBS_QUEUE_NAME") or "volunteer_hub"
    if backend == "redis":
        return RedisHuey(name, url=config["JOBS_REDIS_URL"].strip(), utc=True, results=False)
    if backend == "memory":
        return MemoryHuey(name, utc=True, results=False)
    path = (config.get("JOBS_SQLITE_PATH") or "").strip()
    path = path or str(Path(config["INSTANCE_PATH"]) / "jobs.sqlite3")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=path, utc=True, results=False, timeout=10)


def init_app(app: Flask) -> None:
    app.extensions["jobs"] = JobQueue(app)


def queue_of(app: Flask | None = None) -> JobQueue:
    return (app or current_app).extensions["jobs"]


def enqueue(name: str) -> None:
    """Put the job ``name`` on this application's queue (a worker runs it soon)."""
    queue_of().enqueue(name)


# Running a job: one recorded run per attempt ------------------------------------------------


def _runner(app: Flask, name: str, retries: int) -> Callable[..., dict[str, int]]:
    """The function Huey runs for job ``name`` (registered with ``retries`` retries): the
    job's current declaration, in an app context, under its lock when it is exclusive."""

    def run(task: Task | None = None) -> dict[str, int]:
        declared = JOBS[name]
        attempt = 1 + retries - (task.retries if task is not None else retries)
        will_retry = task is not None and task.retries > 0
        with app.app_context():
            if not declared.exclusive:
                return run_recorded(declared, attempt=attempt, will_retry=will_retry)
            try:
                with queue_of(app).huey.lock_task(f"job:{name}"):
                    return run_recorded(declared, attempt=attempt, will_retry=will_retry)
            except TaskLockedException:
                log.info("Job %s is already running on another worker; skipped", name)
                return {}

    run.__name__ = f"job_{name}"
    return run


def run_recorded(declared: Job, *, attempt: int = 1, will_retry: bool = False) -> dict[str, int]:
    """Run ``declared`` now, in this application context, recording its outcome. A failure is
    recorded and raised again (so Huey retries it); the job's own transaction is rolled back."""
    run_id = _start(declared.name, attempt)
    try:
        counts = dict(declared.function())
    except Exception as error:
        db.session.rollback()
        _finish(
            run_id,
            declared.name,
            status="retrying" if will_retry else "failed",
            error="".join(traceback.format_exception_only(error)).strip()[:2000],
        )
        log.exception("Job %s failed (attempt %s)", declared.name, attempt)
        raise
    finally:
        db.session.remove()
    _finish(run_id, declared.name, status="succeeded", counts=counts)
    # A run that did nothing (the outbox every minute) is not worth a line in the log.
    log.log(
        logging.INFO if any(counts.values()) else logging.DEBUG,
        "Job %s done: %s",
        declared.name,
        counts,
    )
    return counts


def _start(name: str, attempt: int) -> int:
    with db.engine.begin() as connection:
        result = connection.execute(
            insert(JobRun).values(
                name=name,
                attempt=attempt,
                started_at=utcnow(),
                status="running",
                worker=this_worker(),
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]


def _finish(
    run_id: int,
    name: str,
    *,
    status: str,
    error: str | None = None,
    counts: Mapping[str, int] | None = None,
) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            update(JobRun)
            .where(JobRun.id == run_id)
            .values(
                status=status,
                finished_at=utcnow(),
                error=error,
                counts=json.dumps(dict(counts), sort_keys=True) if counts is not None else None,
            )
        )
        connection.execute(
            delete(JobRun).where(
                JobRun.name == name,
                JobRun.started_at < utcnow() - timedelta(days=KEEP_RUNS_DAYS),
            )
        )
        mark_stopped_runs(connection)


# Runs whose worker died ---------------------------------------------------------------------

#: The error recorded for a run whose process ended without finishing it.
STOPPED = (
    "The worker stopped before this run finished (it was killed or its machine restarted); "
    "the job runs again at its next turn."
)


def this_worker() -> str:
    """This process, as a run records it: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal sent: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it exists, as another user
    return False


def _stopped(worker: str | None, started_at: Any, *, cutoff: Any, starting: bool) -> bool:
    """Whether the run recorded by ``worker`` has no process any more. On this machine the
    process tells (a long import still running is left alone); a worker that is starting has
    nothing in flight, so a run under its own ``host:pid`` is an earlier process's (the pid
    reused after a restart). From another machine only the age tells."""
    where, _, pid = (worker or "").rpartition(":")
    if where == socket.gethostname() and pid.isdigit():
        return (starting and worker == this_worker()) or _process_gone(int(pid))
    return bool(started_at < cutoff)


def mark_stopped_runs(connection: Connection, *, starting: bool = False) -> int:
    """Record as failed (:data:`STOPPED`) every run still "running" whose process has gone: on
    this machine, a process that no longer exists; from another machine, a run that started
    more than ``JOBS_STALE_MINUTES`` ago. Called after every run and when a worker starts
    (``starting``); returns how many runs it marked."""
    minutes = max(1, int(current_app.config.get("JOBS_STALE_MINUTES") or 120))
    now = utcnow()
    cutoff = now - timedelta(minutes=minutes)
    running = connection.execute(
        select(JobRun.id, JobRun.worker, JobRun.started_at).where(JobRun.status == "running")
    ).all()
    gone = [
        row.id
        for row in running
        if _stopped(row.worker, row.started_at, cutoff=cutoff, starting=starting)
    ]
    if not gone:
        return 0
    marked = connection.execute(
        update(JobRun)
        .where(JobRun.id.in_(gone), JobRun.status == "running")
        .values(status="failed", finished_at=now, error=STOPPED)
    ).rowcount
    if marked:
        log.warning("Marked %s job run(s) as stopped: their worker had gone", marked)
    return int(marked or 0)


# Enqueueing after a commit ------------------------------------------------------------------

_PENDING = "jobs_after_commit"


@event.listens_for(Session, "before_flush")
def _note_new_rows(session: Session, _context: Any, _instances: Any) -> None:
    for model, job_name in _AFTER_COMMIT:
        if any(isinstance(instance, model) for instance in session.new):
            session.info.setdefault(_PENDING, set()).add(job_name)


@event.listens_for(Session, "after_commit")
def _enqueue_noted(session: Session) -> None:
    names = session.info.pop(_PENDING, None)
    if not names or not has_app_context() or "jobs" not in current_app.extensions:
        return
    for name in sorted(names):
        try:
            enqueue(name)
        except Exception:  # the periodic run picks the work up within a minute
            log.exception("Could not enqueue job %s after a commit", name)


@event.listens_for(Session, "after_rollback")
def _forget_noted(session: Session) -> None:
    session.info.pop(_PENDING, None)
