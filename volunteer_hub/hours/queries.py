"""Read-side queries on hour records: aggregates for reports (none returns a row per record, so
memory stays flat however many records there are) and the questions views and the staff
dashboard ask."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import aliased

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import coordinated_organisation_ids, sees_all_organisations
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord, HourSource, HourStatus
from volunteer_hub.organisations.models import Organisation, Role
from volunteer_hub.placements.models import Placement
from volunteer_hub.volunteers.models import Volunteer


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
    statements = _grouped(scope, people)
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


def _grouped(scope: list[Any], people: Any) -> dict[str, Any]:
    """Hours and people by organisation and role, as each database groups best (see
    :func:`value_report_statements`)."""
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


# --- what the hours pages show ---------------------------------------------------------------


def placement_records(placement: Placement, limit: int = 100) -> list[HourRecord]:
    """The placement's latest records, latest first."""
    return list(
        db.session.scalars(
            select(HourRecord)
            .where(HourRecord.placement_id == placement.id)
            .order_by(HourRecord.date.desc(), HourRecord.id.desc())
            .limit(limit)
        )
    )


def seconds_by_day(placement: Placement, first: date, last: date) -> dict[date, int]:
    """Seconds logged (and not rejected) for the placement on each day from first to last."""
    return {
        day: int(seconds)
        for day, seconds in db.session.execute(
            select(HourRecord.date, func.sum(HourRecord.seconds))
            .where(
                HourRecord.placement_id == placement.id,
                HourRecord.date >= first,
                HourRecord.date <= last,
                HourRecord.status != HourStatus.REJECTED.value,
            )
            .group_by(HourRecord.date)
        )
    }


def volunteer_of(user: User) -> Volunteer | None:
    """The user's volunteer record, if they have one (none is made here)."""
    return db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))


def approved_by_month(volunteer: Volunteer | None) -> tuple[dict[str, int], int]:
    """The volunteer's approved seconds by month ('YYYY-MM'), and their seconds awaiting
    approval."""
    by_month: dict[str, int] = defaultdict(int)
    pending = 0
    if volunteer is None:
        return by_month, pending
    for day, seconds, status in db.session.execute(
        select(HourRecord.date, HourRecord.seconds, HourRecord.status).where(
            HourRecord.volunteer_id == volunteer.id
        )
    ):
        if status == HourStatus.APPROVED.value:
            by_month[day.strftime("%Y-%m")] += int(seconds)
        elif status == HourStatus.SUBMITTED.value:
            pending += int(seconds)
    return by_month, pending


def approval_queue(
    user: User,
    *,
    volunteer: str = "",
    role_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Select[Any]:
    """Submitted records ``user`` decides, oldest first, filtered by part of the volunteer's
    name, a role and a first and last day."""
    statement = decided_by(
        select(HourRecord).where(HourRecord.status == HourStatus.SUBMITTED.value), user
    )
    if volunteer:
        escaped = volunteer.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(
            HourRecord.volunteer_id.in_(
                select(Volunteer.id).where(
                    db.func.lower(Volunteer.name).like(f"%{escaped}%", escape="\\")
                )
            )
        )
    if role_id is not None:
        statement = statement.where(HourRecord.role_id == role_id)
    if start is not None:
        statement = statement.where(HourRecord.date >= start)
    if end is not None:
        statement = statement.where(HourRecord.date <= end)
    return statement.order_by(HourRecord.date, HourRecord.id)


def recently_decided(user: User, days: int, limit: int) -> list[HourRecord]:
    """Records ``user`` decides approved in the last ``days`` days, here or by a correction:
    spreadsheet imports arrive already approved (their approved_at is the import's time,
    whatever the hours' date), so they are not "approved in the last days" unless someone
    corrected them since."""
    return list(
        db.session.scalars(
            decided_by(
                select(HourRecord).where(
                    HourRecord.status == HourStatus.APPROVED.value,
                    HourRecord.approved_at >= utcnow() - timedelta(days=days),
                    or_(
                        HourRecord.source != HourSource.IMPORTED.value,
                        HourRecord.replaces_id.is_not(None),
                    ),
                ),
                user,
            )
            .order_by(HourRecord.approved_at.desc(), HourRecord.id.desc())
            .limit(limit)
        )
    )


def coordinated_organisations(user: User) -> list[Organisation]:
    """The organisations ``user`` coordinates, by name (where they may record group sessions)."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.id.in_(coordinated_organisation_ids(user)))
            .order_by(Organisation.name)
        )
    )


def volunteer_names(volunteer_ids: set[int]) -> dict[int, str]:
    return dict(
        db.session.execute(
            select(Volunteer.id, Volunteer.name).where(Volunteer.id.in_(volunteer_ids))
        ).all()
    )


def records(record_ids: list[int]) -> list[HourRecord]:
    return list(db.session.scalars(select(HourRecord).where(HourRecord.id.in_(record_ids))))


def roles_of(organisation: Organisation) -> list[Role]:
    return list(
        db.session.scalars(
            select(Role).where(Role.organisation_id == organisation.id).order_by(Role.title)
        )
    )


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


def approved_mark() -> str:
    """A short text that changes whenever the approved hours change (a record added, approved,
    or taken out of the approved ones): reports use it to tell that their data is unchanged."""
    found = db.session.execute(
        select(
            func.count(HourRecord.id),
            func.max(HourRecord.id),
            func.max(HourRecord.approved_at),
            func.coalesce(func.sum(HourRecord.seconds), 0),
        ).where(HourRecord.status == HourStatus.APPROVED.value)
    ).one()
    return "/".join(str(part) for part in found)
