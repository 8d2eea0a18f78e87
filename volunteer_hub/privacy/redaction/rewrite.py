"""Rewriting the person's rows: their free text emptied, mentions of them redacted, and the
audit events about those rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Table, bindparam, select
from sqlalchemy.sql import sqltypes

from volunteer_hub.core.privacy_hooks import ERASED_TEXT
from volunteer_hub.extensions import db
from volunteer_hub.privacy.redaction.needles import (
    CODE,
    ERASED_MARKERS,
    FREE_TEXT_KEYS,
    NAME_KEYS,
    PLACEHOLDER,
    SKIP_TABLES,
    Identity,
    Needle,
    redact_json,
    redact_near,
    redact_text,
)
from volunteer_hub.privacy.redaction.tables import (
    EMPTY,
    PROFILES,
    Rows,
    chunks,
    free_text_columns,
)


def _redact(column: Column[Any], value: Any, needles: tuple[Needle, ...]) -> Any:
    if isinstance(column.type, sqltypes.JSON):
        return redact_json(value, needles, keys=False)
    new = redact_text(value, needles)
    length = getattr(column.type, "length", None)
    return new[:length] if length else new


def is_erased(value: str) -> bool:
    return value.strip() in ERASED_MARKERS or PLACEHOLDER.fullmatch(value.strip()) is not None


def _emptied(column: Column[Any], value: Any, needles: tuple[Needle, ...]) -> Any:
    if isinstance(column.type, sqltypes.JSON):
        return None if column.nullable else _redact(column, value, needles)
    if is_erased(value):
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
            and (key in NAME_KEYS or not CODE.fullmatch(value))
            and not is_erased(value)
        ):
            emptied[key] = ERASED_TEXT
        else:
            emptied[key] = _empty_free_text(value)
    return emptied


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


def rewrite(
    table: Table, rows: dict[int, int], needles: tuple[Needle, ...], counts: Counts
) -> None:
    columns = free_text_columns(table)
    if not columns or "id" not in table.c or table.name in SKIP_TABLES:
        return
    profile = table.name in PROFILES
    updates: list[dict[str, Any]] = []
    for chunk in chunks(rows):
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


def redact_audit(rows: Rows, actor_id: int | None, identity: Identity, counts: Counts) -> None:
    """Audit events about the person's rows (free text emptied for rows that were, mentions
    redacted), or done by them (strong needles; weak ones only in a value where a strong one
    was found: what they did may be about someone else). Core statements: the ORM refuses to
    change the audit log, and only erasure may."""
    table = db.metadata.tables["accounts_audit_event"]
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
        for chunk in chunks(found):
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
