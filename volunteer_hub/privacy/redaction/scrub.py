"""The safety net: every text and JSON column of every table searched for the person."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Column, Text, and_, cast, func, or_, select
from sqlalchemy.sql import sqltypes
from sqlalchemy.sql.elements import ColumnElement

from volunteer_hub.extensions import db
from volunteer_hub.privacy.redaction.needles import (
    PHONE_SEPARATORS,
    SKIP_TABLES,
    Identity,
    Needle,
    mentions,
    redact_near,
)
from volunteer_hub.privacy.redaction.tables import IDENTITY_COLUMNS, PROFILES, Rows, text_columns


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
