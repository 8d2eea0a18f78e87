"""Matching's background job: the weekly digest of new roles that match, on Monday mornings."""

from __future__ import annotations

from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.jobs.queue import crontab, job
from volunteer_hub.matching.digest import send_digests


@job(
    "matching_digest",
    when="weekly, Mondays at 07:15 UTC (new roles that match each consenting volunteer)",
    schedule=crontab(day_of_week="1", hour="7", minute="15"),
)
def send_matching_digest() -> dict[str, int]:
    """Queue this week's digests; each volunteer gets at most one a week."""
    counts = send_digests(utcnow())
    db.session.commit()
    return counts
