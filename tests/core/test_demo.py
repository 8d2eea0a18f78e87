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


def test_demo_sign_ins_work(runner, app) -> None:
    import pyotp

    from tests.helpers import post_form
    from volunteer_hub.accounts.demo import DEMO_ADMIN_TOTP_SECRET, DEMO_PASSWORD

    runner.invoke(args=["demo", "seed"])
    client = app.test_client()
    response = post_form(
        client,
        "/sign-in",
        {"email": "volunteer@demo.volunteerhub.invalid", "password": DEMO_PASSWORD},
    )
    assert response.headers["Location"] == "/my-volunteering"
    admin = app.test_client()
    response = post_form(
        admin, "/sign-in", {"email": "admin@demo.volunteerhub.invalid", "password": DEMO_PASSWORD}
    )
    assert response.headers["Location"] == "/sign-in/two-factor"
    code = pyotp.TOTP(DEMO_ADMIN_TOTP_SECRET).now()
    assert post_form(admin, "/sign-in/two-factor", {"code": code}).status_code == 302
    assert admin.get("/admin/users").status_code == 200
