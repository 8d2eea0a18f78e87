"""Reads every domain's list pages share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from volunteer_hub.extensions import db


def page_of(statement: Select[Any], page: int, size: int) -> list[Any]:
    """One page of rows, and the first of the next page when there is one (size + 1 rows)."""
    return list(db.session.scalars(statement.limit(size + 1).offset((page - 1) * size)))
