"""Commands of uploads: store a file, claim it for the job, import it, record the outcome.
They flush and never commit (the view or the job commits)."""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import or_, update
from sqlalchemy.exc import OperationalError

from volunteer_hub.accounts.models import User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.imports import Progress, lined, read_columns, refusal
from volunteer_hub.core.models import utcnow
from volunteer_hub.expenses.imports import import_expenses
from volunteer_hub.extensions import db
from volunteer_hub.hours.imports import import_hours
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.timebank.imports import import_exchanges
from volunteer_hub.timebank.models import TimeBank
from volunteer_hub.uploads.models import Upload, UploadKind, UploadStatus
from volunteer_hub.uploads.queries import stale_minutes

LONDON = ZoneInfo("Europe/London")
SUFFIXES = (".csv", ".xlsx")


def upload_folder() -> Path:
    """Where files wait for their import: ``IMPORT_UPLOAD_FOLDER``, else ``instance/uploads``
    (never under ``static``). Several app servers and workers must share it."""
    configured = (current_app.config.get("IMPORT_UPLOAD_FOLDER") or "").strip()
    folder = Path(configured or Path(current_app.config["INSTANCE_PATH"]) / "uploads")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_upload(
    *,
    kind: UploadKind,
    target_id: int,
    user: User,
    filename: str,
    stream: IO[bytes],
) -> Upload:
    """Keep the file under a random name and record the upload, waiting for the job."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise DomainError("Choose a .csv or .xlsx file", field="file")
    stored = f"{secrets.token_hex(16)}{suffix}"
    path = upload_folder() / stored
    with path.open("xb") as output:
        while chunk := stream.read(1 << 16):
            output.write(chunk)
    upload = Upload(
        kind=kind,
        organisation_id=target_id if kind != UploadKind.TIMEBANK else None,
        timebank_id=target_id if kind == UploadKind.TIMEBANK else None,
        uploaded_by_id=user.id,
        filename=Path(filename).name[:255] or f"upload{suffix}",
        stored_name=stored,
        status=UploadStatus.UPLOADED,
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def claim(upload_id: int, now: datetime) -> Upload | None:
    """Compare-and-set: the upload is this run's to import (new, or left part-way by a dead
    worker long enough ago), or None when another run has it or it is finished."""
    from datetime import timedelta

    stale = now - timedelta(minutes=stale_minutes())
    claimed = db.session.execute(
        update(Upload)
        .where(
            Upload.id == upload_id,
            or_(
                Upload.status == UploadStatus.UPLOADED,
                Upload.status.in_([UploadStatus.CHECKING, UploadStatus.IMPORTING])
                & (Upload.started_at < stale),
            ),
        )
        .values(
            status=UploadStatus.CHECKING,
            started_at=now,
            checked=0,
            imported=0,
            attempts=Upload.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return db.session.get(Upload, upload_id, populate_existing=True)


def run_import(upload: Upload) -> None:
    """The command's own import of the upload's file, in the caller's transaction, and the
    upload marked done; DomainError (nothing written) listing every bad line as the command
    does."""
    path = upload_folder() / upload.stored_name
    if not path.is_file():
        raise DomainError("Nothing was imported: the uploaded file is no longer there.")
    progress = _progress(upload.id)
    user = db.session.get(User, upload.uploaded_by_id) if upload.uploaded_by_id else None
    if upload.kind == UploadKind.TIMEBANK:
        bank = db.session.get(TimeBank, upload.timebank_id)
        assert bank is not None
        exchanges = import_exchanges(
            path,
            timebank_name=bank.name,
            create_missing=False,
            today=datetime.now(LONDON).date(),
            progress=progress,
        )
        imported, skipped = exchanges.imported, exchanges.skipped
    else:
        organisation = db.session.get(Organisation, upload.organisation_id)
        assert organisation is not None
        refuse_other_organisations(path, organisation)
        if upload.kind == UploadKind.HOURS:
            hours = import_hours(path, create_missing=False, imported_by=user, progress=progress)
            imported, skipped = hours.imported, hours.skipped
        else:
            claims = import_expenses(path, create_missing=False, progress=progress)
            imported, skipped = claims.imported, claims.skipped
    upload.status = UploadStatus.DONE
    upload.checked = imported + skipped
    upload.imported = imported
    upload.skipped = skipped
    upload.error = None
    upload.finished_at = utcnow()
    db.session.flush()


def refuse_other_organisations(path: Path, organisation: Organisation) -> None:
    """DomainError naming every line whose organisation is not ``organisation`` (an empty one,
    or a file the command would not read, is left to the command's own message)."""
    try:
        table = read_columns(path, ("organisation",))
    except DomainError:
        return
    wanted = " ".join(organisation.name.split()).casefold()
    names = table.categories("organisation")
    other = {
        i for i, name in enumerate(names) if name and " ".join(name.split()).casefold() != wanted
    }
    if not other:
        return
    codes = table.codes("organisation").tolist()
    found = [
        (row, f"organisation {names[code]!r} is not {organisation.name}, whose file this is")
        for row, code in enumerate(codes)
        if code in other
    ]
    raise refusal(lined(table, found))


def fail(upload_id: int, message: str) -> None:
    """Record a refused (or broken) import: every line of ``message`` is shown."""
    db.session.execute(
        update(Upload)
        .where(Upload.id == upload_id)
        .values(status=UploadStatus.FAILED, error=message, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def discard_file(upload: Upload) -> None:
    """The uploaded file is deleted once its import has ended, either way."""
    (upload_folder() / upload.stored_name).unlink(missing_ok=True)


def _progress(upload_id: int) -> Progress:
    """Store what the import reports (rows checked, rows saved) at once, in a transaction of
    its own so the progress page sees it. On SQLite, while the import itself holds the one
    write lock, the write is skipped rather than waited for."""

    def report(stage: str, rows: int) -> None:
        values = (
            {"checked": rows}
            if stage == "checked"
            else {"status": UploadStatus.IMPORTING, "imported": rows}
        )
        with db.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                before = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
                connection.exec_driver_sql("PRAGMA busy_timeout = 0")
            try:
                connection.execute(update(Upload).where(Upload.id == upload_id).values(**values))
                connection.commit()
            except OperationalError:
                connection.rollback()
                if not sqlite:
                    raise
            finally:
                if sqlite:
                    connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(before or 0)}")

    return report
