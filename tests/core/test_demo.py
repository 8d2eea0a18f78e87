"""`flask demo seed` creates invented demo data and is idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation


def _counts() -> dict[str, int]:
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def test_demo_seed_creates_data_and_running_twice_changes_nothing(runner, app) -> None:
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "Demo data is ready" in first.output
    after_first = _counts()
    assert after_first["organisations_organisation"] >= 4
    centre = db.session.scalar(select(Organisation).where(Organisation.kind == "volunteer_centre"))
    assert centre is not None
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0, second.output
    db.session.expire_all()
    assert _counts() == after_first
