"""Redaction of free text for erasure: which columns are free text, which rows are the person's,
and how their name, email and phone are recognised in text.

Columns: every String, Text and JSON column, found by walking the database metadata, is free
text unless ``KEPT`` lists it (codes, states, keys, hashes: structured and not personal). A new
column is therefore redacted until someone decides otherwise.

Rows (``attached_rows``): from the person's sign-in, volunteer record and time-bank accounts,
the foreign keys named in ``EMPTIED_VIA`` and ``REDACTED_VIA`` lead to every row attached to them
(``test_redaction`` fails if a foreign key into those tables is not classified):

- Rows that are theirs alone (hours, applications and their events, supervision, claims and
  items, training, listings, emails to them…): free text is emptied (NULL, or ``[erased]`` where
  a value is required). Rows under a legal hold, and the rows under those, are only redacted.
- Rows shared with another person, or kept as the record of a request (time-bank exchanges and
  transfers with another member, answers to their listings, their privacy requests): mentions of
  them are redacted, the rest is kept for the other person. A time-bank exchange or transfer no
  other person took part in (a grant from the pot, say) is theirs alone.
- Audit events about any of these rows (``target_type``/``target_id``): mentions redacted as
  in the rows; for rows that were emptied, the free-text values (``FREE_TEXT_KEYS``: reason,
  note, name, title…) of their details are emptied too, codes (``placed``, ``unknown_email``)
  kept. Audit events done by the person (what they did may be about someone else): strong
  needles only, and weak ones in a value where a strong one was found.
- Profile tables (``PROFILES``) are anonymised by erasure itself with placeholders: only
  redacted here.

Everywhere else (``scrub``, the safety net): every text and JSON column of every table is
searched for the person's full names (and variants), email addresses and phone numbers, and:

- another person's profile (a row of ``PROFILES`` that is not theirs) is never changed: a
  namesake keeps their name, whatever else the row holds;
- a row not attached to the person is changed only if it holds one of their email addresses or
  phone numbers (``Identity.contact``, in any of its columns): then their full names, addresses
  and numbers are replaced in every column, and the distinctive name parts and email local part
  in the values where one of those was found. A full name alone there (an organisation, a role
  title, another volunteer's note) may be a namesake's and is left;
- a row attached to the person gets the same in every text column, codes included.

Matching (``Identity``):

- strong: each full name; its "first last" form (for a name of three words or more); "Mr, Mrs,
  Ms, Miss, Mx, Dr or Prof" + the surname (with or without the particles before it: "Mr van
  Dyke", "Mr. Dyke") when the surname is distinctive, the title kept; whole words,
  case-insensitive, replaced by the placeholder name;
- strong: an email address: case-insensitive; replaced by the placeholder address;
- strong: a phone number: by its digits, whatever spaces, dashes, dots, slashes or brackets are
  between them, and in its ``0…``, ``44…``, ``+44…``, ``0044…`` and ``+44 (0)…`` forms;
  replaced by ``[erased]``;
- weak: each distinctive part of a name (split at spaces, hyphens and apostrophes) and the
  local part of an email, whole words, case-insensitive (name parts by the placeholder name,
  local parts by ``[erased]``). Distinctive: ``MIN_PART_LENGTH`` (3) letters or more, not a
  particle or common word (``COMMON_WORDS``: van, de, la, will, may, rose…), not a word of the
  placeholders. So "I will pick you up in my van" or "Reunión de la comunidad" are never
  touched for "Will van Dyke" (will@…) or "Maria de la Cruz"; those words go only as part of
  a strong match.

Weak needles are used in the person's own rows (whose free text is emptied anyway), in rows
shared with them or held (an answer to their listing, an exchange with them: a distinctive
part of their name there is them), in audit events about those rows, and elsewhere only in a
value where a strong needle was found.

``timebank_entry`` is never touched: it is append-only by database trigger, and holds no text
(reasons and descriptions live on ``timebank_transfer`` and ``timebank_exchange``, which may be
updated).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Table, Text, and_, bindparam, cast, func, or_, select
from sqlalchemy.sql import sqltypes
from sqlalchemy.sql.elements import ColumnElement

from volunteer_hub.accounts.models import AuditEvent
from volunteer_hub.extensions import db

#: Replaces free text in columns that may not be empty.
ERASED_TEXT = "[erased]"
ERASED_DOMAIN = "erased.invalid"
#: Never scanned or changed: append-only by database trigger (and holds no text).
SKIP_TABLES = frozenset({"timebank_entry"})
#: Full names shorter than this are not searched for everywhere (too likely in other words).
MIN_NAME_LENGTH = 3
#: Parts of a name (and email local parts) shorter than this are not redacted on their own.
MIN_PART_LENGTH = 3
#: Particles and common words that are also names: never redacted on their own (only as part
#: of a full name, a "first last" or "Mr/Ms surname" variant, or an email address).
COMMON_WORDS = frozenset(
    {
        # Particles.
        "van",
        "von",
        "der",
        "den",
        "ter",
        "de",
        "del",
        "della",
        "dos",
        "das",
        "do",
        "du",
        "des",
        "la",
        "le",
        "les",
        "da",
        "di",
        "el",
        "al",
        "bin",
        "ben",
        "ibn",
        "bint",
        "ap",
        "st",
        "mac",
        "mc",
        "the",
        "and",
        "y",
        "e",
        # Words that are also first names or surnames.
        "will",
        "may",
        "mark",
        "rose",
        "bill",
        "hope",
        "joy",
        "grace",
        "faith",
        "dawn",
        "june",
        "april",
        "august",
        "summer",
        "ivy",
        "iris",
        "lily",
        "daisy",
        "holly",
        "heather",
        "violet",
        "pearl",
        "ruby",
        "amber",
        "sky",
        "rich",
        "frank",
        "grant",
        "guy",
        "jack",
        "ray",
        "rob",
        "sue",
        "pat",
        "art",
        "bob",
        "chase",
        "hunter",
        "king",
        "young",
        "white",
        "black",
        "green",
        "brown",
        "grey",
        "gray",
        "long",
        "short",
        "hill",
        "wood",
        "stone",
        "field",
        "cook",
        "baker",
        "miller",
        "page",
        "hall",
        "bell",
        "best",
        "said",
        "love",
        "rain",
        "ash",
        "sage",
        "don",
        "sun",
        "star",
        "dot",
        "ivory",
        "wolf",
        "fox",
        "lamb",
    }
)
#: Titles before a surname: "Mr Lindqvist" is a variant of the full name.
TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr", "prof")
MIN_PHONE_DIGITS = 6
#: What may stand between the digits of a phone number.
PHONE_GAP = r"[\s().\-/]{0,3}"
#: A bracket opened before a code and closed just after it, as in "(01632) 960000", "(+44)".
_OPENING = r"(?:\((?=[^()]{1,6}\)))?"
#: Removed from a column before SQL looks for a phone number's digits in it.
PHONE_SEPARATORS = (" ", "\t", "\n", "\r", "\u00a0", "-", ".", "(", ")", "/")
#: Values that mark text as already erased (by erasure, or by retention's "[removed]").
ERASED_MARKERS = frozenset({"", ERASED_TEXT, "[removed]"})
_PLACEHOLDER = re.compile(
    rf"erased (?:person|user) \d+|erased-v?\d+@{re.escape(ERASED_DOMAIN)}", re.IGNORECASE
)
#: Words of the placeholders: a name part equal to one of them is not redacted.
_PLACEHOLDER_WORDS = frozenset({"erased", "person", "user", "invalid"})
#: Keys of audit details that hold free text (a value that is a code is kept, except under
#: ``NAME_KEYS``: a name or title someone typed is never a code).
NAME_KEYS = frozenset({"name", "title"})
FREE_TEXT_KEYS = (
    frozenset({"reason", "note", "notes", "message", "comment", "comments", "description", "text"})
    | NAME_KEYS
)
_CODE = re.compile(r"[a-z0-9_.:\-]*")
_CHUNK = 500

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
        "reminders_preference.user_id",
        "reports_quarterly_subscription.user_id",
        "reports_quarterly_delivery.subscription_id",
        "volunteers_equality.volunteer_id",
        "expenses_bank_details.volunteer_id",
        "recruitment_application.volunteer_id",
        "recruitment_dbs_record.volunteer_id",
        "placements_placement.volunteer_id",
        "hours_record.volunteer_id",
        "training_booking.volunteer_id",
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
        "training_completion.recorded_by_id",
        "training_exception.recorded_by_id",
        "timebank_account.approved_by_id",
        "timebank_transfer.created_by_id",
        "timebank_transfer.reverses_id",  # a reversal has entries on their accounts too
        "timebank_match.brokered_by_id",
        "timebank_exchange.recorded_by_user_id",
        "timebank_exchange.transfer_id",  # exchanges are reached through their accounts
        "timebank_entry.transfer_id",  # the other side's entries: no text
    }
)

#: How a row is treated, weakest first: a row reached in several ways gets the strongest.
EMPTY, REDACT, HELD = 0, 1, 2
#: table name → {row id → EMPTY, REDACT or HELD}
Rows = dict[str, dict[int, int]]


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


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
                        for chunk in _chunks(ids):
                            found = db.session.scalars(select(table.c.id).where(column.in_(chunk)))
                            for row_id in found:
                                if _mark(rows, table.name, row_id, inherit):
                                    changed.add(table.name)
                if table.name in dirty and key in PARENTS_VIA:
                    for chunk in _chunks(rows[table.name]):
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
        for chunk in _chunks(candidates):
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


# --- how the person is recognised ----------------------------------------------------------


@dataclass(frozen=True)
class Needle:
    pattern: re.Pattern[str]
    replacement: str
    #: What SQL looks for (case-insensitively) to find the values to check; empty: the needle
    #: is only used on rows already known to be attached to the person.
    search: tuple[str, ...] = ()
    #: Look for ``search`` in the column with spaces and punctuation removed (phone numbers).
    digits: bool = False

    def sub(self, value: str) -> str:
        """Replace every match; a ``keep`` group (a title before a surname) stays."""
        if "keep" not in self.pattern.groupindex:
            return self.pattern.sub(lambda _: self.replacement, value)
        return self.pattern.sub(lambda m: (m.group("keep") or "") + self.replacement, value)


@dataclass(frozen=True)
class Identity:
    """How the person appears in text. ``strong`` needles (full names and their variants, email
    addresses, phone numbers) are looked for wherever the person may be mentioned; ``weak`` ones
    (distinctive name parts, email local parts) only in rows attached to the person, or in a
    value where a strong one was found. ``contact`` (email addresses and phone numbers, also in
    ``strong``) identify the person on their own: a row not attached to them is only rewritten
    by the safety net if it holds one of them."""

    strong: tuple[Needle, ...] = ()
    weak: tuple[Needle, ...] = ()
    contact: tuple[Needle, ...] = ()

    @property
    def needles(self) -> tuple[Needle, ...]:
        return self.strong + self.weak


def is_placeholder(text: str) -> bool:
    lowered = text.casefold()
    return lowered.startswith("erased person ") or lowered.startswith("erased user ")


def _words(text: str, replacement: str, *, searched: bool) -> Needle:
    body = r"\s+".join(re.escape(part) for part in text.split())
    pattern = re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)
    return Needle(pattern, replacement, (text,) if searched else ())


def is_distinctive(part: str) -> bool:
    """A name part that may be redacted on its own: long enough, not a particle or a common
    word, not a word of the placeholders."""
    folded = part.casefold()
    return (
        len(part) >= MIN_PART_LENGTH
        and folded not in COMMON_WORDS
        and folded not in _PLACEHOLDER_WORDS
        and any(c.isalpha() for c in part)
    )


def _name_parts(name: str) -> set[str]:
    parts: set[str] = set()
    for word in name.split():
        word = word.strip('.,;:()"')
        parts.add(word)
        parts.update(re.split(r"[-‐'’.]+", word))
    return {p for p in parts if is_distinctive(p)}


def _variants(name: str, replacement: str) -> list[Needle]:
    """ "First Last" of a longer name, and "Mr/Ms … Last" (with any particles before the
    surname: "Mr van Dyke", "Mr Dyke") when the surname is distinctive."""
    words = name.split()
    if len(words) < 2:
        return []
    needles: list[Needle] = []
    first, last = words[0], words[-1]
    if len(words) > 2:
        needles.append(_words(f"{first} {last}", replacement, searched=True))
    if is_distinctive(last.strip('.,;:()"')):
        particles: list[str] = []
        for word in reversed(words[1:-1]):
            if word.casefold() not in COMMON_WORDS:
                break
            particles.insert(0, word)
        before = "".join(rf"(?:{re.escape(p)}\s+)?" for p in particles)
        titles = "|".join(TITLES)
        pattern = re.compile(
            rf"(?<!\w)(?P<keep>(?:{titles})\.?\s+){before}{re.escape(last)}(?!\w)", re.IGNORECASE
        )
        needles.append(Needle(pattern, replacement))
    return needles


def _email_needle(email: str, replacement: str) -> Needle:
    pattern = re.compile(rf"(?<![\w.+-]){re.escape(email)}(?![\w-]|\.\w)", re.IGNORECASE)
    return Needle(pattern, replacement, (email,))


def _local_part_needle(email: str) -> Needle | None:
    local = email.split("@", 1)[0]
    if not is_distinctive(local):
        return None
    pattern = re.compile(rf"(?<![\w.+-]){re.escape(local)}(?![\w+-]|\.\w)", re.IGNORECASE)
    return Needle(pattern, ERASED_TEXT)


def _phone_needle(phone: str) -> Needle | None:
    """The number by its digits, in its national (0…) and international (+44…) forms."""
    digits = re.sub(r"\D", "", phone)
    international = phone.strip().startswith("+") or digits.startswith("00")
    digits = digits[2:] if digits.startswith("00") else digits
    if international and not digits.startswith("44"):
        number, prefix = digits, rf"(?:{_OPENING}(?:\+|00){PHONE_GAP})?"  # as written
    else:
        number = digits[2:] if international else digits
        number = number[1:] if number.startswith("0") else number
        country = rf"(?:(?:\+|00){PHONE_GAP})?44{PHONE_GAP}(?:\(0\){PHONE_GAP})?"
        prefix = rf"(?:{_OPENING}{country}|{_OPENING}0{PHONE_GAP})?"
    if len(number) < MIN_PHONE_DIGITS:
        return None
    body = PHONE_GAP.join(number)
    pattern = re.compile(rf"(?<![\d+]){prefix}{body}(?!\d)")
    return Needle(pattern, ERASED_TEXT, (number,), digits=True)


def identity(
    *,
    names: Iterable[str],
    emails: Iterable[str],
    phones: Iterable[str],
    name_placeholder: str,
    email_placeholder: str,
) -> Identity:
    """The needles for a person known by these names, addresses and numbers."""
    full = {" ".join(n.split()) for n in names if n and n.strip()}
    full = {n for n in full if not is_placeholder(n)}
    addresses = {
        e.strip().lower()
        for e in emails
        if e and "@" in e and not e.strip().lower().endswith("@" + ERASED_DOMAIN)
    }
    by_address = [_email_needle(e, email_placeholder) for e in sorted(addresses)]
    by_name: list[Needle] = []
    # Longer names first, so "Ann Smith-Jones" is replaced before "Ann Smith"; then variants.
    for name in sorted(full, key=len, reverse=True):
        if len(name) >= MIN_NAME_LENGTH:
            by_name.append(_words(name, name_placeholder, searched=True))
    for name in sorted(full, key=len, reverse=True):
        by_name += _variants(name, name_placeholder)
    by_number = [n for n in (_phone_needle(p) for p in sorted(set(phones)) if p) if n]
    # Name parts before email local parts: "Sam" of sam@… becomes the placeholder name.
    parts = set().union(*(_name_parts(n) for n in full)) if full else set()
    weak = [
        _words(p, name_placeholder, searched=False) for p in sorted(parts, key=len, reverse=True)
    ]
    weak += [n for n in (_local_part_needle(e) for e in sorted(addresses)) if n]
    return Identity(
        tuple(by_address + by_name + by_number), tuple(weak), tuple(by_address + by_number)
    )


def redact_text(value: str, needles: Iterable[Needle]) -> str:
    for needle in needles:
        value = needle.sub(value)
    return value


def redact_near(value: Any, identity: Identity, *, keys: bool = False) -> Any:
    """Strong needles everywhere in the value (with ``keys``: a JSON document's keys too);
    weak ones only in the strings where a strong one was found."""
    if isinstance(value, str):
        new = redact_text(value, identity.strong)
        return redact_text(new, identity.weak) if new != value else value
    if isinstance(value, list):
        return [redact_near(item, identity, keys=keys) for item in value]
    if isinstance(value, dict):
        return {
            (redact_text(k, identity.strong) if keys and isinstance(k, str) else k): redact_near(
                v, identity, keys=keys
            )
            for k, v in value.items()
        }
    return value


def mentions(value: Any, needles: Iterable[Needle]) -> bool:
    """Whether any of the needles is found in the value (of a JSON document: any string)."""
    if isinstance(value, str):
        return any(n.pattern.search(value) for n in needles)
    if isinstance(value, list):
        return any(mentions(item, needles) for item in value)
    if isinstance(value, dict):
        return any(mentions(k, needles) or mentions(v, needles) for k, v in value.items())
    return False


def redact_json(value: Any, needles: tuple[Needle, ...], *, keys: bool = True) -> Any:
    if isinstance(value, str):
        return redact_text(value, needles)
    if isinstance(value, list):
        return [redact_json(item, needles, keys=keys) for item in value]
    if isinstance(value, dict):
        return {
            (redact_text(k, needles) if keys and isinstance(k, str) else k): redact_json(
                v, needles, keys=keys
            )
            for k, v in value.items()
        }
    return value


def _redact(column: Column[Any], value: Any, needles: tuple[Needle, ...]) -> Any:
    if isinstance(column.type, sqltypes.JSON):
        return redact_json(value, needles, keys=False)
    new = redact_text(value, needles)
    length = getattr(column.type, "length", None)
    return new[:length] if length else new


def _is_erased(value: str) -> bool:
    return value.strip() in ERASED_MARKERS or _PLACEHOLDER.fullmatch(value.strip()) is not None


def _emptied(column: Column[Any], value: Any, needles: tuple[Needle, ...]) -> Any:
    if isinstance(column.type, sqltypes.JSON):
        return None if column.nullable else _redact(column, value, needles)
    if _is_erased(value):
        return value
    return None if column.nullable else ERASED_TEXT


def _empty_free_text(details: Any) -> Any:
    """Audit details with the free-text values of ``FREE_TEXT_KEYS`` emptied (codes kept)."""
    if isinstance(details, list):
        return [_empty_free_text(item) for item in details]
    if not isinstance(details, dict):
        return details
    emptied: dict[Any, Any] = {}
    for key, value in details.items():
        if (
            key in FREE_TEXT_KEYS
            and isinstance(value, str)
            and (key in NAME_KEYS or not _CODE.fullmatch(value))
            and not _is_erased(value)
        ):
            emptied[key] = ERASED_TEXT
        else:
            emptied[key] = _empty_free_text(value)
    return emptied


# --- rewriting -----------------------------------------------------------------------------


@dataclass
class Counts:
    #: Values emptied (free text of the person's own rows).
    emptied: int = 0
    #: Values in which mentions of the person were replaced.
    replaced: int = 0
    #: The rows (table name, id; audit events aside) whose free text was emptied.
    emptied_rows: set[tuple[str, int]] = field(default_factory=set)


def _write(table: Table, updates: list[dict[str, Any]]) -> None:
    """One executemany per set of changed columns."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for values in updates:
        columns = tuple(sorted(k for k in values if k != "_id"))
        groups.setdefault(columns, []).append(values)
    for columns, params in groups.items():
        statement = (
            table.update()
            .where(table.c.id == bindparam("_id"))
            .values({c: bindparam(f"_{c}") for c in columns})
        )
        db.session.execute(
            statement, [{"_id": p["_id"], **{f"_{c}": p[c] for c in columns}} for p in params]
        )


def _rewrite(
    table: Table, rows: dict[int, int], needles: tuple[Needle, ...], counts: Counts
) -> None:
    columns = free_text_columns(table)
    if not columns or "id" not in table.c or table.name in SKIP_TABLES:
        return
    profile = table.name in PROFILES
    updates: list[dict[str, Any]] = []
    for chunk in _chunks(rows):
        for row in db.session.execute(select(table.c.id, *columns).where(table.c.id.in_(chunk))):
            values: dict[str, Any] = {}
            for column, old in zip(columns, row[1:], strict=True):
                if old is None:
                    continue
                if rows[row[0]] == EMPTY and not profile:
                    new = _emptied(column, old, needles)
                    if new != old:
                        counts.emptied += 1
                else:
                    new = _redact(column, old, needles)
                    if new != old:
                        counts.replaced += 1
                if new != old:
                    values[column.name] = new
            if values:
                updates.append({"_id": row[0], **values})
                if rows[row[0]] == EMPTY and not profile:
                    counts.emptied_rows.add((table.name, row[0]))
    if updates:
        _write(table, updates)


def _redact_audit(rows: Rows, actor_id: int | None, identity: Identity, counts: Counts) -> None:
    """Audit events about the person's rows (free text emptied for rows that were, mentions
    redacted), or done by them (strong needles; weak ones only in a value where a strong one
    was found: what they did may be about someone else). Core statements: the ORM refuses to
    change the audit log, and only erasure may."""
    table = AuditEvent.__table__
    assert isinstance(table, Table)
    changed: dict[int, Any] = {}
    seen: set[int] = set()

    needles = identity.needles

    def consider(event_id: int, details: Any, how: int | None) -> None:
        seen.add(event_id)
        emptied = _empty_free_text(details) if how == EMPTY else details
        if how is None:
            new = redact_near(emptied, identity)
        else:
            new = redact_json(emptied, needles, keys=False)
        if new != details:
            changed[event_id] = new
            if emptied != details:
                counts.emptied += 1
            else:
                counts.replaced += 1

    for name, found in rows.items():
        by_id = {str(k): v for k, v in found.items()}
        for chunk in _chunks(found):
            for event_id, target_id, details in db.session.execute(
                select(table.c.id, table.c.target_id, table.c.details).where(
                    table.c.target_type == name, table.c.target_id.in_([str(i) for i in chunk])
                )
            ):
                consider(event_id, details, by_id[target_id])
    if actor_id is not None and needles:
        for event_id, details in db.session.execute(
            select(table.c.id, table.c.details).where(table.c.actor_id == actor_id)
        ):
            if event_id not in seen:
                consider(event_id, details, None)
    if changed:
        _write(table, [{"_id": k, "details": v} for k, v in changed.items()])


def redact(
    identity: Identity,
    *,
    start: dict[str, set[int]],
    held: dict[str, set[int]] | None = None,
    actor_id: int | None = None,
) -> Counts:
    """Empty the free text of the person's own rows and redact them everywhere else (see the
    module's docstring); flushes first, expires the session's objects after (Core statements)."""
    db.session.flush()
    rows = attached_rows(start, held or {})
    needles = identity.needles
    counts = Counts()
    for table in db.metadata.sorted_tables:
        if rows.get(table.name):
            _rewrite(table, rows[table.name], needles, counts)
    _redact_audit(rows, actor_id, identity, counts)
    counts.replaced += scrub(identity, rows)
    db.session.expire_all()
    return counts


# --- the safety net ------------------------------------------------------------------------


def _contains(expression: ColumnElement[Any], text: str) -> ColumnElement[bool]:
    return func.lower(expression).contains(text.lower(), autoescape=True)


def _without_separators(expression: ColumnElement[Any]) -> ColumnElement[Any]:
    for separator in PHONE_SEPARATORS:
        expression = func.replace(expression, separator, "")
    return expression


def _conditions(column: Column[Any], needles: tuple[Needle, ...]) -> list[ColumnElement[bool]]:
    document = isinstance(column.type, sqltypes.JSON)
    value: ColumnElement[Any] = cast(column, Text) if document else column
    conditions: list[ColumnElement[bool]] = []
    for needle in needles:
        target = _without_separators(value) if needle.digits else value
        for text in needle.search:
            conditions.append(_contains(target, text))
            escaped = json.dumps(text)[1:-1]
            if document and escaped != text:
                conditions.append(_contains(target, escaped))
    return conditions


def scrub(identity: Identity, attached: Rows | None = None) -> int:
    """The safety net: every text and JSON column of every table (but the append-only ledger)
    is searched for the person's full names (and variants), email addresses and phone numbers.

    - A row attached to the person (``attached``) is redacted in every text column, codes
      included: strong needles everywhere, weak ones in the values where a strong one was found.
    - Another person's profile (a row of ``PROFILES`` not in ``attached``) is never changed:
      a namesake keeps their name.
    - Any other row that holds one of their email addresses or phone numbers (in any of its
      columns) is redacted the same way.
    - Any other row that holds only their full name has it redacted in its free-text columns
      (notes, reasons, descriptions, details), never in the columns that name the row itself
      (``IDENTITY_COLUMNS``: an organisation's or a role's name): erasure must leave no trace of the
      person in free text, so a mention of a namesake there is redacted too. That is the price of
      certainty, and it only ever removes a name, never a record.

    Returns how many values changed."""
    if not identity.strong:
        return 0
    attached = attached or {}
    db.session.flush()
    changed = 0
    for table in db.metadata.sorted_tables:
        columns = text_columns(table)
        if table.name in SKIP_TABLES or not columns:
            continue
        conditions = [c for column in columns for c in _conditions(column, identity.strong)]
        keys = list(table.primary_key.columns)
        theirs = attached.get(table.name, {}) if "id" in table.c else {}
        profile = table.name in PROFILES
        if profile and not theirs:
            continue
        rows = db.session.execute(select(*keys, *columns).where(or_(*conditions))).all()
        for row in rows:
            values_before = row[len(keys) :]
            name_only = False
            if "id" in table.c and row[keys.index(table.c.id)] in theirs:
                pass
            elif profile:
                continue
            elif not any(mentions(v, identity.contact) for v in values_before):
                name_only = True
            values: dict[str, Any] = {}
            for column, old in zip(columns, values_before, strict=True):
                if old is None or (name_only and column.name in IDENTITY_COLUMNS):
                    continue
                if isinstance(column.type, sqltypes.JSON):
                    new = redact_near(old, identity, keys=True)
                else:
                    new = redact_near(old, identity)
                    length = getattr(column.type, "length", None)
                    new = new[:length] if length and new != old else new
                if new != old:
                    values[column.name] = new
            if values:
                where = and_(*[key == row[i] for i, key in enumerate(keys)])
                db.session.execute(table.update().where(where).values(values))
                changed += len(values)
    db.session.expire_all()
    return changed
