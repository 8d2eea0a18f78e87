"""Signing up to shifts, the waiting list, cancelling and assigning. Services flush, never
commit; every change to a shift's sign-ups takes the shift's row lock first."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.outbox import queue_email
from volunteer_hub.accounts.permissions import Action, register_rule
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import date_time
from volunteer_hub.core.navigation import external_url
from volunteer_hub.core.transitions import (
    AlreadyDone,
    compare_and_set,
    compare_and_set_where,
    lock,
)
from volunteer_hub.extensions import db
from volunteer_hub.scheduling import queries
from volunteer_hub.scheduling.models import Shift, SignUp
from volunteer_hub.scheduling.times import local
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import volunteer_for


def locked(shift: Shift) -> Shift:
    """The shift row locked until the transaction ends (``FOR UPDATE`` on PostgreSQL, the write
    lock on SQLite) with its sign-ups read again: two sign-ups cannot both take the last place,
    a freed place goes to exactly one person waiting, and attendance is marked once."""
    shift = lock(shift)
    db.session.execute(
        select(SignUp).where(SignUp.shift_id == shift.id).execution_options(populate_existing=True)
    ).all()
    db.session.expire(shift, ["signups"])
    return shift


def _check_overlap(volunteer: Volunteer, shift: Shift) -> None:
    other = queries.overlapping(volunteer.id, shift)
    if other is not None:
        raise DomainError(
            f"{volunteer.name} already has a shift at that time: {other.role.title}, "
            f"{date_time(local(other.starts_at), weekday=True)}"
        )


def join(shift: Shift, volunteer: Volunteer, *, full_ok: bool = True) -> SignUp:
    """Give the volunteer a place, or the next place on the waiting list when the shift is
    full. The caller holds :func:`locked` on the shift."""
    signup = next((s for s in shift.signups if s.volunteer_id == volunteer.id), None)
    if signup is not None and signup.status != "cancelled":
        raise AlreadyDone(
            "You are already on the waiting list for this shift"
            if signup.status == "waiting"
            else "This volunteer already has a place on this shift"
        )
    lock(volunteer)  # one volunteer's sign-ups to overlapping shifts queue here
    _check_overlap(volunteer, shift)
    if shift.places_left <= 0 and not full_ok:
        raise DomainError("The shift is full")
    return place_or_queue(shift, volunteer, signup, place=shift.places_left > 0)


def place_or_queue(
    shift: Shift, volunteer: Volunteer, signup: SignUp | None, *, place: bool
) -> SignUp:
    """Confirm the volunteer's place (``place``), or put them last on the waiting list; their
    earlier (cancelled) sign-up is reused, as the one-per-shift constraint requires."""
    status = "confirmed" if place else "waiting"
    position = None if place else max((s.position or 0 for s in shift.signups), default=0) + 1
    if signup is None:
        signup = SignUp(
            shift_id=shift.id, volunteer_id=volunteer.id, status=status, position=position
        )
        db.session.add(signup)
        shift.signups.append(signup)
    else:
        signup.status, signup.position = status, position
    db.session.flush()
    return signup


def _check_open(shift: Shift, now: datetime) -> None:
    if shift.cancelled:
        raise DomainError("This shift has been cancelled")
    if shift.starts_at <= now:
        raise DomainError("This shift has started")


def sign_up(*, user: User, shift: Shift, now: datetime) -> SignUp:
    """A volunteer signs themselves up (or joins the waiting list when the shift is full)."""
    volunteer = volunteer_for(user)
    shift = locked(shift)
    _check_open(shift, now)
    if shift.who == "placed" and not queries.is_placed(
        volunteer.id, shift.role_id, local(shift.starts_at).date()
    ):
        raise DomainError("Only volunteers placed in this role can sign up to its shifts")
    signup = join(shift, volunteer)
    audit(f"scheduling.{signup.status}", actor=user, target=signup)
    return signup


def assign(*, actor: User, shift: Shift, volunteer: Volunteer, now: datetime) -> SignUp:
    """A coordinator gives a volunteer a place (never beyond capacity)."""
    if not queries.manages(actor, shift.role.organisation_id):
        raise DomainError("Only the organisation's coordinators assign volunteers")
    shift = locked(shift)
    _check_open(shift, now)
    signup = join(shift, volunteer, full_ok=False)
    audit("scheduling.assigned", actor=actor, target=signup)
    return signup


def cancel(*, user: User, signup: SignUp, now: datetime) -> SignUp | None:
    """Cancel a place or a place on the waiting list (the volunteer up to the shift's cut-off,
    the coordinators until it starts). The first person waiting who is free at that time takes
    a freed place and is emailed. Returns the promoted sign-up, if any."""
    shift = locked(signup.shift)  # the sign-up is read again with the others
    own = signup.volunteer.user_id == user.id
    coordinator = queries.manages(user, shift.role.organisation_id)
    if not (own or coordinator):
        raise DomainError("You can only cancel your own shifts")
    if signup.status == "cancelled":
        raise AlreadyDone("This is already cancelled.")
    if signup.status not in ("confirmed", "waiting"):
        raise DomainError("Attendance has been marked for this shift")
    if shift.starts_at <= now:
        raise DomainError("The shift has started: ask the coordinator to mark attendance")
    if not coordinator and now > shift.starts_at - timedelta(hours=shift.cutoff_hours):
        raise DomainError(
            f"Shifts can be cancelled here up to {shift.cutoff_hours} hours before they start: "
            "please contact the coordinator"
        )
    freed = signup.status == "confirmed"
    compare_and_set(
        signup,
        expected=signup.status,
        values={"status": "cancelled", "position": None},
        message="This is already cancelled.",
    )
    db.session.expire(shift, ["signups"])
    audit("scheduling.cancelled", actor=user, target=signup)
    return promote(shift, actor=user) if freed else None


def promote(shift: Shift, *, actor: User | None) -> SignUp | None:
    """Give a free place to the first person waiting who has no overlapping shift."""
    if shift.places_left <= 0 or shift.cancelled:
        return None
    for waiting in shift.waiting:
        if queries.overlapping(waiting.volunteer_id, shift) is not None:
            continue
        compare_and_set(
            waiting, expected="waiting", values={"status": "confirmed", "position": None}
        )
        db.session.flush()
        audit("scheduling.promoted", actor=actor, target=waiting)
        _email_promoted(waiting, shift)
        return waiting
    return None


def _email_promoted(signup: SignUp, shift: Shift) -> None:
    if not signup.volunteer.email:
        return
    when = date_time(local(shift.starts_at), weekday=True)
    queue_email(
        kind="reminder",
        to=signup.volunteer.email,
        subject=f"A place on the {shift.role.title} shift is yours",
        body=(
            f"A place came free on the {shift.role.title} shift on {when}"
            f"{' at ' + shift.location if shift.location else ''}, and it is now yours. If you "
            f"cannot come, please cancel so the next person can: "
            f"{external_url('scheduling.mine')}"
        ),
    )


def cancel_shift(*, actor: User, shift: Shift, now: datetime) -> int:
    """A coordinator cancels a shift before it starts: its version is bumped and everyone with
    a place or on the waiting list is emailed once. Returns how many were emailed."""
    if not queries.manages(actor, shift.role.organisation_id):
        raise DomainError("Only the organisation's coordinators cancel shifts")
    if shift.starts_at <= now:
        raise DomainError("This shift has started")
    shift = locked(shift)  # sign-ups made meanwhile are emailed too
    compare_and_set_where(
        shift,
        Shift.cancelled.is_(False),
        values={"cancelled": True, "version": Shift.version + 1},
        message="This shift is already cancelled.",
    )
    audit("scheduling.shift_cancelled", actor=actor, target=shift)
    told = 0
    when = date_time(local(shift.starts_at), weekday=True)
    for signup in shift.signups:
        if signup.status not in ("confirmed", "waiting") or not signup.volunteer.email:
            continue
        queue_email(
            kind="reminder",
            to=signup.volunteer.email,
            subject=f"The {shift.role.title} shift on {when} is cancelled",
            body=(
                f"The {shift.role.title} shift on {when} has been cancelled by "
                f"{shift.role.organisation.name}. You do not need to do anything. Your other "
                f"shifts: {external_url('scheduling.mine')}"
            ),
        )
        told += 1
    return told


# --- the objects' rules, for get_or_404 ------------------------------------------------------


def shift_rule(user: User, shift: Shift, action: Action) -> bool:
    """Anyone signed in sees a shift; the organisation's coordinators and the centre change it."""
    return action == "view" or queries.manages(user, shift.role.organisation_id)


def signup_rule(user: User, signup: SignUp, action: Action) -> bool:
    """The volunteer sees their own; the shift's coordinators see and change every one."""
    if queries.manages(user, signup.shift.role.organisation_id):
        return True
    return action == "view" and signup.volunteer.user_id == user.id


register_rule(Shift, shift_rule)
register_rule(SignUp, signup_rule)
