"""The retention schedule: a number of months per kind of record (``None``: keep for ever).

Defaults are in ``DEFAULTS``; an installation overrides them with a single ``RETENTION`` dict in
the app config (``{"applicants": 18}``) or one ``RETENTION_<KIND>`` setting per kind
(``RETENTION_DBS = 6``), the latter winning. Erasure reads it for legal holds, ``retention.purge``
applies it.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

#: kind → months (None: never purged). The order is the order ``purge`` runs and prints them.
DEFAULTS: dict[str, int | None] = {
    # People: erased (anonymised, see erasure.py) after this long without any activity.
    "applicants": 12,  # never placed: months after their last activity
    "volunteers": 36,  # placed at some time: months after their last activity
    # Records.
    "dbs": 6,  # DBS records: deleted this long after the decision
    "references": 0,  # referee details and answers: removed once the application is decided
    "receipts": 72,  # receipt files: after the claim was paid (or submitted, if never paid)
    # Legal holds on erased people's records: anonymised when the hold ends.
    "paid_claims": 72,  # paid expense claims: after payment (HMRC: 6 years)
    "concerns": 72,  # supervision records with a concern recorded: after the meeting
    # Conversations.
    "messages": 24,  # message threads: deleted this long after the thread's last message
    "bulk_messages": 24,  # bulk messages to volunteers and each person's copy: after writing
    # Logs.
    "sign_ins": 24,  # sign-in, sign-out and two-factor entries of the audit log
    "audit": 24,  # every other audit log entry
    "outbox": 24,  # emails, sent or not, after they were queued
}
#: What each kind does to a record, for the command's output.
VERBS = {
    "applicants": "erased",
    "volunteers": "erased",
    "dbs": "deleted",
    "references": "anonymised",
    "receipts": "deleted",
    "paid_claims": "anonymised",
    "concerns": "anonymised",
    "messages": "deleted",
    "bulk_messages": "deleted",
    "sign_ins": "deleted",
    "audit": "deleted",
    "outbox": "deleted",
}


def schedule() -> dict[str, int | None]:
    """The schedule in force: defaults < ``RETENTION`` (a dict) < ``RETENTION_<KIND>``."""
    config = current_app.config
    values = dict(DEFAULTS)
    overrides: dict[str, Any] = dict(config.get("RETENTION") or {})
    for kind in DEFAULTS:
        key = f"RETENTION_{kind.upper()}"
        if key in config:
            overrides[kind] = config[key]
    for kind, value in overrides.items():
        if kind not in DEFAULTS:
            raise ValueError(f"RETENTION: unknown kind {kind!r} (known: {', '.join(DEFAULTS)})")
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "never")):
            values[kind] = None
            continue
        months = int(value)
        if months < 0:
            raise ValueError(f"RETENTION_{kind.upper()} must be 0 or more months")
        values[kind] = months
    return values
