"""Read-side: the last run and recent failures of each job, for the admin page, ``flask jobs
status`` and the metrics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.jobs.models import JobRun
from volunteer_hub.jobs.queue import JOBS, Job

#: Failures are counted over this many days on the admin page and in ``flask jobs status``.
FAILURE_WINDOW_DAYS = 7
FAILED = ("failed", "retrying")


@dataclass(frozen=True)
class JobSummary:
    job: Job
    last: JobRun | None
    last_success: JobRun | None
    #: Failed attempts (retried or not) in the last :data:`FAILURE_WINDOW_DAYS` days.
    failures: int
    last_failure: JobRun | None


def _latest(name: str, *statuses: str) -> JobRun | None:
    statement = select(JobRun).where(JobRun.name == name)
    if statuses:
        statement = statement.where(JobRun.status.in_(statuses))
    return db.session.scalars(
        statement.order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(1)
    ).first()


def summaries(*, periodic_only: bool = False) -> list[JobSummary]:
    since = utcnow() - timedelta(days=FAILURE_WINDOW_DAYS)
    failures = dict(
        db.session.execute(
            select(JobRun.name, func.count(JobRun.id))
            .where(JobRun.status.in_(FAILED), JobRun.started_at >= since)
            .group_by(JobRun.name)
        ).all()
    )
    return [
        JobSummary(
            job=declared,
            last=_latest(declared.name),
            last_success=_latest(declared.name, "succeeded"),
            failures=int(failures.get(declared.name, 0)),
            last_failure=_latest(declared.name, *FAILED),
        )
        for declared in JOBS.values()
        if declared.periodic or not periodic_only
    ]


def periodic_summaries() -> list[JobSummary]:
    return summaries(periodic_only=True)


def recent_failures(limit: int = 20) -> list[JobRun]:
    return list(
        db.session.scalars(
            select(JobRun)
            .where(JobRun.status.in_(FAILED))
            .order_by(JobRun.started_at.desc(), JobRun.id.desc())
            .limit(limit)
        )
    )


def failure_totals() -> dict[str, int]:
    """Failed attempts of each job over the runs kept (for the metrics)."""
    return {
        name: int(count)
        for name, count in db.session.execute(
            select(JobRun.name, func.count(JobRun.id))
            .where(JobRun.status.in_(FAILED))
            .group_by(JobRun.name)
        ).all()
    }
