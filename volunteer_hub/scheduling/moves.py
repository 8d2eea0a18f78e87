"""Moving a shift: a coordinator changes a future shift's start, end or place.

Rules:
- Only the organisation's coordinators (and the centre) move a shift, only before it starts,
  never a cancelled one, and only to a time in the future (at most 24 hours long).
- The move is a compare-and-set on the shift's ``version`` (the version the form was shown
  with): of a double click, or two coordinators at once, one moves it and the rest are told it
  has already changed. ``version`` goes up, so day-before reminders go again and calendar feeds
  replace their copy (SEQUENCE).
- Everyone with a place or on the waiting list is emailed once, through the outbox, with the old
  and the new time and place.
- Someone with a place whose other shift now overlaps the moved one KEEPS their place (the
  organisation gave it to them; dropping them silently to the waiting list would lose it
  without their say): their email names the clash and asks them to cancel one of the two, and
  the roster flags them (:func:`clashes`) until one is cancelled or moved. Someone waiting
  with a clash stays waiting; promotion already passes over anyone with an overlapping place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.outbox import queue_email
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import date_time
from volunteer_hub.core.navigation import external_url
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set_where
from volunteer_hub.scheduling import queries
from volunteer_hub.scheduling.models import Shift, SignUp
from volunteer_hub.scheduling.services import locked
from volunteer_hub.scheduling.times import local

LONGEST = timedelta(hours=24)


@dataclass(frozen=True)
class Moved:
    """What a move did: how many people were emailed, and who now has a clash."""

    told: int
    clashing: list[SignUp]


def _when(starts_at: datetime, ends_at: datetime, location: str | None) -> str:
    text = f"{date_time(local(starts_at), weekday=True)} to {local(ends_at):%H:%M}"
    return f"{text} at {location}" if location else text


def _check(shift: Shift, starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if shift.cancelled:
        raise DomainError("This shift has been cancelled")
    if shift.starts_at <= now:
        raise DomainError("This shift has started, so it cannot be moved")
    if starts_at <= now:
        raise DomainError("Choose a start in the future", field="start")
    if ends_at <= starts_at:
        raise DomainError("The end must be after the start", field="end")
    if ends_at - starts_at > LONGEST:
        raise DomainError("A shift lasts at most 24 hours", field="end")


def move_shift(
    *,
    actor: User,
    shift: Shift,
    starts_at: datetime,
    ends_at: datetime,
    location: str | None,
    version: int,
    now: datetime,
) -> Moved:
    """Move the shift (``version``: the one the coordinator saw) and email everyone on it once.
    The caller commits."""
    if not queries.manages(actor, shift.role.organisation_id):
        raise DomainError("Only the organisation's coordinators move shifts")
    location = (location or "").strip() or None
    shift = locked(shift)  # sign-ups made meanwhile are emailed too
    if shift.version != version:
        raise AlreadyDone("This shift has already been changed: check the new time below.")
    _check(shift, starts_at, ends_at, now)
    if (starts_at, ends_at, location) == (shift.starts_at, shift.ends_at, shift.location):
        raise DomainError("Change the time or the place to move the shift", field="start")
    before = _when(shift.starts_at, shift.ends_at, shift.location)
    compare_and_set_where(
        shift,
        Shift.version == version,
        Shift.cancelled.is_(False),
        values={
            "starts_at": starts_at,
            "ends_at": ends_at,
            "location": location,
            "version": Shift.version + 1,
        },
        message="This shift has already been changed: check the new time below.",
    )
    audit("scheduling.shift_moved", actor=actor, target=shift, details={"from": before})
    after = _when(shift.starts_at, shift.ends_at, shift.location)
    clashing = clashes(shift)
    told = sum(_tell(signup, shift, before, after, signup in clashing) for signup in shift.signups)
    return Moved(told, clashing)


def clashes(shift: Shift) -> list[SignUp]:
    """The places on the shift whose holder also has a place on an overlapping shift."""
    return [
        s
        for s in shift.signups
        if s.status == "confirmed" and queries.overlapping(s.volunteer_id, shift) is not None
    ]


def _tell(signup: SignUp, shift: Shift, before: str, after: str, clash: bool) -> int:
    if signup.status not in ("confirmed", "waiting") or not signup.volunteer.email:
        return 0
    place = (
        "You still have your place."
        if signup.status == "confirmed"
        else ("You are still on the waiting list.")
    )
    warning = (
        " This now overlaps another shift you have a place on: please cancel one of the two, "
        "or tell the coordinator."
        if clash
        else ""
    )
    queue_email(
        kind="reminder",
        to=signup.volunteer.email,
        subject=f"The {shift.role.title} shift has moved",
        body=(
            f"{shift.role.organisation.name} has moved the {shift.role.title} shift.\n\n"
            f"Was: {before}\nNow: {after}\n\n{place}{warning} If you cannot come at the new "
            f"time, please cancel: {external_url('scheduling.mine')}"
        ),
    )
    return 1
