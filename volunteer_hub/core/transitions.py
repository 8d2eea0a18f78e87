"""Exactly-once state changes: compare-and-set updates and row locks.

Every change of state is a compare-and-set (``UPDATE … SET status = :new WHERE id = :id AND
status = :expected``, row count checked), so of N identical or conflicting requests exactly one
acts; the others raise :class:`AlreadyDone` *before* any side effect (audit event, email, new
row). Call :func:`compare_and_set` first in a service, then write the side effects.

Where a change is not a status flip (creating a row only if none exists, counting places left),
take :func:`lock` on the parent row first: ``SELECT … FOR UPDATE`` on PostgreSQL, and on SQLite a
no-op write that takes the database's write lock, so the writers queue and each re-reads the
state after the one before it committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy import select, update

from volunteer_hub.core.errors import DomainError

T = TypeVar("T")


class AlreadyDone(DomainError):
    """Another request (a double click, or a colleague) made this change first."""


def compare_and_set(
    obj: Any,
    *,
    expected: str | Iterable[str],
    values: Mapping[str, Any],
    column: str = "status",
    message: str = "This was already done.",
) -> None:
    """``UPDATE <table> SET values WHERE id = obj.id AND <column> IN expected``.

    Exactly one of N concurrent callers sees one row changed; the others get
    :class:`AlreadyDone` (their transaction should be rolled back). ``obj`` is refreshed with
    the values written. Do not change ``obj`` in Python before calling this: pending changes are
    flushed first, without the condition.
    """
    allowed = (expected,) if isinstance(expected, str) else tuple(expected)
    model = obj.__class__
    compare_and_set_where(obj, getattr(model, column).in_(allowed), values=values, message=message)


def lock(obj: T) -> T:
    """Lock ``obj``'s row until the transaction ends and reload it with the latest values."""
    from volunteer_hub.extensions import db

    model = type(obj)
    key = model.id  # type: ignore[attr-defined]
    ident = obj.id  # type: ignore[attr-defined]
    if db.session.get_bind().dialect.name == "sqlite":
        # A write takes SQLite's single write lock; later writers wait for this commit. It
        # writes every column with an ``onupdate`` (``updated_at``) to itself, so taking the lock
        # changes nothing that PostgreSQL's FOR UPDATE would leave alone.
        table = model.__table__  # type: ignore[attr-defined]
        unchanged = {column: column for column in table.columns if column.onupdate is not None}
        db.session.execute(
            update(table).where(table.c.id == ident).values({table.c.id: ident, **unchanged})
        )
        statement = select(model).where(key == ident)
    else:
        statement = select(model).where(key == ident).with_for_update()
    locked = db.session.execute(statement.execution_options(populate_existing=True)).scalar_one()
    return locked


def compare_and_set_where(
    obj: Any,
    *conditions: Any,
    values: Mapping[str, Any],
    message: str = "This was already done.",
) -> None:
    """:func:`compare_and_set` on any condition, not only a status: ``UPDATE <table> SET values
    WHERE id = obj.id AND conditions`` (for example ``Placement.agreed_at.is_(None)``: a moment
    recorded once). Exactly one of N concurrent callers changes the row; the others get
    :class:`AlreadyDone` before any side effect. Call it before changing ``obj`` in Python."""
    from volunteer_hub.extensions import db

    model = obj.__class__  # the model's class, even through a proxy such as current_user
    statement = (
        update(model)
        .where(model.id == obj.id, *conditions)
        .values(**dict(values))
        .execution_options(synchronize_session=False)
    )
    result = db.session.execute(statement)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.session.expire(obj)
        raise AlreadyDone(message)
    db.session.expire(obj, list(values))


def flush_unique(message: str, *, field: str | None = None) -> None:
    """Flush new rows whose uniqueness the database guards (a name, a key): when another request
    inserted the same one first, raise :class:`AlreadyDone` with ``message`` instead of a 500.
    The caller rolls the transaction back, as for any DomainError."""
    from sqlalchemy.exc import IntegrityError

    from volunteer_hub.extensions import db

    try:
        db.session.flush()
    except IntegrityError:
        raise AlreadyDone(message, field=field) from None
