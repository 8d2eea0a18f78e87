"""The retention schedule as a background job, daily: the same purge as
``flask retention purge`` (safe to re-run: what is purged is gone, so a second run finds none)."""

from __future__ import annotations

from datetime import date

from volunteer_hub.extensions import db
from volunteer_hub.jobs.queue import crontab, job
from volunteer_hub.privacy import retention


@job("retention", when="daily at 02:30 UTC", schedule=crontab(minute="30", hour="2"))
def purge_retention() -> dict[str, int]:
    counts = retention.purge(date.today(), dry_run=False)
    db.session.commit()
    return dict(counts)
