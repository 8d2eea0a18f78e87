"""Invented imports from the browser: one hours file imported and one refused, uploaded by
the befriending network's coordinator (finished, so no file is kept)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from volunteer_hub.accounts.models import User
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.uploads.models import Upload, UploadKind, UploadStatus

COORDINATOR = "befriending@demo.volunteerhub.invalid"
ORGANISATION = "Riverside Befriending Network"
REFUSED = (
    "Nothing was imported: 2 rows need fixing.\n"
    "line 4: hours '2,5' is not a number like 2.5\n"
    "line 9: date 31/02/2026 is not a date like 2026-03-01"
)


def seed() -> list[str]:
    user = db.session.scalar(select(User).where(User.email == COORDINATOR))
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == ORGANISATION))
    if user is None or organisation is None:
        return []
    held = set(db.session.scalars(select(Upload.stored_name)))
    now = utcnow()
    for stored, filename, status, imported, error in (
        ("demo-imported.csv", "march-hours.csv", UploadStatus.DONE, 24, None),
        ("demo-refused.csv", "april-hours.csv", UploadStatus.FAILED, 0, REFUSED),
    ):
        if stored in held:
            continue
        db.session.add(
            Upload(
                kind=UploadKind.HOURS,
                organisation_id=organisation.id,
                uploaded_by_id=user.id,
                filename=filename,
                stored_name=stored,
                status=status,
                checked=imported,
                imported=imported,
                error=error,
                created_at=now - timedelta(days=2),
                started_at=now - timedelta(days=2),
                finished_at=now - timedelta(days=2),
            )
        )
    db.session.flush()
    return []
