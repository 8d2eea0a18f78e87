"""PDF reports asked for on the web, built by the background job into files for the person who
asked (issue 19: a value report PDF took over 30 s on a loaded machine, past gunicorn's timeout).

The web request only checks the choice and the person's permission, then asks for a file
(:func:`ask`: one per person, format, choice and data, however often it is asked for); the job
claims each waiting file (compare-and-set), builds it as that person through the download's own
path (the same choice, the same disclosure audit: a report that may not be published is refused
and the person told why), writes it under a random name in the report folder, and the page
offers the download. Functions here flush and never commit (the view or the job commits).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app, g, url_for
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import has_any_role
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.hours.queries import approved_mark
from volunteer_hub.reports.cache import data_version
from volunteer_hub.reports.models import ReportFile

log = logging.getLogger(__name__)

FORMATS = ("pdf", "quarterly.pdf")
#: A file left "building" this long by a worker that died is claimed again.
STALE_MINUTES = 15
#: Attempts (claims) before a file that keeps failing is given up.
MAX_ATTEMPTS = 3
#: The roles that may download reports (the download route's own).
REPORT_ROLES = ("admin", "centre_coordinator", "partner", "org_coordinator")
NOT_BUILT = (
    "The report could not be made. Ask for it again; if it happens again, ask an administrator "
    "to look at the background jobs page."
)
NO_LONGER = "You may no longer see this report, so it was not made."


def folder() -> Path:
    """``REPORT_FILE_FOLDER``, else ``instance/report-files`` (never under ``static``); every
    app server and worker must share it."""
    configured = (current_app.config.get("REPORT_FILE_FOLDER") or "").strip()
    path = Path(configured or Path(current_app.config["INSTANCE_PATH"]) / "report-files")
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_hours() -> int:
    return int(current_app.config.get("REPORT_FILE_HOURS", 24))


def request_key(user_id: int, fmt: str, query: Mapping[str, str]) -> str:
    """The same person, format and choice on the same day with the report's data unchanged:
    the reports' data version (``reports.cache``: approved hours, rates, investment, claims,
    organisations and roles, the time bank, equality answers) when there is one, else the
    approved hours' mark."""
    parts = [str(user_id), fmt, json.dumps(dict(query), sort_keys=True)]
    parts += [date.today().isoformat(), data_version() or approved_mark()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def ask(
    user: User,
    fmt: str,
    query: Mapping[str, str],
    *,
    label: str,
    filename: str,
    period: tuple[date, date],
) -> ReportFile:
    """The file for this request: the one already asked for (waiting, built or refused), a
    failed one queued again, or a new one. Safe when asked twice at once (the unique key)."""
    key = request_key(user.id, fmt, query)
    found = by_key(key)
    if found is None:
        new = ReportFile(
            token=secrets.token_urlsafe(24),
            request_key=key,
            user_id=user.id,
            fmt=fmt,
            query=json.dumps(dict(query), sort_keys=True),
            label=label[:300],
            filename=filename[:200],
            period_start=period[0],
            period_end=period[1],
            status="queued",
        )
        try:
            with db.session.begin_nested():
                db.session.add(new)
        except IntegrityError:  # asked at the same moment by another request: that one's
            found = by_key(key)
            assert found is not None
        else:
            return new
    if found.status == "failed":
        db.session.execute(
            update(ReportFile)
            .where(ReportFile.id == found.id, ReportFile.status == "failed")
            .values(status="queued", message=None, attempts=0)
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(found)
    return found


def by_key(key: str) -> ReportFile | None:
    return db.session.scalar(select(ReportFile).where(ReportFile.request_key == key))


def owned(token: str, user: Any) -> ReportFile | None:
    """The file behind ``token`` when ``user`` asked for it; None for anyone else."""
    found = db.session.scalar(select(ReportFile).where(ReportFile.token == token))
    if found is None or getattr(user, "id", None) != found.user_id:
        return None
    return found


def path_of(report_file: ReportFile) -> Path | None:
    if report_file.status != "ready" or not report_file.stored_name:
        return None
    path = folder() / report_file.stored_name
    return path if path.is_file() else None


def status(report_file: ReportFile) -> dict[str, Any]:
    """The JSON the progress page polls (the imports' progress script reads it)."""
    return {
        "status": report_file.status,
        "finished": report_file.finished,
        "result_url": url_for("reports.report_file", token=report_file.token),
    }


# The job's side -------------------------------------------------------------------------------


def _claimable(now: datetime) -> Any:
    stale = now - timedelta(minutes=STALE_MINUTES)
    return or_(
        ReportFile.status == "queued",
        (ReportFile.status == "building") & (ReportFile.started_at < stale),
    )


def claimable_ids(now: datetime) -> list[int]:
    return list(
        db.session.scalars(select(ReportFile.id).where(_claimable(now)).order_by(ReportFile.id))
    )


def claim(file_id: int, now: datetime) -> ReportFile | None:
    """Compare-and-set: the file is this run's to build, or None when another run has it."""
    claimed = db.session.execute(
        update(ReportFile)
        .where(ReportFile.id == file_id, _claimable(now))
        .values(status="building", started_at=now, attempts=ReportFile.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return db.session.get(ReportFile, file_id, populate_existing=True)


def finish(file_id: int, status: str, message: str | None, stored_name: str | None = None) -> None:
    db.session.execute(
        update(ReportFile)
        .where(ReportFile.id == file_id, ReportFile.status == "building")
        .values(status=status, message=message, stored_name=stored_name, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )


@contextmanager
def as_person(user: User, report_file: ReportFile) -> Iterator[None]:
    """A request as ``user`` asking for the download again, so the job takes the download's
    own path: the same picker, permissions, published figures and disclosure audit."""
    query = json.loads(report_file.query)
    path = f"/reports/value/download/{report_file.fmt}"
    with current_app.test_request_context(path, query_string=query):
        # flask-login's current user for this request; ``g`` belongs to the app context, which
        # outlives the request, so whoever was there before is put back.
        before = g.pop("_login_user", None)
        g._login_user = user
        try:
            yield
        finally:
            g.pop("_login_user", None)
            if before is not None:
                g._login_user = before


def build(report_file: ReportFile) -> tuple[str, str | None, str | None]:
    """Make the file: ("ready", None, its stored name) once written, or ("refused", why, None)
    when it may not be released. Anything else raised is a failure the job records."""
    from volunteer_hub.reports.file_views import NotReleased, build_pdf

    user = db.session.get(User, report_file.user_id)
    if user is None or not user.is_active or not has_any_role(user, *REPORT_ROLES):
        return "refused", NO_LONGER, None
    try:
        with as_person(user, report_file):
            data = build_pdf(report_file.fmt)
    except NotReleased as refusal:
        return "refused", str(refusal), None
    except DomainError as refusal:
        return "refused", refusal.message, None
    except HTTPException:
        return "refused", NO_LONGER, None
    stored = f"{secrets.token_hex(16)}.pdf"
    partial = folder() / f".{stored}.part"
    partial.write_bytes(data)
    os.replace(partial, folder() / stored)
    return "ready", None, stored


def remove_old(now: datetime) -> int:
    """Files asked for more than ``REPORT_FILE_HOURS`` ago, and any file in the folder that no
    row names (a build cut short), are deleted; returns how many rows went."""
    cutoff = now - timedelta(hours=keep_hours())
    old = list(
        db.session.execute(
            select(ReportFile.id, ReportFile.stored_name).where(ReportFile.created_at < cutoff)
        )
    )
    for _id, stored in old:
        if stored:
            (folder() / stored).unlink(missing_ok=True)
    if old:
        db.session.execute(
            delete(ReportFile)
            .where(ReportFile.id.in_([row_id for row_id, _ in old]))
            .execution_options(synchronize_session=False)
        )
    known = set(
        db.session.scalars(
            select(ReportFile.stored_name).where(ReportFile.stored_name.is_not(None))
        )
    )
    for path in folder().iterdir():
        too_old = path.stat().st_mtime < cutoff.timestamp()
        if path.is_file() and path.name not in known and too_old:
            path.unlink(missing_ok=True)
    return len(old)
