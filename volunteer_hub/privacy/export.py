"""Everything held about one person, as a JSON-ready dict (subject access).

``COVERED`` names every table the export reads for the person; ``EXCLUDED`` names the tables
that refer to a person but are not exported, each with its reason. The metadata-walk test
(tests/privacy/test_metadata_walk.py) fails when a table that refers to a person is in neither.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select

from volunteer_hub.accounts.models import AuditEvent, ConsentRecord, OutboxMessage, User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.expenses import bank
from volunteer_hub.expenses.models import ExpenseClaim, ExpenseItem, Receipt
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.placements.models import Placement
from volunteer_hub.recruitment.models import Application, ApplicationEvent, DbsRecord, Reference
from volunteer_hub.reminders.models import ReminderPreference
from volunteer_hub.supervision.models import SupervisionRecord
from volunteer_hub.timebank.models import Account, Exchange, Listing, Match
from volunteer_hub.timebank.queries import statement as timebank_statement
from volunteer_hub.training.models import Booking, Completion, TrainingException
from volunteer_hub.volunteers.equality import EqualityAnswers
from volunteer_hub.volunteers.models import Volunteer

#: Tables the export reads for the person (the metadata walk checks this list).
COVERED = {
    "accounts_user": "profile.account",
    "accounts_user_role": "profile.account.roles",
    "accounts_membership": "profile.account.memberships",
    "accounts_consent": "consents",
    "accounts_outbox": "emails",
    "accounts_audit_event": "audit (about them, and their sign-ins)",
    "volunteers_volunteer": "profile.volunteer",
    "volunteers_equality": "equality_answers",
    "recruitment_application": "applications",
    "recruitment_application_event": "applications[].history",
    "recruitment_reference": "applications[].references (who was asked, never their words)",
    "recruitment_dbs_record": "dbs_records",
    "placements_placement": "placements",
    "hours_record": "hours",
    "supervision_record": "supervision (confidential notes only in a formal request's export)",
    "training_completion": "training.completions",
    "training_booking": "training.bookings",
    "training_exception": "training.exceptions",
    "expenses_claim": "expenses",
    "expenses_item": "expenses[].items",
    "expenses_receipt": "expenses[].items[].receipts (file details; files on request)",
    "expenses_bank_details": "bank_details (masked)",
    "timebank_account": "timebank[]",
    "timebank_entry": "timebank[].statement",
    "timebank_exchange": "timebank[].exchanges",
    "timebank_listing": "timebank[].listings",
    "timebank_match": "timebank[].matches",
    "reminders_preference": "reminder_settings",
    "privacy_request": "privacy_requests",
}

#: Tables that refer to a person but are not exported, and why.
EXCLUDED = {
    "accounts_recovery_code": "hashed two-factor recovery codes: secrets, useless to the person",
    "api_token": "partner API credentials (hashed); staff work records, not about a volunteer",
    "reports_quarterly_subscription": "a partner's choice to be emailed the quarterly report: a "
    "work setting, not about a volunteer; deleted on erasure",
    "organisations_organisation": "names a staff member as safeguarding lead: an organisation's "
    "record, exported in that staff member's audit trail",
    "organisations_role_version": "who approved a task description: staff work record",
    "timebank_coordinator": "who coordinates a time bank: staff work record",
    "timebank_transfer": "who recorded a ledger transfer: staff work record (the person's own "
    "transfers are in their statement)",
    "expenses_approver": "who may approve expenses: staff work record",
    "expenses_batch": "who made or paid a payment batch: staff work record (the person's claims "
    "show the payment)",
    "expenses_policy": "who saved an expenses policy: staff work record",
    "investment_entry": "who entered an investment figure: staff work record",
    "training_session": "who trains a session: staff work record (the person's bookings are "
    "exported)",
}


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj: Any, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every column of a row, except ``drop``."""
    return {
        column.key: _value(getattr(obj, column.key))
        for column in obj.__table__.columns
        if column.key not in drop
    }


def _all(statement: Any) -> list[Any]:
    return list(db.session.scalars(statement))


def resolve(
    *, user: User | None, volunteer: Volunteer | None
) -> tuple[User | None, Volunteer | None]:
    if volunteer is None and user is not None:
        volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
    if user is None and volunteer is not None and volunteer.user_id is not None:
        user = db.session.get(User, volunteer.user_id)
    return user, volunteer


def build_export(*, user: User | None, volunteer: Volunteer | None, full: bool) -> dict[str, Any]:
    """Everything about the person. ``full`` (a formal request, for the administrator to review
    before release) adds supervision confidential notes."""
    user, volunteer = resolve(user=user, volunteer=volunteer)
    data: dict[str, Any] = {
        "generated_at": utcnow().isoformat(),
        "scope": "full (formal request)" if full else "self-service",
        "profile": {},
    }
    if user is not None:
        data["profile"]["account"] = {
            **_row(user, drop=("password_hash", "totp_secret", "session_version")),
            "roles": [r.role for r in user.roles],
            "memberships": [
                {"organisation": m.organisation.name, "role": m.role} for m in user.memberships
            ],
        }
        data["consents"] = [
            _row(c)
            for c in _all(
                select(ConsentRecord)
                .where(ConsentRecord.user_id == user.id)
                .order_by(ConsentRecord.given_at)
            )
        ]
        data["emails"] = [
            _row(m, drop=("body_html",))
            for m in _all(
                select(OutboxMessage)
                .where(
                    or_(OutboxMessage.user_id == user.id, OutboxMessage.to_address == user.email)
                )
                .order_by(OutboxMessage.created_at)
            )
        ]
        data["reminder_settings"] = [
            _row(p)
            for p in _all(select(ReminderPreference).where(ReminderPreference.user_id == user.id))
        ]
        about = [
            (AuditEvent.target_type == "accounts_user") & (AuditEvent.target_id == str(user.id)),
            AuditEvent.actor_id == user.id,
        ]
        if volunteer is not None:
            about.append(
                (AuditEvent.target_type == "volunteers_volunteer")
                & (AuditEvent.target_id == str(volunteer.id))
            )
        events = _all(select(AuditEvent).where(or_(*about)).order_by(AuditEvent.at))
        data["audit"] = [_row(e) for e in events]
        data["sign_in_history"] = [
            {"at": _value(e.at), "action": e.action, "ip": e.ip}
            for e in events
            if e.action.startswith(("auth.", "account.sign", "accounts.sign"))
            or "sign_in" in e.action
            or "signin" in e.action
        ]
        data["privacy_requests"] = _privacy_requests(user_id=user.id)
        data["timebank"] = _timebank(user)
    if volunteer is None:
        return data
    data["profile"]["volunteer"] = _row(volunteer)
    answers = db.session.scalar(
        select(EqualityAnswers).where(EqualityAnswers.volunteer_id == volunteer.id)
    )
    data["equality_answers"] = _row(answers, drop=("volunteer_id",)) if answers else None
    applications = _all(
        select(Application).where(Application.volunteer_id == volunteer.id).order_by(Application.id)
    )
    data["applications"] = [
        {
            **_row(a),
            "role": a.role.title if a.role else None,
            "organisation": a.organisation.name if a.organisation else None,
            "history": [
                _row(e, drop=("application_id",))
                for e in _all(
                    select(ApplicationEvent)
                    .where(ApplicationEvent.application_id == a.id)
                    .order_by(ApplicationEvent.id)
                )
            ],
            # Who was asked for a reference, never what they said (that is the referee's data).
            "references": [
                {
                    "referee_name": r.referee_name,
                    "relationship": r.relationship_to_applicant,
                    "requested_at": _value(r.requested_at),
                    "responded": r.responded_at is not None,
                    "satisfactory": r.satisfactory,
                }
                for r in _all(select(Reference).where(Reference.application_id == a.id))
            ],
        }
        for a in applications
    ]
    data["dbs_records"] = [
        _row(d) for d in _all(select(DbsRecord).where(DbsRecord.volunteer_id == volunteer.id))
    ]
    placements = _all(
        select(Placement).where(Placement.volunteer_id == volunteer.id).order_by(Placement.id)
    )
    data["placements"] = [
        {
            **_row(p),
            "role": p.role.title,
            "organisation": p.organisation.name,
            "task_description_agreed": p.role_version.content,
        }
        for p in placements
    ]
    data["hours"] = [
        _row(h)
        for h in _all(
            select(HourRecord)
            .where(HourRecord.volunteer_id == volunteer.id)
            .order_by(HourRecord.date)
        )
    ]
    data["supervision"] = [
        {
            **_row(s, drop=() if full else ("confidential_notes",)),
            "actions": [_row(a, drop=("record_id",)) for a in s.actions],
        }
        for s in _all(
            select(SupervisionRecord)
            .where(SupervisionRecord.placement_id.in_([p.id for p in placements]))
            .order_by(SupervisionRecord.met_on)
        )
    ]
    data["training"] = {
        "completions": [
            {**_row(c), "course": c.course.title}
            for c in _all(select(Completion).where(Completion.volunteer_id == volunteer.id))
        ],
        "bookings": [
            {**_row(b), "course": b.session.course.title, "held_on": _value(b.session.held_on)}
            for b in _all(select(Booking).where(Booking.volunteer_id == volunteer.id))
        ],
        "exceptions": [
            _row(e)
            for e in _all(
                select(TrainingException).where(TrainingException.volunteer_id == volunteer.id)
            )
        ],
    }
    claims = _all(
        select(ExpenseClaim)
        .where(ExpenseClaim.volunteer_id == volunteer.id)
        .order_by(ExpenseClaim.id)
    )
    data["expenses"] = [
        {
            **_row(c),
            "items": [
                {
                    **_row(i),
                    "receipts": [
                        _row(r, drop=("storage_key",))
                        for r in _all(select(Receipt).where(Receipt.item_id == i.id))
                    ],
                }
                for i in _all(select(ExpenseItem).where(ExpenseItem.claim_id == c.id))
            ],
        }
        for c in claims
    ]
    try:
        details = bank.read(actor=None, volunteer_id=volunteer.id, purpose="subject access export")
    except DomainError:  # keys not configured here: say so rather than fail the whole export
        details = None
    data["bank_details"] = (
        {
            "sort_code": details.masked_sort_code,
            "account_number": details.masked_account_number,
        }
        if details is not None
        else None
    )
    if user is None:
        data["privacy_requests"] = _privacy_requests(volunteer_id=volunteer.id)
    return data


def _privacy_requests(*, user_id: int | None = None, volunteer_id: int | None = None) -> list[Any]:
    from volunteer_hub.privacy.models import PrivacyRequest

    condition = (
        PrivacyRequest.user_id == user_id
        if user_id is not None
        else PrivacyRequest.volunteer_id == volunteer_id
    )
    return [_row(r, drop=("notes",)) for r in _all(select(PrivacyRequest).where(condition))]


def _timebank(user: User) -> list[dict[str, Any]]:
    result = []
    for account in _all(select(Account).where(Account.user_id == user.id)):
        result.append(
            {
                **_row(account),
                "timebank": account.timebank.name,
                "statement": [
                    {
                        "date": _value(line.done_on),
                        "what": line.description or line.kind,
                        "with": line.counterpart,
                        "minutes": line.minutes,
                        "balance_after_minutes": line.balance_after,
                    }
                    for line in timebank_statement(account, limit=None)
                ],
                "exchanges": [
                    _row(e)
                    for e in _all(
                        select(Exchange).where(
                            or_(Exchange.giver_id == account.id, Exchange.receiver_id == account.id)
                        )
                    )
                ],
                "listings": [
                    _row(x) for x in _all(select(Listing).where(Listing.account_id == account.id))
                ],
                "matches": [
                    _row(m) for m in _all(select(Match).where(Match.account_id == account.id))
                ],
            }
        )
    return result
