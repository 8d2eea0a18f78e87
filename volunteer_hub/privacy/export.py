"""Everything held about one person, as a JSON-ready dict (subject access).

Each domain's ``privacy.py`` registers its sections of the export
(``core.privacy_hooks.export``); ``build_export`` walks them in order. ``COVERED`` names every
table the export reads for the person; ``EXCLUDED`` names the tables that refer to a person but
are not exported, each with its reason. The metadata-walk test fails when a table that refers to
a person is in neither.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from volunteer_hub.accounts.models import User
from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.core.models import utcnow
from volunteer_hub.privacy.models import PrivacyRequest
from volunteer_hub.privacy.people import resolve
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
    "scheduling_signup": "scheduling.signups",
    "scheduling_interview_booking": "interviews",
    "scheduling_feed_token": "calendar_feed",
    "matching_saved_search": "matching.saved_searches",
    "matching_digest_sent": "matching.digests_sent",
    "matching_invitation": "matching.invitations",
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
    "messaging_thread": "messages.threads",
    "messaging_message": "messages.threads[].messages, messages.written_in_other_threads",
    "messaging_preference": "messages.email_preference",
    "privacy_request": "privacy_requests",
    "messaging_bulk_delivery": "bulk_messages.received",
    "messaging_unsubscribe": "bulk_messages.unsubscribed_from",
}

#: Tables that refer to a person but are not exported, and why.
EXCLUDED = {
    "uploads_upload": "files a coordinator uploaded for import: staff work records, deleted "
    "once imported; the rows they made are exported with the hours, claims and exchanges",
    "accounts_recovery_code": "hashed two-factor recovery codes: secrets, useless to the person",
    "api_token": "partner API credentials (hashed); staff work records, not about a volunteer",
    "reports_quarterly_subscription": "a partner's choice to be emailed the quarterly report: a "
    "work setting, not about a volunteer; deleted on erasure",
    "reports_file": "a report PDF the person asked for on the web: aggregate figures about "
    "organisations, not about the person; kept 24 hours and deleted on erasure",
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
    "messaging_read": "which messages they have opened: a pointer per thread, no content; "
    "deleted on erasure",
    "messaging_pending": "messages waiting for their daily digest (the messages are exported); "
    "deleted on erasure",
    "messaging_digest": "the days a digest was emailed (the emails are exported); deleted on "
    "erasure",
    "training_session": "who trains a session: staff work record (the person's bookings are "
    "exported)",
    "messaging_bulk": "who sent a bulk message: staff work record (each person's copy is exported)",
}


# --- privacy's own section: the record of their requests -------------------------------------


def _privacy_requests(condition: Any) -> list[dict[str, Any]]:
    return hooks.rows(select(PrivacyRequest).where(condition), drop=("notes",))


@hooks.export(50)
def _requests_by_sign_in(subject: hooks.Subject) -> dict[str, Any]:
    if subject.user is None:
        return {}
    return {"privacy_requests": _privacy_requests(PrivacyRequest.user_id == subject.user.id)}


@hooks.export(1000)
def _requests_by_volunteer(subject: hooks.Subject) -> dict[str, Any]:
    if subject.user is not None or subject.volunteer is None:
        return {}
    return {
        "privacy_requests": _privacy_requests(PrivacyRequest.volunteer_id == subject.volunteer.id)
    }


def build_export(*, user: User | None, volunteer: Volunteer | None, full: bool) -> dict[str, Any]:
    """Everything about the person, section by section as the domains registered them.
    ``full`` (a formal request, for the administrator to review before release) adds
    supervision confidential notes."""
    user, volunteer = resolve(user=user, volunteer=volunteer)
    data: dict[str, Any] = {
        "generated_at": utcnow().isoformat(),
        "scope": "full (formal request)" if full else "self-service",
        "profile": {},
    }
    subject = hooks.Subject(user=user, volunteer=volunteer, full=full)
    for _position, section in hooks.registry.export:
        for key, value in section(subject).items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key].update(value)
            else:
                data[key] = value
    return data
