"""The record of each job run, read by the admin page, ``flask jobs status`` and the metrics."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from volunteer_hub.core.models import UTCDateTime, utcnow
from volunteer_hub.extensions import Model

#: A run's status: running, succeeded, retrying (failed, another attempt is queued) or failed
#: (failed and out of attempts).
STATUSES = ("running", "succeeded", "retrying", "failed")


class JobRun(Model):
    __tablename__ = "jobs_run"
    __table_args__ = (
        CheckConstraint(
            "status IN ('running', 'succeeded', 'retrying', 'failed')", name="status_valid"
        ),
        Index("ix_jobs_run_name_started_at", "name", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The job's registered name, e.g. ``outbox``.
    name: Mapped[str] = mapped_column(String(60))
    #: 1 for the first attempt of a task, 2 for its first retry, and so on.
    attempt: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default="running")
    #: The exception, one line (the worker's log has the traceback).
    error: Mapped[str | None] = mapped_column(Text)
    #: What the run did, as JSON, e.g. ``{"sent": 3, "retrying": 0, "failed": 0}``.
    counts: Mapped[str | None] = mapped_column(Text)
    #: The process that ran it, ``host:pid`` (a run whose process has gone is marked stopped).
    worker: Mapped[str | None] = mapped_column(String(120))
