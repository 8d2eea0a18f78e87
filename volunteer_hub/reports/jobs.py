"""Reports' background jobs: quarterly partner reports, daily (the same run as ``flask report
send-quarterly``: each quarter goes to each subscriber once, whoever runs it); the PDFs people
ask for on the web, every minute and at once after each is asked for; and removing those files
after ``REPORT_FILE_HOURS``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.jobs.queue import crontab, enqueue_after_commit, job
from volunteer_hub.reports import files
from volunteer_hub.reports.models import ReportFile
from volunteer_hub.reports.subscriptions import send_closed_quarter


@job("quarterly_reports", when="daily at 07:00 UTC", schedule=crontab(minute="0", hour="7"))
def send_quarterly_reports() -> dict[str, int]:
    queued = send_closed_quarter(datetime.now(ZoneInfo("Europe/London")).date())
    db.session.commit()
    return {"queued": queued}


# PDFs asked for on the web (reports/files.py) --------------------------------------------------


# Not exclusive: each file is claimed (compare-and-set) before it is built, so two workers build
# different files at once and never the same one twice.
@job(
    "report_files",
    when="every minute, and at once after a PDF is asked for",
    schedule=crontab(),
    exclusive=False,
    retries=2,
)
def build_report_files() -> dict[str, int]:
    counts = {"built": 0, "refused": 0}
    for file_id in files.claimable_ids(utcnow()):
        outcome = build_one(file_id)
        if outcome:
            counts[outcome] += 1
    return counts


def build_one(file_id: int) -> str | None:
    """Claim the file and build it: "built", "refused", or None when another run has it. A
    file that fails is marked failed (the person is told; asking again queues it again) once
    it is out of attempts, and the error raised so the run is recorded as failed."""
    report_file = files.claim(file_id, utcnow())
    db.session.commit()
    if report_file is None:
        return None
    try:
        outcome, message, stored = files.build(report_file)
    except Exception:
        db.session.rollback()
        if report_file.attempts >= files.MAX_ATTEMPTS:
            files.finish(file_id, "failed", files.NOT_BUILT)
        else:  # queued again for the next run
            files.finish(file_id, "queued", None)
        db.session.commit()
        raise
    db.session.rollback()  # the build only reads; nothing of it is kept but the file
    files.finish(file_id, outcome, message, stored)
    db.session.commit()
    return "built" if outcome == "ready" else "refused"


@job("report_files_cleanup", when="hourly, at 20 past", schedule=crontab(minute="20"))
def remove_old_report_files() -> dict[str, int]:
    removed = files.remove_old(utcnow())
    db.session.commit()
    return {"removed": removed}


enqueue_after_commit(ReportFile, "report_files")
