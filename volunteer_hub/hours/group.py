"""One session for many volunteers (an event, a group shift), recorded by a coordinator.

Rules:
- only by a coordinator of the organisation (or the centre);
- for volunteers with a placement with the organisation active on the date (started on or
  before it, not ended before it); anyone else is refused;
- the same rules as logging: never in the future, a positive duration in 15-minute steps, at
  most 24 hours in one day for each volunteer across every organisation;
- the same hours for a volunteer on the same placement and date again (a form sent twice)
  need the coordinator's confirmation that it was a second session;
- all or nothing: when any chosen volunteer breaks a rule nothing is recorded, and the error
  names each volunteer and what is wrong;
- the records are approved at once by the coordinator (audited), except the coordinator's own
  record when they include themselves: nobody approves their own hours, so that one waits for
  approval (or follows the organisation's automatic-approval setting).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import coordinated_organisation_ids, sees_all_organisations
from volunteer_hub.core.errors import DomainError
from volunteer_hub.extensions import db
from volunteer_hub.hours.logging import (
    STEP_SECONDS,
    NeedsConfirmation,
    approve_automatically_if_set,
    counted_seconds,
)
from volunteer_hub.hours.models import HourRecord, HourSource, HourStatus
from volunteer_hub.hours.services import MAX_SECONDS, approve
from volunteer_hub.organisations.models import Organisation, Role
from volunteer_hub.placements.models import Placement
from volunteer_hub.volunteers.models import Volunteer


class GroupProblems(DomainError):
    """Some chosen volunteers break a rule: ``problems`` maps each name to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__(
            "; ".join(f"{name}: {problem}" for name, problem in problems.items()) + ".",
            field="volunteers",
        )


@dataclass(frozen=True)
class Placed:
    """A volunteer with a placement with the organisation active on a day."""

    volunteer: Volunteer
    placement: Placement


def may_record_for(user: User, organisation: Organisation) -> bool:
    return sees_all_organisations(user) or organisation.id in coordinated_organisation_ids(user)


def placed_on(organisation: Organisation, day: date, role: Role | None = None) -> list[Placed]:
    """Volunteers placed with ``organisation`` on ``day``, by name; one entry each (their
    placement in ``role`` when they have one, else their earliest)."""
    rows = db.session.execute(
        select(Volunteer, Placement)
        .join(Placement, Placement.volunteer_id == Volunteer.id)
        .where(
            Placement.organisation_id == organisation.id,
            Placement.start_date <= day,
            or_(Placement.end_date.is_(None), Placement.end_date >= day),
        )
        .order_by(Volunteer.name, Volunteer.id, Placement.start_date, Placement.id)
    ).all()
    chosen: dict[int, Placed] = {}
    for volunteer, placement in rows:
        current = chosen.get(volunteer.id)
        if current is None or (
            role is not None
            and placement.role_id == role.id
            and current.placement.role_id != role.id
        ):
            chosen[volunteer.id] = Placed(volunteer, placement)
    return list(chosen.values())


def _placement_problem(organisation: Organisation, volunteer_id: int, day: date) -> str:
    """Why a volunteer of the organisation has no placement active on ``day``."""
    placements = db.session.scalars(
        select(Placement)
        .where(Placement.organisation_id == organisation.id, Placement.volunteer_id == volunteer_id)
        .order_by(Placement.start_date)
    ).all()
    if placements and all(p.start_date > day for p in placements):
        return f"their placement started on {placements[0].start_date:%-d %B %Y}"
    return f"they had no placement with {organisation.name} on {day:%-d %B %Y}"


def record_group_session(
    *,
    coordinator: User,
    organisation: Organisation,
    volunteer_ids: list[int],
    day: date,
    minutes: int,
    today: date,
    role: Role | None = None,
    note: str = "",
    confirmed: bool = False,
) -> list[HourRecord]:
    """One hour record for each chosen volunteer, approved by the coordinator; all or nothing."""
    if not may_record_for(coordinator, organisation):
        raise DomainError("You can only record hours for your own organisation's volunteers")
    if role is not None and role.organisation_id != organisation.id:
        raise DomainError("Choose one of the organisation's roles", field="role")
    if day > today:
        raise DomainError("The date cannot be in the future", field="day")
    seconds = _session_seconds(minutes)
    note = " ".join(note.split())
    if len(note) > 500:
        raise DomainError("Keep the note to 500 characters or fewer", field="note")
    wanted = list(dict.fromkeys(volunteer_ids))
    if not wanted:
        raise DomainError("Choose at least one volunteer", field="volunteers")
    placed = {p.volunteer.id: p for p in placed_on(organisation, day, role)}
    names = _names_placed_ever(organisation, wanted)
    _refuse_problems(organisation, wanted, names, placed, day, seconds)
    if not confirmed:
        _refuse_repeats(wanted, names, placed, day, seconds)
    return [
        _record(coordinator, organisation, placed[volunteer_id], role, day, minutes, note)
        for volunteer_id in wanted
    ]


def _session_seconds(minutes: int) -> int:
    seconds = minutes * 60
    if seconds <= 0 or seconds % STEP_SECONDS:
        raise DomainError("Enter a time of at least 15 minutes, in 15-minute steps", field="hours")
    if seconds > MAX_SECONDS:
        raise DomainError("Enter at most 24 hours", field="hours")
    return seconds


def _names_placed_ever(organisation: Organisation, wanted: list[int]) -> dict[int, str]:
    """The names of the chosen volunteers, each of whom was placed with the organisation at some
    time (anyone else is refused, unnamed)."""
    ever_placed = dict(
        db.session.execute(
            select(Volunteer.id, Volunteer.name)
            .join(Placement, Placement.volunteer_id == Volunteer.id)
            .where(Placement.organisation_id == organisation.id, Volunteer.id.in_(wanted))
        ).all()
    )
    if set(wanted) - set(ever_placed):
        # Never placed here: not this coordinator's to record, and not named (it is not theirs
        # to know who they are).
        raise DomainError(
            "Choose volunteers from the list: only the organisation's volunteers can be chosen",
            field="volunteers",
        )
    return ever_placed


def _refuse_problems(
    organisation: Organisation,
    wanted: list[int],
    names: dict[int, str],
    placed: dict[int, Placed],
    day: date,
    seconds: int,
) -> None:
    """Everyone not placed on the day, or who would pass 24 hours, named in one refusal."""
    problems: dict[str, str] = {}
    for volunteer_id in wanted:
        name = names[volunteer_id]
        if volunteer_id not in placed:
            problems[name] = _placement_problem(organisation, volunteer_id, day)
            continue
        already = counted_seconds(volunteer_id, day)
        if already + seconds > MAX_SECONDS:
            left = max(0, MAX_SECONDS - already) // 60
            problems[name] = (
                f"that would make more than 24 hours on {day:%-d %B %Y} across all their "
                f"volunteering; at most {left // 60} hours {left % 60} minutes more can be recorded"
            )
    if problems:
        raise GroupProblems(problems)


def _refuse_repeats(
    wanted: list[int], names: dict[int, str], placed: dict[int, Placed], day: date, seconds: int
) -> None:
    """Asks for confirmation when the same hours on the day are already recorded for anyone."""
    repeated = sorted(
        names[volunteer_id]
        for volunteer_id in wanted
        if db.session.scalar(
            select(HourRecord.id).where(
                HourRecord.placement_id == placed[volunteer_id].placement.id,
                HourRecord.date == day,
                HourRecord.seconds == seconds,
                HourRecord.status != HourStatus.REJECTED.value,
            )
        )
    )
    if repeated:
        raise NeedsConfirmation(
            f"The same hours on {day:%-d %B %Y} are already recorded for "
            f"{', '.join(repeated)}. If this was a second session, tick the box to confirm",
            field="volunteers",
        )


def _record(
    coordinator: User,
    organisation: Organisation,
    placed: Placed,
    role: Role | None,
    day: date,
    minutes: int,
    note: str,
) -> HourRecord:
    """One volunteer's record of the session, approved by the coordinator (unless their own)."""
    placement = placed.placement
    record_role = role or placement.role
    record = HourRecord(
        volunteer_id=placement.volunteer_id,
        organisation_id=organisation.id,
        role_id=record_role.id,
        placement_id=placement.id,
        soc_code=record_role.soc_code,
        date=day,
        seconds=minutes * 60,
        status=HourStatus.SUBMITTED.value,
        source=HourSource.LOGGED.value,
        note=note or None,
    )
    db.session.add(record)
    db.session.flush()
    audit(
        "hours.logged",
        actor=coordinator,
        target=record,
        details={"minutes": minutes, "group_session": True},
    )
    if placed.volunteer.user_id != coordinator.id:
        approve(record, approver=coordinator)
    else:  # their own: never approved by themselves
        approve_automatically_if_set(user=coordinator, organisation=organisation, record=record)
    return record
