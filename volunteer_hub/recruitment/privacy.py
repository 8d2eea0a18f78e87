"""Recruitment's privacy hooks: applications, their history and references, DBS records.

Export: each application with its role, organisation, history and who was asked for a reference
(never what the referee said: that is the referee's data); DBS records. Erasure: DBS records and
references are deleted, an application's message and guardian's name emptied. Activity: an
application's last change. Retention: DBS records are deleted ``dbs`` months after the decision;
referees' details are removed ``references`` months after the application was decided.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, update

from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.core.formatting import plural
from volunteer_hub.extensions import db
from volunteer_hub.recruitment.models import (
    CLOSED,
    Application,
    ApplicationEvent,
    DbsRecord,
    Reference,
)


def _application(application: Application) -> dict[str, Any]:
    return {
        **hooks.row_dict(application),
        "role": application.role.title if application.role else None,
        "organisation": application.organisation.name if application.organisation else None,
        "history": hooks.rows(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == application.id)
            .order_by(ApplicationEvent.id),
            drop=("application_id",),
        ),
        # Who was asked for a reference, never what they said (that is the referee's data).
        "references": [
            {
                "referee_name": r.referee_name,
                "relationship": r.relationship_to_applicant,
                "requested_at": hooks.json_value(r.requested_at),
                "responded": r.responded_at is not None,
                "satisfactory": r.satisfactory,
            }
            for r in db.session.scalars(
                select(Reference).where(Reference.application_id == application.id)
            )
        ],
    }


@hooks.export(80)
def export_recruitment(subject: hooks.Subject) -> dict[str, Any]:
    volunteer = subject.volunteer
    if volunteer is None:
        return {}
    applications = list(
        db.session.scalars(
            select(Application)
            .where(Application.volunteer_id == volunteer.id)
            .order_by(Application.id)
        )
    )
    return {
        "applications": [_application(a) for a in applications],
        "dbs_records": hooks.rows(select(DbsRecord).where(DbsRecord.volunteer_id == volunteer.id)),
    }


@hooks.erase(30)
def erase_recruitment(erasure: hooks.Erasure) -> None:
    if erasure.volunteer is None:
        return
    vid = erasure.volunteer.id
    dbs = db.session.execute(delete(DbsRecord).where(DbsRecord.volunteer_id == vid))
    if dbs.rowcount:  # type: ignore[attr-defined]
        erasure.erased.append(f"{plural(dbs.rowcount, 'DBS record')} deleted")  # type: ignore[attr-defined]
    applications = select(Application.id).where(Application.volunteer_id == vid)
    references = db.session.execute(
        delete(Reference).where(Reference.application_id.in_(applications))
    )
    if references.rowcount:  # type: ignore[attr-defined]
        erasure.erased.append(f"{plural(references.rowcount, 'reference')} deleted")  # type: ignore[attr-defined]
    db.session.execute(
        update(Application)
        .where(Application.volunteer_id == vid)
        .values(message=None, guardian_name=None)
        .execution_options(synchronize_session=False)
    )
    erasure.free_text.append("applications")


@hooks.activity
def activity(today: date) -> Iterable[tuple[Any, ...]]:
    return db.session.execute(
        select(Application.volunteer_id, func.max(Application.updated_at)).group_by(
            Application.volunteer_id
        )
    )


@hooks.purge("dbs")
def purge_dbs(purge: hooks.Purge) -> int:
    cutoff = purge.cutoff
    conditions = [DbsRecord.decided_at < hooks.start_of(cutoff), DbsRecord.issue_date < cutoff]
    if purge.leaving:
        conditions.append(DbsRecord.volunteer_id.not_in(purge.leaving))
    return hooks.count_or_delete(DbsRecord, conditions, purge.dry_run)


@hooks.purge("references")
def purge_references(purge: hooks.Purge) -> int:
    statement = (
        select(Reference)
        .join(Application, Application.id == Reference.application_id)
        .where(
            Application.stage.in_([s.value for s in CLOSED]),
            Reference.referee_name != hooks.REMOVED,
        )
        .order_by(Reference.id)
    )
    if purge.months:
        statement = statement.where(Application.updated_at < hooks.start_of(purge.cutoff))
    if purge.leaving:
        statement = statement.where(Application.volunteer_id.not_in(purge.leaving))
    references = list(db.session.scalars(statement))
    if not purge.dry_run:
        for reference in references:
            reference.referee_name = hooks.REMOVED
            reference.referee_email = hooks.REMOVED_EMAIL
            reference.relationship_to_applicant = hooks.REMOVED
            reference.known_for = None
            reference.would_recommend = None
            reference.comments = None
            # The link sent to the referee stops working.
            reference.nonce = secrets.token_hex(16)
    return len(references)
