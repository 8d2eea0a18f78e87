"""The read side of uploads: who may import for what, and an upload's state."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app, url_for
from sqlalchemy import or_, select

from volunteer_hub.accounts.models import User
from volunteer_hub.expenses.queries import approver_organisation_ids
from volunteer_hub.extensions import db
from volunteer_hub.organisations.queries import managed_by, organisations_with_ids
from volunteer_hub.timebank.queries import coordinated_timebanks
from volunteer_hub.uploads.models import Upload, UploadKind, UploadStatus

#: An upload left checking or importing this long by a worker that died is claimed again
#: (``IMPORT_STALE_MINUTES``, this by default).
STALE_MINUTES = 30


def stale_minutes() -> int:
    return int(current_app.config.get("IMPORT_STALE_MINUTES") or STALE_MINUTES)


KIND_NOUNS = {
    UploadKind.HOURS: "hours",
    UploadKind.EXPENSES: "expense claims",
    UploadKind.TIMEBANK: "time bank exchanges",
}


def targets(user: User, kind: UploadKind) -> list[tuple[int, str]]:
    """(id, name) of each organisation (hours, expenses) or time bank (exchanges) ``user`` may
    import for: who approves its hours, decides its claims, or coordinates the time bank."""
    if kind == UploadKind.TIMEBANK:
        return [(bank.id, bank.name) for bank in coordinated_timebanks(user)]
    if kind == UploadKind.EXPENSES:
        found = organisations_with_ids(approver_organisation_ids(user))
    else:
        found = managed_by(user)
    return sorted(((o.id, o.name) for o in found), key=lambda pair: pair[1].casefold())


def may_import(user: User, kind: UploadKind, target_id: int) -> bool:
    return any(target_id == found for found, _ in targets(user, kind))


def may_see(user: User, upload: Upload) -> bool:
    return bool(user.is_admin) or upload.uploaded_by_id == user.id


def by_id(upload_id: int) -> Upload | None:
    return db.session.get(Upload, upload_id)


def uploads_of(user: User, limit: int = 20) -> list[Upload]:
    return list(
        db.session.scalars(
            select(Upload)
            .where(Upload.uploaded_by_id == user.id)
            .order_by(Upload.created_at.desc(), Upload.id.desc())
            .limit(limit)
        )
    )


def claimable_ids(now: datetime) -> list[int]:
    """Uploads waiting for the job: new ones, and ones a dead worker left part-way."""
    stale = now - timedelta(minutes=stale_minutes())
    return list(
        db.session.scalars(
            select(Upload.id)
            .where(
                or_(
                    Upload.status == UploadStatus.UPLOADED,
                    Upload.status.in_([UploadStatus.CHECKING, UploadStatus.IMPORTING])
                    & (Upload.started_at < stale),
                )
            )
            .order_by(Upload.id)
        )
    )


def status(upload: Upload) -> dict[str, Any]:
    """The JSON the progress page polls."""
    return {
        "id": upload.id,
        "status": upload.status,
        "finished": upload.finished,
        "checked": upload.checked,
        "imported": upload.imported,
        "skipped": upload.skipped,
        "result_url": url_for("uploads.show", upload_id=upload.id),
    }
