"""Supervision's privacy hooks: supervision records and their agreed actions.

Export: every record of the volunteer's placements with its actions (confidential notes only in
a formal request's export, for an administrator to review). Erasure: a record's notes and
comments and its actions' descriptions are emptied, except a record with a concern recorded,
kept under a legal hold (``concerns``, 6 years after the meeting, for safeguarding) and
anonymised by retention when the hold ends. Activity: the last meeting.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, select

from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.core.formatting import long_date, plural
from volunteer_hub.extensions import db
from volunteer_hub.placements.models import Placement
from volunteer_hub.supervision.models import SupervisionAction, SupervisionRecord

HOLD_CONCERN = "safeguarding_concern"
TEXT_FIELDS = ("went_well", "concerns", "confidential_notes", "volunteer_comment")


def _of(volunteer_id: int) -> Any:
    placements = select(Placement.id).where(Placement.volunteer_id == volunteer_id)
    return SupervisionRecord.placement_id.in_(placements)


@hooks.export(110)
def export_supervision(subject: hooks.Subject) -> dict[str, Any]:
    if subject.volunteer is None:
        return {}
    drop = () if subject.full else ("confidential_notes",)
    records = db.session.scalars(
        select(SupervisionRecord)
        .where(_of(subject.volunteer.id))
        .order_by(SupervisionRecord.met_on)
    )
    return {
        "supervision": [
            {
                **hooks.row_dict(s, drop=drop),
                "actions": [hooks.row_dict(a, drop=("record_id",)) for a in s.actions],
            }
            for s in list(records)
        ]
    }


def anonymise(record: SupervisionRecord) -> bool:
    """Empty a record's text and its actions' descriptions; True if anything was left to empty
    (the caller empties the record's other free text)."""
    changed = False
    for attribute in TEXT_FIELDS:
        if getattr(record, attribute) is not None:
            setattr(record, attribute, None)
            changed = True
    for action in db.session.scalars(
        select(SupervisionAction).where(SupervisionAction.record_id == record.id)
    ):
        if action.description != hooks.ERASED_TEXT:
            action.description = hooks.ERASED_TEXT
            changed = True
    return changed


@hooks.erase(60)
def erase_supervision(erasure: hooks.Erasure) -> None:
    if erasure.volunteer is None:
        return
    records = db.session.scalars(
        select(SupervisionRecord)
        .join(Placement, Placement.id == SupervisionRecord.placement_id)
        .where(Placement.volunteer_id == erasure.volunteer.id)
        .order_by(SupervisionRecord.id)
    ).all()
    blanked = 0
    for record in records:
        if record.concerns and record.concerns.strip():
            until = erasure.held_until("concerns", record.met_on)
            if until is not None:
                erasure.hold(
                    HOLD_CONCERN,
                    f"Supervision record of {long_date(record.met_on)} with a concern "
                    "recorded (safeguarding)",
                    until,
                    table=SupervisionRecord.__tablename__,
                    row_id=record.id,
                )
                continue
        changed = anonymise(record)
        if erasure.empty_rows(SupervisionRecord.__tablename__, record.id) or changed:
            blanked += 1
    if blanked:
        erasure.erased.append(
            f"{plural(blanked, 'supervision record')}: notes and comments emptied"
        )


@hooks.activity
def activity(today: date) -> Iterable[tuple[Any, ...]]:
    return db.session.execute(
        select(Placement.volunteer_id, func.max(SupervisionRecord.met_on))
        .join(SupervisionRecord, SupervisionRecord.placement_id == Placement.id)
        .group_by(Placement.volunteer_id)
    )


@hooks.purge("concerns")
def purge_concerns(purge: hooks.Purge) -> int:
    """Records of erased people with a concern recorded whose hold has ended are anonymised."""
    if not purge.erased:
        return 0
    records = list(
        db.session.scalars(
            select(SupervisionRecord)
            .join(Placement, Placement.id == SupervisionRecord.placement_id)
            .where(
                Placement.volunteer_id.in_(purge.erased),
                SupervisionRecord.concerns.is_not(None),
                SupervisionRecord.met_on < purge.cutoff,
            )
            .order_by(SupervisionRecord.id)
        )
    )
    if purge.dry_run:
        return len(records)
    done = [anonymise(record) for record in records]
    return purge.empty_rows(SupervisionRecord.__tablename__, [r.id for r in records], done)
