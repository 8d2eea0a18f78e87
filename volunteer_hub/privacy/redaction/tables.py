"""Which columns are free text and which rows are the person's (walking the database metadata).

See the package's docstring for the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Column, Table, and_, or_, select
from sqlalchemy.sql import sqltypes

from volunteer_hub.extensions import db
from volunteer_hub.privacy.redaction.needles import CHUNK

# --- which columns are free text -----------------------------------------------------------

#: Structured columns of the person's rows that are kept as they are: codes, states, keys and
#: hashes. (The safety net still replaces their full name, email or phone wherever found.)
KEPT = frozenset(
    {
        # Sign-in and profile: anonymised by erasure itself.
        "accounts_user.password_hash",
        "accounts_user.totp_secret",
        "volunteers_volunteer.heard_about",  # a code from a list
        "timebank_account.kind",
        "timebank_account.status",
        # Consents: the record of what was agreed stays, without anything identifying.
        "accounts_consent.purpose",
        "accounts_consent.version",
        "accounts_consent.method",
        "accounts_outbox.kind",
        "accounts_outbox.status",
        "accounts_outbox.last_error",  # the mailer's error (erasure writes "recipient erased")
        "accounts_recovery_code.code_hash",
        "accounts_membership.role",
        "api_token.token_hash",
        "scheduling_feed_token.salt",  # random, with the hash of the calendar link's secret
        "scheduling_feed_token.token_hash",
        "api_token.prefix",
        "reminders_preference.kind",
        "privacy_request.kind",
        "privacy_request.status",
        "privacy_request.channel",
        "privacy_request.holds",  # written by erasure: what is kept, until when
        "recruitment_application.stage",
        "recruitment_application.declined_reason",  # a code (DECLINE_REASONS)
        "recruitment_application_event.from_stage",
        "recruitment_application_event.to_stage",
        "recruitment_dbs_record.level",
        "recruitment_dbs_record.workforce",
        "recruitment_dbs_record.outcome",
        "recruitment_reference.nonce",
        "recruitment_reference.would_recommend",
        "placements_placement.end_reason",  # a code (END_REASONS)
        "hours_record.ref",  # the import's reference: re-imports skip the row by it
        "hours_record.status",
        "hours_record.source",
        "hours_record.soc_code",
        "training_booking.status",
        "scheduling_signup.status",
        "scheduling_interview_booking.status",
        "scheduling_interview_booking.uid",  # a random calendar UID
        "training_completion.source",
        "expenses_bank_details.ciphertext",  # deleted by erasure; never text
        "expenses_claim.ref",  # the import's reference
        "expenses_claim.status",
        "expenses_claim.source",
        "expenses_item.type",
        "expenses_item.decision",
        "expenses_receipt.storage_key",
        "expenses_receipt.content_type",
        "expenses_receipt.sha256",
        "supervision_record.format",
        "supervision_action.owner",
        "timebank_listing.kind",
        "timebank_listing.category",
        "timebank_listing.status",
        "timebank_exchange.status",
        "timebank_exchange.recorded_by",
        "timebank_exchange.idempotency_key",
        "timebank_transfer.kind",
        "timebank_transfer.idempotency_key",
        "messaging_thread.kind",
        "messaging_thread.idempotency_key",
        "messaging_message.idempotency_key",
        "messaging_preference.email",
    }
)
#: Anonymised by erasure itself (placeholders, emptied profile): only redacted here.
PROFILES = frozenset({"accounts_user", "volunteers_volunteer", "timebank_account"})

#: Columns that name the row itself rather than say something about someone: never changed in a
#: row that is not the person's and mentions only their name (a namesake's organisation or file).
IDENTITY_COLUMNS = frozenset({"name", "title", "slug", "email", "legal_name", "display_name"})


def text_columns(table: Table) -> list[Column[Any]]:
    """Every String, Text and JSON column of the table (primary keys aside)."""
    return [
        column
        for column in table.columns
        if not column.primary_key and isinstance(column.type, sqltypes.String | sqltypes.JSON)
    ]


def free_text_columns(table: Table) -> list[Column[Any]]:
    return [c for c in text_columns(table) if f"{table.name}.{c.name}" not in KEPT]


# --- which rows are the person's -----------------------------------------------------------

#: Foreign keys from a row of the person's to a row that is theirs alone: its free text is
#: emptied.
EMPTIED_VIA = frozenset(
    {
        "accounts_consent.user_id",
        "accounts_outbox.user_id",
        "accounts_recovery_code.user_id",
        "accounts_membership.user_id",
        "api_token.user_id",
        "scheduling_feed_token.user_id",
        "reminders_preference.user_id",
        "reports_quarterly_subscription.user_id",
        "reports_file.user_id",  # a report PDF they asked for (erasure deletes it and its file)
        "reports_quarterly_delivery.subscription_id",
        "volunteers_equality.volunteer_id",
        "expenses_bank_details.volunteer_id",
        "recruitment_application.volunteer_id",
        "recruitment_dbs_record.volunteer_id",
        "placements_placement.volunteer_id",
        "hours_record.volunteer_id",
        "training_booking.volunteer_id",
        "scheduling_signup.volunteer_id",
        "scheduling_interview_booking.volunteer_id",
        "training_completion.volunteer_id",
        "training_exception.volunteer_id",
        "expenses_claim.volunteer_id",
        "recruitment_application_event.application_id",
        "recruitment_dbs_record.application_id",
        "recruitment_reference.application_id",
        "placements_placement.application_id",
        "hours_record.placement_id",
        "hours_record.replaces_id",
        "supervision_record.placement_id",
        "supervision_action.record_id",
        "expenses_claim.placement_id",
        "expenses_item.claim_id",
        "expenses_receipt.item_id",
        "timebank_listing.account_id",
        "timebank_match.account_id",  # their answers to others' listings
        "matching_saved_search.owner_id",
        "matching_digest_sent.volunteer_id",
        "matching_invitation.volunteer_id",
        "messaging_read.user_id",  # no text
        "messaging_preference.user_id",
        "messaging_pending.user_id",
        "messaging_digest.user_id",
        "messaging_bulk_delivery.volunteer_id",  # their copy of a bulk message (erasure deletes)
        "messaging_unsubscribe.volunteer_id",
    }
)
#: Foreign keys to rows shared with another person, or kept as a record: mentions redacted.
REDACTED_VIA = frozenset(
    {
        "privacy_request.user_id",  # the record of handling their request
        "privacy_request.volunteer_id",
        "timebank_match.listing_id",  # others' answers to their listings
        "timebank_exchange.giver_id",  # theirs alone if the other side is no person
        "timebank_exchange.receiver_id",
        "timebank_entry.account_id",  # no text: leads to their transfers (PARENTS_VIA)
        # Conversations are kept for the other party ("a former volunteer"): mentions redacted.
        "messaging_thread.volunteer_id",
        "messaging_thread.application_id",
        "messaging_thread.placement_id",
        "messaging_thread.listing_id",
        "messaging_message.author_id",
        "messaging_message.thread_id",
    }
)
#: Foreign keys followed the other way: the rows attached rows point to (mentions redacted).
PARENTS_VIA = frozenset({"timebank_entry.transfer_id"})
#: Foreign keys not followed: who acted (staff, deciders, authors of audit events), rows that
#: erasure finds itself, rows reached another way, and rows with no text.
NOT_FOLLOWED = frozenset(
    {
        "accounts_audit_event.actor_id",  # audit events: see _redact_audit
        "accounts_user_role.user_id",  # no text
        "volunteers_volunteer.user_id",  # found by erasure
        "timebank_account.user_id",  # found by erasure (person accounts, by sign-in or email)
        "timebank_coordinator.user_id",
        "api_token.created_by_id",
        "api_token.revoked_by_id",
        "organisations_organisation.safeguarding_lead_user_id",
        "organisations_role_version.approved_by_id",
        "expenses_approver.user_id",
        "expenses_approver.granted_by_id",
        "expenses_batch.created_by_id",
        "expenses_batch.paid_by_id",
        "expenses_policy.created_by_id",
        "expenses_claim.decided_by_id",
        "investment_entry.entered_by_id",
        "privacy_request.logged_by_id",
        "recruitment_application.guardian_consent_recorded_by_id",
        "recruitment_application_event.actor_id",
        "recruitment_dbs_record.decided_by_id",
        "recruitment_reference.requested_by_id",
        "recruitment_reference.marked_by_id",
        "placements_placement.supervisor_id",
        "hours_record.approved_by_id",
        "supervision_record.supervisor_id",
        "training_session.trainer_id",
        "scheduling_signup.hour_record_id",  # hours are reached through the volunteer
        "scheduling_interview_booking.application_id",  # reached through the volunteer
        "training_completion.recorded_by_id",
        "training_exception.recorded_by_id",
        "timebank_account.approved_by_id",
        "timebank_transfer.created_by_id",
        "timebank_transfer.reverses_id",  # a reversal has entries on their accounts too
        "timebank_match.brokered_by_id",
        "timebank_exchange.recorded_by_user_id",
        "timebank_exchange.transfer_id",  # exchanges are reached through their accounts
        "timebank_entry.transfer_id",  # the other side's entries: no text
        "messaging_thread.started_by_id",  # who started it (the volunteer: volunteer_id)
        "messaging_thread.shift_id",  # shifts are an organisation's, reached another way
        "messaging_pending.message_id",  # no text
        "messaging_read.thread_id",  # no text
        "uploads_upload.uploaded_by_id",  # who uploaded (mentions in its lines: uploads.privacy)
        "matching_invitation.invited_by_id",
        "matching_invitation.application_id",  # reached through the volunteer
        "messaging_bulk.sender_id",  # who sent a bulk message: staff work record
    }
)

#: How a row is treated, weakest first: a row reached in several ways gets the strongest.
EMPTY, REDACT, HELD = 0, 1, 2
#: table name → {row id → EMPTY, REDACT or HELD}
Rows = dict[str, dict[int, int]]


def chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _mark(rows: Rows, table: str, row_id: int, how: int) -> bool:
    known = rows.setdefault(table, {})
    if known.get(row_id, -1) >= how:
        return False
    known[row_id] = how
    return True


def _follow(rows: Rows, dirty: set[str]) -> set[str]:
    """One pass over the foreign keys out of the tables that changed; returns those that did."""
    changed: set[str] = set()
    for table in db.metadata.sorted_tables:
        if "id" not in table.c:
            continue
        for column in table.columns:
            for foreign_key in column.foreign_keys:
                key = f"{table.name}.{column.name}"
                parent = foreign_key.column.table.name
                if parent in dirty and (key in EMPTIED_VIA or key in REDACTED_VIA):
                    for how in (EMPTY, REDACT, HELD):
                        ids = [i for i, h in rows[parent].items() if h == how]
                        inherit = max(how, REDACT) if key in REDACTED_VIA else how
                        for chunk in chunks(ids):
                            found = db.session.scalars(select(table.c.id).where(column.in_(chunk)))
                            for row_id in found:
                                if _mark(rows, table.name, row_id, inherit):
                                    changed.add(table.name)
                if table.name in dirty and key in PARENTS_VIA:
                    for chunk in chunks(rows[table.name]):
                        found = db.session.scalars(
                            select(column).where(table.c.id.in_(chunk), column.is_not(None))
                        )
                        for row_id in set(found):
                            if _mark(rows, parent, row_id, REDACT):
                                changed.add(parent)
    return changed


def _theirs_alone(rows: Rows) -> None:
    """Time-bank exchanges and transfers no other person took part in are theirs alone."""
    if not rows.get("timebank_exchange") and not rows.get("timebank_transfer"):
        return
    mine = set(rows.get("timebank_account", {}))
    meta = db.metadata.tables
    accounts, exchanges, entries = (
        meta["timebank_account"],
        meta["timebank_exchange"],
        meta["timebank_entry"],
    )
    people = select(accounts.c.id).where(accounts.c.kind == "person")
    shared = {
        "timebank_exchange": lambda chunk: select(exchanges.c.id).where(
            exchanges.c.id.in_(chunk),
            or_(
                and_(exchanges.c.giver_id.in_(people), exchanges.c.giver_id.not_in(mine)),
                and_(exchanges.c.receiver_id.in_(people), exchanges.c.receiver_id.not_in(mine)),
            ),
        ),
        "timebank_transfer": lambda chunk: select(entries.c.transfer_id).where(
            entries.c.transfer_id.in_(chunk),
            entries.c.account_id.in_(people),
            entries.c.account_id.not_in(mine),
        ),
    }
    for name, query in shared.items():
        candidates = [i for i, how in rows.get(name, {}).items() if how == REDACT]
        with_others: set[int] = set()
        for chunk in chunks(candidates):
            with_others.update(db.session.scalars(query(chunk)))
        for row_id in candidates:
            if row_id not in with_others:
                rows[name][row_id] = EMPTY


def attached_rows(start: dict[str, set[int]], held: dict[str, set[int]]) -> Rows:
    """Every row attached to the person, from ``start`` (table name → ids of theirs), with the
    rows in ``held`` (and the rows under them) kept under a legal hold."""
    rows: Rows = {}
    for table, ids in start.items():
        for row_id in ids:
            _mark(rows, table, row_id, EMPTY)
    for table, ids in held.items():
        for row_id in ids:
            _mark(rows, table, row_id, HELD)
    dirty = set(rows)
    while dirty:
        dirty = _follow(rows, dirty)
    _theirs_alone(rows)
    return rows
