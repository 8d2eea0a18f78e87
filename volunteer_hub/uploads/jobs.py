"""Imports from the browser as a background job: at once after an upload is committed, and
every minute for any upload a dead worker left part-way."""

from __future__ import annotations

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.jobs.queue import crontab, enqueue_after_commit, job
from volunteer_hub.uploads import queries, services
from volunteer_hub.uploads.models import Upload

BROKEN = (
    "Nothing was imported: the import stopped unexpectedly.\n"
    "Upload the file again; if it happens again, ask an administrator to look at the "
    "background jobs page."
)

#: Claims of one upload before it is given up: a file whose import kills the worker each time
#: (out of memory, say) is reported rather than tried for ever.
MAX_ATTEMPTS = 3
STOPPED = (
    "Nothing was imported: the import was stopped part-way {attempts} times (the background "
    "worker stopped while importing it).\n"
    "Upload the file again; if it happens again, ask an administrator to look at the "
    "background jobs page."
)


# Not exclusive: each upload is claimed (compare-and-set) before it is imported, so two workers
# import different uploads at once and never the same one twice.
@job(
    "imports",
    when="every minute, and at once after a file is uploaded",
    schedule=crontab(),
    exclusive=False,
    retries=2,
)
def run_imports() -> dict[str, int]:
    counts = {"imported": 0, "refused": 0}
    for upload_id in queries.claimable_ids(utcnow()):
        outcome = import_one(upload_id)
        if outcome:
            counts[outcome] += 1
    return counts


def import_one(upload_id: int) -> str | None:
    """Claim the upload and import it, all or nothing: "imported", "refused", or None when
    another run has it. The file is deleted once the outcome is committed."""
    upload = services.claim(upload_id, utcnow())
    db.session.commit()
    if upload is None:
        return None
    if upload.attempts > MAX_ATTEMPTS:
        services.fail(upload_id, STOPPED.format(attempts=upload.attempts - 1))
        db.session.commit()
        services.discard_file(upload)
        return "refused"
    try:
        services.run_import(upload)
    except DomainError as error:
        db.session.rollback()
        services.fail(upload_id, error.message.replace(upload.stored_name, upload.filename))
        db.session.commit()
        outcome = "refused"
    except Exception:  # reported to the uploader, recorded (and logged) as a failed run
        db.session.rollback()
        services.fail(upload_id, BROKEN)
        db.session.commit()
        services.discard_file(upload)
        raise
    else:
        db.session.commit()
        outcome = "imported"
    finished = db.session.get(Upload, upload_id)
    if finished is not None:
        services.discard_file(finished)
    return outcome


enqueue_after_commit(Upload, "imports")
