"""Helpers for recruitment tests: organisations in good standing and published roles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.accounts.conftest import login, personas  # noqa: F401
from tests.value_fixtures import cli  # noqa: F401
from volunteer_hub.core.geo import ensure_bundled_outcodes
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Category, Organisation, Role
from volunteer_hub.organisations.roles import (
    approve_role,
    ensure_default_categories,
    save_role,
    submit_role,
)

TODAY = date.today()

COMPLETE: dict[str, Any] = {
    "purpose": "Reduce loneliness among older neighbours.",
    "activities": "Visit one older person each week for a cup of tea and a chat.",
    "skills": "A good listener.",
    "commitment": "regular",
    "hours_per_week": 2,
    "days_and_times": "Weekday afternoons",
    "location_type": "on_site",
    "postcode": "ab1 2cd",
    "support_given": "Induction and a named contact.",
    "supervised_by": "Volunteer Coordinator",
    "supervision_every_weeks": 6,
    "expenses_policy": "Bus fares repaid monthly with receipts.",
    "dbs_level": "none",
}


def in_good_standing(organisation: Organisation) -> Organisation:
    organisation.safeguarding_lead = "Safeguarding Lead (invented)"
    organisation.safeguarding_review_date = TODAY + timedelta(days=200)
    organisation.insurance_expiry = TODAY + timedelta(days=200)
    return organisation


@pytest.fixture
def publish(personas) -> Callable[..., Role]:  # noqa: F811 - the imported fixture
    """``publish(organisation, title, categories=[keys], **fields)`` → a published role."""

    def _publish(
        organisation: Organisation,
        title: str,
        categories: tuple[str, ...] = ("befriending",),
        **fields: Any,
    ) -> Role:
        in_good_standing(organisation)
        ids = list(db.session.scalars(select(Category.id).where(Category.key.in_(categories))))
        role = save_role(
            actor=personas.centre,
            organisation=organisation,
            values={**COMPLETE, "title": title, **fields},
            category_ids=ids,
        )
        submit_role(actor=personas.centre, role=role)
        approve_role(actor=personas.centre, role=role, today=TODAY)
        db.session.commit()
        return role

    return _publish


@pytest.fixture(autouse=True)
def categories(app) -> None:
    """The migration seeds categories; tests build tables with create_all, so add them here."""
    ensure_default_categories()
    ensure_bundled_outcodes()
    db.session.commit()
