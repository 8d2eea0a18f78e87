"""Read-side queries on hour records: aggregates for reports (none returns a row per record, so
memory stays flat however many records there are) and the questions views and the staff
dashboard ask."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import aliased

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import coordinated_organisation_ids, sees_all_organisations
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord, HourStatus
from volunteer_hub.placements.models import Placement


def approved_conditions(
    start: date, end: date, organisation_id: int | None, *, employer_time: bool = False
) -> list[Any]:
    """Approved records dated in the period (one organisation's, when given), either the
    volunteering ones or (``employer_time``) those given in paid time through an employer."""
    conditions: list[Any] = [
        HourRecord.status == HourStatus.APPROVED.value,
        HourRecord.date >= start,
        HourRecord.date <= end,
        HourRecord.employer_time.is_(employer_time),
    ]
    if organisation_id is not None:
        conditions.append(HourRecord.organisation_id == organisation_id)
    return conditions


def _month(column: Any) -> ColumnElement[Any]:
    """The month of a date, as cheaply as each database allows (formatted by the caller)."""
    if db.engine.dialect.name == "postgresql":
        return func.date_trunc("month", column)
    return func.substr(column, 1, 7)  # SQLite stores dates as 'YYYY-MM-DD'


def value_report_statements(
    start: date,
    end: date,
    organisation_id: int | None,
    *,
    previous: tuple[date, date],
) -> dict[str, Any]:
    """The value report's independent aggregate queries, by name, longest first (a report may
    run them side by side). PostgreSQL hashes groups, so there one (organisation, role, code,
    volunteer) query (``by_volunteer_role``) feeds hours and people by organisation and role;
    SQLite sorts to group, so there ``groups`` and ``org_people`` are each grouped from a
    covering index. Rows:

    - ``by_volunteer_role``: (organisation, role, SOC code, volunteer, seconds);
    - ``groups``: (organisation, role, SOC code, seconds, distinct volunteers);
    - ``org_people``: (organisation, distinct volunteers);
    - ``months``: (month, seconds, distinct volunteers), in month order;
    - ``per_volunteer``: (volunteer, distinct days, seconds);
    - ``new``: one row, the volunteers active now with no approved record before the period;
    - ``previous``: the volunteers active in ``previous`` (start, end);
    - ``employer``: one row, (employer-time seconds, distinct employer-time volunteers).
    """
    scope = approved_conditions(start, end, organisation_id)
    earlier = aliased(HourRecord)
    before = (
        select(earlier.id)
        .where(
            earlier.status == HourStatus.APPROVED.value,
            earlier.employer_time.is_(False),
            earlier.volunteer_id == HourRecord.volunteer_id,
            earlier.date < start,
            *([earlier.organisation_id == organisation_id] if organisation_id else []),
        )
        .exists()
    )
    month = _month(HourRecord.date).label("month")
    people = func.count(func.distinct(HourRecord.volunteer_id))
    statements: dict[str, Any] = {}
    if db.engine.dialect.name == "postgresql":
        statements["by_volunteer_role"] = (
            select(
                HourRecord.organisation_id,
                HourRecord.role_id,
                HourRecord.soc_code,
                HourRecord.volunteer_id,
                func.sum(HourRecord.seconds),
            )
            .where(*scope)
            .group_by(
                HourRecord.organisation_id,
                HourRecord.role_id,
                HourRecord.soc_code,
                HourRecord.volunteer_id,
            )
        )
    else:
        statements["groups"] = (
            select(
                HourRecord.organisation_id,
                HourRecord.role_id,
                HourRecord.soc_code,
                func.sum(HourRecord.seconds),
                people,
            )
            .where(*scope)
            .group_by(HourRecord.organisation_id, HourRecord.role_id, HourRecord.soc_code)
        )
        statements["org_people"] = (
            select(HourRecord.organisation_id, people)
            .where(*scope)
            .group_by(HourRecord.organisation_id)
        )
    statements["months"] = (
        select(month, func.sum(HourRecord.seconds), people)
        .where(*scope)
        .group_by(month)
        .order_by(month)
    )
    statements["per_volunteer"] = (
        select(
            HourRecord.volunteer_id,
            func.count(func.distinct(HourRecord.date)),
            func.sum(HourRecord.seconds),
        )
        .where(*scope)
        .group_by(HourRecord.volunteer_id)
    )
    statements["new"] = select(func.count()).select_from(
        select(HourRecord.volunteer_id)
        .where(*scope)
        .group_by(HourRecord.volunteer_id)
        .having(~before)
        .subquery()
    )
    statements["previous"] = (
        select(HourRecord.volunteer_id)
        .where(*approved_conditions(previous[0], previous[1], organisation_id))
        .distinct()
    )
    statements["employer"] = select(
        func.coalesce(func.sum(HourRecord.seconds), 0),
        func.count(func.distinct(HourRecord.volunteer_id)),
    ).where(*approved_conditions(start, end, organisation_id, employer_time=True))
    return statements


def people_by_role(
    start: date, end: date, organisation_id: int | None
) -> dict[tuple[int, int | None], int]:
    """Distinct volunteers per (organisation, role) in the period."""
    return {
        (org, role): int(n)
        for org, role, n in db.session.execute(
            select(
                HourRecord.organisation_id,
                HourRecord.role_id,
                func.count(func.distinct(HourRecord.volunteer_id)),
            )
            .where(*approved_conditions(start, end, organisation_id))
            .group_by(HourRecord.organisation_id, HourRecord.role_id)
        )
    }


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


def active_volunteers(start: date, end: date, organisation_id: int | None) -> Any:
    """The distinct volunteers with approved hours in the period (in the organisation, if
    given), as a select of ``volunteer_id`` other domains may use in their own aggregates."""
    return (
        select(HourRecord.volunteer_id)
        .where(*approved_conditions(start, end, organisation_id))
        .distinct()
    )


def active_volunteer_count(start: date, end: date, organisation_id: int | None) -> int:
    """How many volunteers have approved hours in the period (in the organisation, if given)."""
    active = active_volunteers(start, end, organisation_id).subquery()
    return int(db.session.scalar(select(func.count()).select_from(active)) or 0)
