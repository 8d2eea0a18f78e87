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

from volunteer_hub.core.privacy_hooks import ERASED_DOMAIN, ERASED_TEXT
from volunteer_hub.extensions import db
from volunteer_hub.privacy.redaction.needles import (
    COMMON_WORDS,
    Identity,
    Needle,
    identity,
    is_distinctive,
    is_placeholder,
    mentions,
    redact_json,
    redact_near,
    redact_text,
)
from volunteer_hub.privacy.redaction.rewrite import Counts, redact_audit, rewrite
from volunteer_hub.privacy.redaction.scrub import scrub
from volunteer_hub.privacy.redaction.tables import (
    EMPTIED_VIA,
    EMPTY,
    HELD,
    IDENTITY_COLUMNS,
    KEPT,
    NOT_FOLLOWED,
    PARENTS_VIA,
    PROFILES,
    REDACT,
    REDACTED_VIA,
    Rows,
    attached_rows,
    free_text_columns,
    text_columns,
)

__all__ = [
    "COMMON_WORDS",
    "EMPTIED_VIA",
    "EMPTY",
    "ERASED_DOMAIN",
    "ERASED_TEXT",
    "HELD",
    "IDENTITY_COLUMNS",
    "KEPT",
    "NOT_FOLLOWED",
    "PARENTS_VIA",
    "PROFILES",
    "REDACT",
    "REDACTED_VIA",
    "Counts",
    "Identity",
    "Needle",
    "Rows",
    "attached_rows",
    "free_text_columns",
    "identity",
    "is_distinctive",
    "is_placeholder",
    "mentions",
    "redact",
    "redact_json",
    "redact_near",
    "redact_text",
    "scrub",
    "text_columns",
]


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
            rewrite(table, rows[table.name], needles, counts)
    redact_audit(rows, actor_id, identity, counts)
    counts.replaced += scrub(identity, rows)
    db.session.expire_all()
    return counts
