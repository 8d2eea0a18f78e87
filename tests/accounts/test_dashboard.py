"""After signing in each person lands where their work is: staff on what needs them (with counts
and links), volunteers on their volunteering, partners on reports."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.conftest import (
    IsolatedClient,
    base_config,
    discard_database,
    new_database_url,
)
from tests.helpers import post_form
from volunteer_hub import create_app
from volunteer_hub.accounts.demo import DEMO_ADMIN_TOTP_SECRET, DEMO_PASSWORD
from volunteer_hub.expenses.models import ClaimStatus, ExpenseClaim
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord, HourStatus
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.recruitment.models import Application, Stage

DEMO = "@demo.volunteerhub.invalid"


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database with the demo data, seeded once for this module (about 10 s each time): its
    tests only sign in and read."""
    url = new_database_url(tmp_path_factory.mktemp("demo"), "vh_demo")
    application = create_app(base_config(url))
    with application.app_context():
        db.create_all()
        result = application.test_cli_runner().invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()
    yield url
    discard_database(url)


@pytest.fixture
def app(demo_database: str, app_config: dict[str, object]) -> Iterator[Flask]:
    """The app on the module's demo database, left as it is after each test."""
    application = create_app({**base_config(demo_database), **app_config})
    application.test_client_class = IsolatedClient
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def demo(app: Flask) -> None:
    """The demo data: already in the module's database."""


def _sign_in(app: Flask, who: str) -> tuple[FlaskClient, str]:
    client = app.test_client()
    response = post_form(client, "/sign-in", {"email": who + DEMO, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    if response.headers["Location"] == "/sign-in/two-factor":
        code = pyotp.TOTP(DEMO_ADMIN_TOTP_SECRET).now()
        response = post_form(client, "/sign-in/two-factor", {"code": code})
    return client, response.headers["Location"]


@pytest.mark.parametrize(
    ("who", "landing"),
    [
        ("volunteer", "/my-volunteering"),
        ("partner", "/reports/value"),
        ("befriending", "/dashboard"),
        ("centre", "/dashboard"),
        ("admin", "/dashboard"),  # an administrator who also volunteers: their work first
    ],
)
def test_each_person_lands_where_their_work_is(
    app: Flask, demo: None, who: str, landing: str
) -> None:
    client, location = _sign_in(app, who)
    assert location == landing
    assert client.get(location).status_code == 200


def _rows(html: str) -> dict[str, str]:
    """The dashboard's summary list: label → the count as written."""
    pairs = re.findall(
        r'<dt class="govuk-summary-list__key">\s*(.*?)\s*</dt>\s*'
        r'<dd class="govuk-summary-list__value[^"]*">\s*(.*?)\s*</dd>',
        html,
        re.S,
    )
    return {key: re.sub(r"<[^>]+>", "", value).strip() for key, value in pairs}


def _written(count: int, one: str, many: str) -> str:
    return "None" if count == 0 else f"{count:,} {one if count == 1 else many}"


def test_a_coordinators_dashboard_counts_what_waits_in_their_organisation(
    app: Flask, demo: None
) -> None:
    riverside = db.session.scalar(
        select(Organisation.id).where(Organisation.name == "Riverside Befriending Network")
    )
    hours = db.session.scalar(
        select(func.count(HourRecord.id)).where(
            HourRecord.organisation_id == riverside,
            HourRecord.status == HourStatus.SUBMITTED.value,
        )
    )
    applicants = db.session.scalar(
        select(func.count(Application.id)).where(
            Application.organisation_id == riverside,
            Application.contacted_at.is_(None),
            Application.stage.in_([Stage.ENQUIRY.value, Stage.APPLIED.value]),
        )
    )
    claims = db.session.scalar(
        select(func.count(ExpenseClaim.id)).where(
            ExpenseClaim.organisation_id == riverside,
            ExpenseClaim.status == ClaimStatus.SUBMITTED.value,
        )
    )
    db.session.commit()
    client, _ = _sign_in(app, "befriending")
    html = client.get("/dashboard").get_data(as_text=True)
    rows = _rows(html)
    assert rows["Hours to approve"] == _written(hours, "record", "records")
    assert rows["Applicants to answer"] == _written(applicants, "applicant", "applicants")
    assert rows["Expense claims to approve"] == _written(claims, "claim", "claims")
    assert "Supervision meetings overdue" in rows and "Agreed actions overdue" in rows
    for href in ("/hours/approvals", "/expenses/approvals", "/supervision/overdue"):
        assert f'href="{href}"' in html
    # The counts are this organisation's, not the borough's.
    everyone = db.session.scalar(
        select(func.count(HourRecord.id)).where(HourRecord.status == HourStatus.SUBMITTED.value)
    )
    db.session.commit()
    centre, _ = _sign_in(app, "centre")
    centre_rows = _rows(centre.get("/dashboard").get_data(as_text=True))
    assert centre_rows["Hours to approve"] == _written(everyone, "record", "records")
    assert everyone > hours or everyone == hours == 0


@pytest.mark.parametrize("who", ["volunteer", "partner"])
def test_volunteers_and_partners_have_no_staff_dashboard(app: Flask, demo: None, who: str) -> None:
    client, _ = _sign_in(app, who)
    assert client.get("/dashboard").status_code == 403
