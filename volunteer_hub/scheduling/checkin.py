"""Checking in and out of a shift by its QR code, and the hours that makes.

The codes:
- The kiosk page shows a QR code of ``/check-in/<shift>/<code>``, where ``code`` is an HMAC
  (keyed by the app's secret key) of the shift's id and the current 60-second window. A scan is
  accepted in that window and the one after it, so a code is good for 60 to 120 seconds after it
  appears; the kiosk page shows a new one every 30 seconds. A code of another shift, a forged or
  an expired code is refused with "scan the code again", and nothing changes.
- A good scan gives a *pass*: the shift's id signed with a timestamp, good for 10 minutes, carried
  in the check-in page's address (so it survives signing in first) and in its button. The pass
  never stands in for a place: every rule below is checked again when the button is pressed.

The rules (checked in :func:`check_in` and :func:`check_out`, under the shift's row lock):
- Only a volunteer with a confirmed place on the shift checks in, from 30 minutes before the start
  until the end, on a shift that is not cancelled; they check out after the start, once.
- Checking in marks the place attended and makes the one hour record attendance makes (linked
  from the sign-up), waiting for approval, or approved at once ("Approved automatically
  (organisation setting)", decided by nobody) when the organisation has switched on
  ``auto_approve_check_ins``. A second scan, double click or parallel request finds the place
  checked in already: one record, one audit event.
- Time attended: from the later of the start and the check-in to the earlier of the end and the
  check-out (the end while not checked out), rounded to the nearest whole minute, at least one.
  Checking out early amends the waiting record's time, or corrects an automatically approved one
  (rejected "Corrected: checked out at …", with an approved replacement naming it); hours a
  coordinator has already approved stay as they decided.
- A coordinator marking the place attended approves the waiting record (the same record, never a
  second one); marking it did-not-attend rejects it ("Corrected: marked as not attending …").
- A place a coordinator has already marked is not changed by a scan.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import clock, date_time
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set, compare_and_set_where
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord, HourStatus
from volunteer_hub.hours.services import AUTO_APPROVED, log_hours
from volunteer_hub.organisations.models import Role
from volunteer_hub.scheduling import queries
from volunteer_hub.scheduling.models import Shift, SignUp
from volunteer_hub.scheduling.services import locked
from volunteer_hub.scheduling.times import local

#: A code changes every WINDOW seconds; a scan is good in its window and the next.
WINDOW = 60
#: How long the page a good scan opens may be used to check in or out.
PASS_SECONDS = 600
#: Check-in opens this long before the shift starts.
EARLY = timedelta(minutes=30)


# --- codes and passes ------------------------------------------------------------------------


def _window(now: datetime) -> int:
    return int(now.timestamp()) // WINDOW


def code_for(shift_id: int, now: datetime) -> str:
    """The code the kiosk shows now (22 URL-safe characters, 128 bits of an HMAC-SHA256)."""
    return _code(shift_id, _window(now))


def _code(shift_id: int, window: int) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = hmac.new(secret, b"volunteer_hub.scheduling.checkin", hashlib.sha256).digest()
    digest = hmac.new(key, f"{shift_id}:{window}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def code_is_good(shift_id: int, code: str, now: datetime) -> bool:
    """The code of this shift for the current window or the one before."""
    if len(code) != 22:
        return False
    window = _window(now)
    return any(hmac.compare_digest(code, _code(shift_id, w)) for w in (window, window - 1))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        str(current_app.config["SECRET_KEY"]), salt="volunteer_hub.scheduling.checkin-pass"
    )


def pass_for(shift_id: int) -> str:
    return _serializer().dumps(shift_id)


def pass_is_good(shift_id: int, token: str) -> bool:
    if not token or len(token) > 200:
        return False
    try:
        return _serializer().loads(token, max_age=PASS_SECONDS) == shift_id
    except (BadSignature, UnicodeError, ValueError):
        return False


# --- time attended ---------------------------------------------------------------------------


def attended_seconds(signup: SignUp, shift: Shift) -> int:
    """From the later of the start and the check-in to the earlier of the end and the check-out,
    to the nearest whole minute (at least one); the shift's length for a place never checked in."""
    start = max(shift.starts_at, signup.checked_in_at or shift.starts_at)
    end = min(shift.ends_at, signup.checked_out_at or shift.ends_at)
    minutes = round((end - start).total_seconds() / 60)
    return max(minutes, 1) * 60


# --- where a volunteer stands ----------------------------------------------------------------


@dataclass
class Standing:
    """What the check-in page offers: ``action`` is ``in``, ``out`` or None (``message`` says
    why not, or what was done)."""

    signup: SignUp | None
    action: str | None
    message: str


def _own_signup(user: User, shift: Shift) -> SignUp | None:
    volunteer = queries.volunteer_of(user)
    if volunteer is None:
        return None
    return next((s for s in shift.signups if s.volunteer_id == volunteer.id), None)


def standing(user: User, shift: Shift, now: datetime) -> Standing:
    signup = _own_signup(user, shift)
    if shift.cancelled:
        return Standing(signup, None, "This shift has been cancelled.")
    if signup is None or signup.status not in ("confirmed", "attended", "no_show"):
        return Standing(
            signup, None, "You do not have a place on this shift, so you cannot check in to it."
        )
    if signup.status == "no_show":
        return Standing(
            signup,
            None,
            "Your coordinator has recorded that you did not attend: please speak to them.",
        )
    if signup.checked_out_at is not None:
        return Standing(signup, None, f"You checked out at {clock(local(signup.checked_out_at))}.")
    if signup.checked_in_at is not None:
        if now < shift.starts_at:
            return Standing(
                signup,
                None,
                f"You checked in at {clock(local(signup.checked_in_at))}. Scan the code again "
                "after the shift starts to check out.",
            )
        return Standing(signup, "out", f"You checked in at {clock(local(signup.checked_in_at))}.")
    if signup.status == "attended":
        return Standing(signup, None, "Your coordinator has already recorded your attendance.")
    if now < shift.starts_at - EARLY:
        opens = date_time(local(shift.starts_at - EARLY), weekday=True)
        return Standing(signup, None, f"Check-in opens at {opens}, 30 minutes before the start.")
    if now >= shift.ends_at:
        return Standing(signup, None, "This shift has ended: check-in is closed.")
    return Standing(signup, "in", "You have a place on this shift.")


# --- checking in and out ---------------------------------------------------------------------


def check_in(*, user: User, shift: Shift, now: datetime) -> SignUp:
    """Check the volunteer in: the place is marked attended and its hour record made."""
    shift = locked(shift)
    found = standing(user, shift, now)
    signup = found.signup
    if found.action != "in" or signup is None:
        if found.action == "out" or (signup is not None and signup.checked_in_at is not None):
            raise AlreadyDone(found.message)
        raise DomainError(found.message)
    compare_and_set_where(
        signup,
        SignUp.status == "confirmed",
        SignUp.checked_in_at.is_(None),
        values={"status": "attended", "checked_in_at": now},
        message="You are already checked in.",
    )
    day = local(shift.starts_at).date()
    record = log_hours(
        volunteer=signup.volunteer,
        organisation_id=shift.role.organisation_id,
        day=day,
        seconds=attended_seconds(signup, shift),
        role=shift.role,
        latest=day,  # checked in at most 30 minutes before the start (standing() above)
    )
    signup.hour_record_id = record.id
    db.session.flush()
    if shift.role.organisation.auto_approve_check_ins:
        _approve_automatically(user, record)
    audit("scheduling.checked_in", actor=user, target=signup)
    return signup


def _approve_automatically(user: User, record: HourRecord) -> None:
    record.status = HourStatus.APPROVED.value
    record.approved_by_id = None  # nobody decided: the organisation's setting did
    record.approved_at = utcnow()
    record.decision_reason = AUTO_APPROVED
    db.session.flush()
    audit("hours.auto_approved", actor=user, target=record, details={"seconds": record.seconds})


def check_out(*, user: User, shift: Shift, now: datetime) -> SignUp:
    """Check the volunteer out; leaving early shortens the hours (see the module's rules)."""
    shift = locked(shift)
    found = standing(user, shift, now)
    signup = found.signup
    if found.action != "out" or signup is None:
        if signup is not None and signup.checked_out_at is not None:
            raise AlreadyDone(found.message)
        raise DomainError(found.message)
    compare_and_set_where(
        signup,
        SignUp.checked_in_at.is_not(None),
        SignUp.checked_out_at.is_(None),
        values={"checked_out_at": now},
        message="You are already checked out.",
    )
    _amend_hours(user, signup, shift, now)
    audit("scheduling.checked_out", actor=user, target=signup)
    return signup


def _amend_hours(user: User, signup: SignUp, shift: Shift, now: datetime) -> None:
    record = db.session.get(HourRecord, signup.hour_record_id) if signup.hour_record_id else None
    seconds = attended_seconds(signup, shift)
    if record is None or record.seconds == seconds:
        return
    if record.status == HourStatus.SUBMITTED.value:
        compare_and_set(
            record,
            expected=HourStatus.SUBMITTED.value,
            values={"seconds": seconds},
            message="These hours were decided meanwhile.",
        )
        return
    automatic = record.approved_by_id is None and record.decision_reason == AUTO_APPROVED
    if record.status != HourStatus.APPROVED.value or not automatic:
        return  # a coordinator's decision stands
    compare_and_set(
        record,
        expected=HourStatus.APPROVED.value,
        values={
            "status": HourStatus.REJECTED.value,
            "decision_reason": f"Corrected: checked out at {clock(local(now))}",
        },
        message="These hours were already corrected.",
    )
    replacement = log_hours(
        volunteer=signup.volunteer,
        organisation_id=record.organisation_id,
        day=record.date,
        seconds=seconds,
        role=db.session.get(Role, record.role_id) if record.role_id else None,
    )
    replacement.replaces_id = record.id
    signup.hour_record_id = replacement.id
    _approve_automatically(user, replacement)


def pending_record(signup: SignUp) -> HourRecord | None:
    """The sign-up's hour record while it waits for approval (a self check-in)."""
    if signup.hour_record_id is None:
        return None
    record = db.session.get(HourRecord, signup.hour_record_id)
    return record if record is not None and record.status == HourStatus.SUBMITTED.value else None


# --- no-shows, for coordinators --------------------------------------------------------------


def no_show_counts(volunteer_ids: list[int], organisation_ids: list[int] | None) -> dict[int, int]:
    """How many shifts each volunteer did not attend, at the given organisations (None: all)."""
    if not volunteer_ids:
        return {}
    query = (
        select(SignUp.volunteer_id, func.count())
        .join(Shift, Shift.id == SignUp.shift_id)
        .join(Role, Role.id == Shift.role_id)
        .where(SignUp.volunteer_id.in_(volunteer_ids), SignUp.status == "no_show")
        .group_by(SignUp.volunteer_id)
    )
    if organisation_ids is not None:
        query = query.where(Role.organisation_id.in_(organisation_ids))
    return {volunteer_id: int(n) for volunteer_id, n in db.session.execute(query).all()}


def record_of(volunteer_id: int, organisation_ids: list[int] | None) -> list[SignUp]:
    """The volunteer's places on shifts of the given organisations (None: all), latest first."""
    query = (
        select(SignUp)
        .join(Shift, Shift.id == SignUp.shift_id)
        .join(Role, Role.id == Shift.role_id)
        .where(SignUp.volunteer_id == volunteer_id, SignUp.status != "cancelled")
        .order_by(Shift.starts_at.desc())
        .limit(200)
    )
    if organisation_ids is not None:
        query = query.where(Role.organisation_id.in_(organisation_ids))
    return list(db.session.scalars(query))
