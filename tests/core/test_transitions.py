"""The exactly-once helpers themselves: compare-and-set and the row lock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import OrganisationFactory
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set, lock
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation


def test_compare_and_set_acts_once_then_says_already_done(app) -> None:
    organisation = OrganisationFactory(name="Organisation A")
    db.session.commit()
    compare_and_set(
        organisation, column="name", expected="Organisation A", values={"name": "Renamed"}
    )
    db.session.commit()
    assert organisation.name == "Renamed"
    with pytest.raises(AlreadyDone, match="already done"):
        compare_and_set(
            organisation, column="name", expected="Organisation A", values={"name": "Again"}
        )
    db.session.rollback()
    assert db.session.get(Organisation, organisation.id).name == "Renamed"


def test_lock_changes_nothing_not_even_updated_at(app) -> None:
    organisation = OrganisationFactory(name="Organisation A")
    db.session.flush()
    before = utcnow() - timedelta(days=3)
    organisation.updated_at = before
    db.session.commit()
    locked = lock(organisation)
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(Organisation, locked.id)
    assert again.name == "Organisation A"
    assert again.updated_at == before
