"""Quarterly partner reports as a background job, daily: the same run as
``flask report send-quarterly`` (each quarter goes to each subscriber once, whoever runs it)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from volunteer_hub.extensions import db
from volunteer_hub.jobs.queue import crontab, job
from volunteer_hub.reports.subscriptions import send_closed_quarter


@job("quarterly_reports", when="daily at 07:00 UTC", schedule=crontab(minute="0", hour="7"))
def send_quarterly_reports() -> dict[str, int]:
    queued = send_closed_quarter(datetime.now(ZoneInfo("Europe/London")).date())
    db.session.commit()
    return {"queued": queued}
