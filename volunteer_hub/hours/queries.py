"""Read-side questions about hour records, for views and the staff dashboard."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import coordinated_organisation_ids, sees_all_organisations
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord, HourStatus
from volunteer_hub.placements.models import Placement


def decided_by(statement: Any, user: User) -> Any:
    """Limit hour records to those ``user`` decides: their organisations' and the placements
    they supervise (everything for the centre)."""
    if not sees_all_organisations(user):
        supervised = select(Placement.id).where(Placement.supervisor_id == user.id)
        statement = statement.where(
            or_(
                HourRecord.organisation_id.in_(coordinated_organisation_ids(user)),
                HourRecord.placement_id.in_(supervised),
            )
        )
    return statement


def awaiting_approval_count(user: User) -> int:
    """How many submitted hour records wait for ``user`` (the approvals queue, unfiltered)."""
    statement = select(func.count(HourRecord.id)).where(
        HourRecord.status == HourStatus.SUBMITTED.value
    )
    return int(db.session.scalar(decided_by(statement, user)) or 0)
