"""Erasure: the person becomes an anonymous stub, and every reported figure stays the same.

What happens (``erase``):

- The volunteer record keeps its id, with the name replaced by ``Erased person <id>`` and every
  other profile field (email, phone, date of birth, postcode, emergency contact, skills,
  interests, languages, availability, access needs) emptied. Equality answers, bank details, DBS
  records and references are deleted.
- The sign-in is deactivated: placeholder name and email (``erased-<user id>@erased.invalid``),
  no password, no two-factor secret or recovery codes, sessions ended, API tokens revoked,
  reminder preferences deleted, consents marked withdrawn (the records of what was agreed stay,
  without anything identifying).
- Free text the person wrote is emptied: application messages (and a guardian's name), hour
  notes, supervision comments, expense item descriptions and postcodes, time-bank listings, match
  messages and the exchanges they recorded; time-bank accounts lose name, email, phone and area.
  Receipt files are deleted (after the transaction commits) except those under a legal hold.
- Outbox messages addressed to them keep only their kind and dates.
- Rows and ids stay, so hours, placements, expense amounts and time-bank entries still count.
  ``timebank_entry`` is never touched (it is append-only by database trigger).
- ``redaction.redact`` then walks the database metadata from the person's records: the free text
  of every row that is theirs alone (any text column not listed as a code: hour decision
  reasons, application events' notes, training evidence, grants to them…) is emptied, and in
  rows shared with someone else (time-bank exchanges and transfers, answers to their listings),
  held rows and audit events about them, their full name (and "first last", "Mr/Ms surname"),
  their email and phone number in any format, and each distinctive part of their name (never a
  particle or common word such as "van", "de", "will") are replaced. A safety net searches every
  text and JSON column of every table for their full name(s), email address(es) and phone
  number(s), but never changes another person's profile, and changes a row not attached to
  them only if it holds their email address or phone number (a full name alone may be a
  namesake's). See ``redaction``.

Each domain's ``privacy.py`` does its part (``core.privacy_hooks``): identify hooks say what the
person was known by (names, addresses, numbers, their rows), erase hooks change their own
domain's rows in order and say what they did; ``erase`` then runs redaction over everything
attached to the person and records the erasure on their requests and in the audit log.

Legal holds: a paid expense claim (items and receipts) is kept for ``RETENTION_PAID_CLAIMS``
months (6 years) after payment, for the accounts; a supervision record with a concern recorded is
kept for ``RETENTION_CONCERNS`` months (6 years) after the meeting, for safeguarding. Held records
lose only the person's identifying strings; ``flask retention purge`` anonymises them when the hold
ends. Erasing twice is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.sql.elements import ColumnElement

from volunteer_hub.accounts import audit
from volunteer_hub.accounts.models import User
from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import plural
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.privacy_hooks import ERASED_DOMAIN, ERASED_TEXT, Hold
from volunteer_hub.extensions import db
from volunteer_hub.privacy import redaction
from volunteer_hub.privacy.models import PrivacyRequest
from volunteer_hub.privacy.people import (
    USER_PLACEHOLDER,
    VOLUNTEER_PLACEHOLDER,
    erased_volunteer_ids,
    is_erased_user,
    is_erased_volunteer,
    placeholders,
    resolve,
    user_placeholder_email,
    volunteer_placeholder,
)
from volunteer_hub.privacy.schedule import schedule
from volunteer_hub.volunteers.models import Volunteer

__all__ = [
    "ERASED_DOMAIN",
    "ERASED_TEXT",
    "USER_PLACEHOLDER",
    "VOLUNTEER_PLACEHOLDER",
    "ErasureResult",
    "Hold",
    "erase",
    "erased_volunteer_ids",
    "is_erased_user",
    "is_erased_volunteer",
    "user_placeholder_email",
    "volunteer_placeholder",
]


@dataclass
class ErasureResult:
    volunteer_id: int | None
    user_id: int | None
    #: The name that replaces the person's everywhere.
    placeholder: str
    #: The person had been erased before (this run changed nothing that mattered).
    already_erased: bool
    #: What was erased, one short line each (no personal data).
    erased: list[str] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    #: Values in which mentions of them were replaced (their rows, shared rows, everywhere).
    replaced: int = 0
    #: Rows kept under a legal hold (table name → ids): their text is only redacted.
    held_rows: dict[str, set[int]] = field(default_factory=dict, repr=False)


def empty_own_rows(table: str, row_id: int) -> bool:
    """Empty every other free-text column of this row and the rows under it (and their audit
    events' free text): see ``redaction``. True if anything was left to empty."""
    return redaction.redact(redaction.Identity(), start={table: {row_id}}).emptied > 0


@hooks.erase(55)
def _free_text_line(erasure: hooks.Erasure) -> None:
    """One line for the free text the domains emptied on the volunteer's records."""
    if erasure.free_text:
        erasure.erased.append(f"free text emptied: {', '.join(erasure.free_text)}")


def _record_on_requests(
    user: User | None, volunteer: Volunteer | None, holds: list[Hold]
) -> list[PrivacyRequest]:
    about: list[ColumnElement[bool]] = []
    if user is not None:
        about.append(PrivacyRequest.user_id == user.id)
    if volunteer is not None:
        about.append(PrivacyRequest.volunteer_id == volunteer.id)
    requests = list(
        db.session.scalars(
            select(PrivacyRequest).where(
                PrivacyRequest.kind == "erasure",
                PrivacyRequest.status.not_in(("erased", "refused")),
                or_(*about),
            )
        )
    )
    now = utcnow()
    for request in requests:
        request.status = "erased"
        request.erased_at = now
        request.holds = "\n".join(h.line() for h in holds) or None
    return requests


def _redact(erasure: hooks.Erasure) -> redaction.Counts:
    """Redaction over every row attached to the person, with what they were known by."""
    known_as = redaction.identity(
        names=erasure.names,
        emails=erasure.emails | erasure.addresses,
        phones=sorted(erasure.phones),
        name_placeholder=erasure.name,
        email_placeholder=erasure.email,
    )
    return redaction.redact(
        known_as,
        start=erasure.start,
        held=erasure.held_rows,
        actor_id=erasure.user.id if erasure.user is not None else None,
    )


def erase(
    *,
    actor: User | None,
    volunteer: Volunteer | None = None,
    user: User | None = None,
    today: date,
) -> ErasureResult:
    """Erase a person (given by their volunteer record, their sign-in, or both) and keep an
    anonymous stub; flushes, never commits. Receipt files go once the transaction commits."""
    if volunteer is None and user is None:
        raise DomainError("Say whom to erase")
    user, volunteer = resolve(user=user, volunteer=volunteer)
    already = (volunteer is None or is_erased_volunteer(volunteer)) and (
        user is None or is_erased_user(user)
    )
    name, email = placeholders(user, volunteer)
    erasure = hooks.Erasure(
        user=user,
        volunteer=volunteer,
        today=today,
        name=name,
        email=email,
        schedule=schedule(),
        empty_rows=empty_own_rows,
    )
    for _position, identify in hooks.registry.identify:
        identify(erasure)
    for _position, step in hooks.registry.erase:
        step(erasure)
    counts = _redact(erasure)
    if counts.emptied:
        erasure.erased.append(
            f"free text emptied: {plural(counts.emptied, 'more value')} on their records"
        )
    result = ErasureResult(
        volunteer_id=volunteer.id if volunteer else None,
        user_id=user.id if user else None,
        placeholder=name,
        already_erased=already,
        erased=erasure.erased,
        holds=erasure.holds,
        replaced=counts.replaced,
        held_rows=erasure.held_rows,
    )
    _record_on_requests(user, volunteer, result.holds)
    audit.record(
        "privacy.erased",
        actor=actor,
        target_type="volunteers_volunteer" if volunteer is not None else "accounts_user",
        target_id=result.volunteer_id if volunteer is not None else result.user_id,
        details={
            "volunteer_id": result.volunteer_id,
            "user_id": result.user_id,
            "holds": [{"kind": h.kind, "until": h.until.isoformat()} for h in result.holds],
            "already_erased": already,
        },
    )
    return result
