"""Scheduling tests: personas and sign-in come from tests/conftest.py; ``make_shift`` builds a
shift of a role of Organisation A."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Role
from volunteer_hub.scheduling.models import Shift


def hour(n: float) -> datetime:
    """A whole hour ``n`` hours from now (UTC)."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return now + timedelta(hours=n)


@pytest.fixture
def role(personas: Any) -> Role:
    found = Role(organisation_id=personas.org_a.id, title="Food bank helper")
    db.session.add(found)
    db.session.commit()
    return found


@pytest.fixture
def make_shift(role: Role) -> Callable[..., Shift]:
    def _make(start: float = 72, length: float = 3, **fields: Any) -> Shift:
        values: dict[str, Any] = {"capacity": 2, "who": "anyone", "location": "Hall", **fields}
        shift = Shift(
            role_id=role.id, starts_at=hour(start), ends_at=hour(start + length), **values
        )
        db.session.add(shift)
        db.session.commit()
        return shift

    return _make
