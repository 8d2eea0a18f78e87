"""The administrators' page of background jobs: /admin/jobs."""

from __future__ import annotations

import json

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from volunteer_hub.accounts.permissions import role_required
from volunteer_hub.jobs import queries
from volunteer_hub.jobs.queue import queue_of

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")


def _counts(raw: str | None) -> str:
    """``{"sent": 3, "failed": 0}`` as people read it: "sent 3, failed 0"."""
    if not raw:
        return ""
    return ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in json.loads(raw).items())


@bp.get("")
@role_required("admin")
def index() -> ResponseReturnValue:
    queue = queue_of()
    try:
        waiting: int | None = queue.length()
    except Exception:  # the queue's store (Redis) is down: the page still shows the runs
        waiting = None
    return render_template(
        "jobs/index.html",
        summaries=queries.summaries(),
        failures=queries.recent_failures(),
        window=queries.FAILURE_WINDOW_DAYS,
        backend=queue.backend,
        waiting=waiting,
        describe_counts=_counts,
    )
