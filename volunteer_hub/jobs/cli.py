"""`flask jobs worker`, `flask jobs status` and `flask jobs run NAME`."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from pathlib import Path

import click
from flask.cli import AppGroup
from huey.consumer import Consumer

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import plural
from volunteer_hub.extensions import db
from volunteer_hub.jobs import backup, queries
from volunteer_hub.jobs.queue import JOBS, mark_stopped_runs, queue_of, run_recorded

jobs_group = AppGroup("jobs", help="Background jobs: the worker and its schedule.")


def _stop_when_parent_stops(parent: int) -> None:
    """``make run`` starts the worker beside the web server: when the server stops (the
    worker's parent is gone), stop the worker the way Ctrl+C would."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class _Consumer(Consumer):
    def _set_signal_handlers(self) -> None:
        super()._set_signal_handlers()
        click.echo("Jobs worker ready (Ctrl+C or SIGINT stops it after the running jobs).")


@jobs_group.command("worker")
@click.option("--workers", default=2, show_default=True, help="Jobs run at the same time.")
@click.option(
    "--no-periodic", is_flag=True, help="Run queued jobs only, not the periodic schedule."
)
@click.option(
    "--max-delay",
    default=1.0,
    show_default=True,
    help="Most seconds between looks at an empty queue (SQLite; Redis is told at once).",
)
@click.option(
    "--exit-with-parent",
    is_flag=True,
    help="Stop when the process that started this one stops (make run uses it).",
)
@click.option("--verbose", is_flag=True, help="Log every task Huey runs, not only failures.")
def worker(
    workers: int, no_periodic: bool, max_delay: float, exit_with_parent: bool, verbose: bool
) -> None:
    """Run queued jobs, and the periodic schedule, until stopped (Ctrl+C or SIGTERM)."""
    queue = queue_of()
    if queue.backend == "memory":
        raise click.ClickException(
            "this application's queue is in memory (a test without JOBS_SQLITE_PATH): "
            "no worker can reach it"
        )
    click.echo(
        f"Jobs worker on the {queue.backend} queue: {plural(workers, 'job')} at a time"
        + ("" if no_periodic else ", with the periodic schedule")
        + "."
    )
    for declared in JOBS.values():
        if declared.periodic and not no_periodic:
            click.echo(f"  {declared.name}: {declared.when}")
    with db.engine.begin() as connection:  # runs a worker killed here before left "running"
        mark_stopped_runs(connection, starting=True)
    if exit_with_parent:
        _stop_when_parent_stops(os.getppid())
    if not verbose:  # each job's outcome is logged (and recorded) by the job itself
        logging.getLogger("huey").setLevel(logging.WARNING)
    consumer = _Consumer(
        queue.huey,
        workers=max(1, workers),
        periodic=not no_periodic,
        max_delay=max(0.1, max_delay),
        worker_type="thread",
        # A worker killed mid-job leaves its job's lock behind: starting clears them (every job
        # is safe to run twice, so clearing one that a second worker holds costs nothing).
        extra_locks=",".join(f"job:{name}" for name in JOBS),
    )
    consumer.run()


@jobs_group.command("status")
def status() -> None:
    """Print the queue length and the last run of each periodic job."""
    queue = queue_of()
    click.echo(f"Queue ({queue.backend}): {plural(queue.length(), 'job')} waiting")
    click.echo(f"Scheduled for later (retries): {queue.huey.scheduled_count()}")
    for summary in queries.periodic_summaries():
        last = summary.last
        if last is None:
            click.echo(f"{summary.job.name}: never run ({summary.job.when})")
            continue
        finished = last.finished_at.isoformat(timespec="seconds") if last.finished_at else "-"
        line = (
            f"{summary.job.name}: last run {last.started_at.isoformat(timespec='seconds')}, "
            f"{last.status} (finished {finished})"
        )
        if last.counts:
            line += f" {last.counts}"
        if summary.failures:
            line += f"; {plural(summary.failures, 'failure')} in the last 7 days"
        click.echo(line)
        if last.error:
            click.echo(f"  error: {last.error}")


@jobs_group.command("run")
@click.argument("name")
def run_command(name: str) -> None:
    """Run one job now, here, recording its outcome like the worker does."""
    if name not in JOBS:
        raise click.BadParameter(f"choose one of {', '.join(sorted(JOBS))}", param_hint="NAME")
    counts = run_recorded(JOBS[name])
    click.echo(f"{name}: {json.dumps(counts, sort_keys=True)}")


backup_group = AppGroup("backup", help="Back up and restore the database and receipt files.")


@backup_group.command("create")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The archive to write (default: instance/backups/volunteer-hub-<time>.tar).",
)
def backup_create(output: Path | None) -> None:
    """Back up the database (SQLite online backup, or pg_dump) and the receipt files."""
    try:
        result = backup.create(output)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(
        f"Backup written to {result.path} ({result.dialect}, schema {result.revision or '-'}, "
        f"{plural(result.receipts, 'receipt file')})."
    )


@backup_group.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the database without asking.")
def backup_restore(archive: Path, yes: bool) -> None:
    """Replace the database with ARCHIVE's and add its receipt files."""
    try:
        manifest = backup.read_manifest(archive)
        if not yes:
            click.confirm(
                f"Replace this service's database with the backup of {manifest['created_at']}?",
                abort=True,
            )
        backup.restore(archive)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(
        f"Restored the backup of {manifest['created_at']} (schema {manifest['revision'] or '-'}, "
        f"{plural(manifest['receipts'], 'receipt file')})."
    )
