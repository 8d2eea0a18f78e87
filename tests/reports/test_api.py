"""The partner API: bearer tokens (hashed, revocable, last use), the same JSON as the CLI,
JSON errors, rate limits, the OpenAPI document, and the admin screen that issues tokens."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from tests.helpers import post_form
from volunteer_hub.accounts.models import Membership
from volunteer_hub.api.models import ApiToken
from volunteer_hub.api.services import issue_token
from volunteer_hub.extensions import db

pytestmark = pytest.mark.usefixtures("default_rates")

URL = "/api/v1/reports/value"
FY = {"start": "2025-04-01", "end": "2026-03-31"}


@pytest.fixture
def data(cli, personas) -> None:
    # 3 volunteers × 8 h at Organisation A and 1 × 4 h at B: 28 h; 28 × 17.96 = £502.88.
    rows = [
        [
            f"r{n}",
            f"v{n}@example.org",
            f"V {n}",
            "Organisation A",
            "",
            "",
            "2025-06-0" + str(n + 1),
            "8",
            "no",
        ]
        for n in range(3)
    ]
    rows.append(["r9", "w@example.org", "W", "Organisation B", "", "", "2025-07-01", "4", "no"])
    cli("hours", rows, "--create-missing")


@pytest.fixture
def token(personas, data) -> str:
    _row, value = issue_token(actor=personas.admin, holder=personas.partner, name="Council BI")
    db.session.commit()
    return value


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def test_returns_the_same_json_as_the_command(client, token, cli) -> None:
    response = client.get(URL, query_string=FY, headers=bearer(token))
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body == cli("report", None, "--start", FY["start"], "--end", FY["end"])
    assert body["total_hours"] == "28.00" and body["active_volunteers"] == 4
    assert body["value"]["generalist"]["amount"] == "502.88"
    one = client.get(
        URL, query_string={**FY, "organisation": "organisation a"}, headers=bearer(token)
    )
    assert (
        one.get_json()["total_hours"] == "24.00"
        and one.get_json()["organisation"] == "Organisation A"
    )


def test_last_use_is_recorded_and_only_the_hash_is_stored(client, token) -> None:
    row = db.session.scalar(select(ApiToken))
    assert row.last_used_at is None and row.token_hash != token and token not in row.token_hash
    client.get(URL, query_string=FY, headers=bearer(token))
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken)).last_used_at is not None
    dump = " ".join(str(v) for v in db.session.execute(text("SELECT * FROM api_token")).one())
    assert token not in dump


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer vhp_not-a-real-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
)
def test_missing_or_wrong_token_is_401_json(client, data, headers) -> None:
    response = client.get(URL, query_string=FY, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["status"] == 401 and "bearer token" in response.get_json()["error"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_stops_working(client, token, personas, login) -> None:
    assert client.get(URL, query_string=FY, headers=bearer(token)).status_code == 200
    admin = login(personas.admin)
    row = db.session.scalar(select(ApiToken))
    page = admin.get("/admin/api-tokens")
    csrf = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)
    )
    response = admin.post(f"/admin/api-tokens/{row.id}/revoke", data={"csrf_token": csrf.group(1)})
    assert response.status_code == 302
    assert client.get(URL, query_string=FY, headers=bearer(token)).status_code == 401
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is not None


def test_token_stops_working_when_the_partner_role_goes(client, token, personas) -> None:
    db.session.execute(
        Membership.__table__.delete().where(Membership.user_id == personas.partner.id)
    )
    db.session.commit()
    assert client.get(URL, query_string=FY, headers=bearer(token)).status_code == 401


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"end": "2026-03-31"}, "start is required"),
        ({"start": "2025-04-01", "end": "31/03/2026"}, "'31/03/2026' is not a date"),
        ({"start": "2026-04-01", "end": "2025-03-31"}, "end is before start"),
        ({**FY, "organisation": "Nowhere"}, "no organisation is called 'Nowhere'"),
    ],
)
def test_bad_arguments_are_400_json(client, token, query, message) -> None:
    response = client.get(URL, query_string=query, headers=bearer(token))
    assert response.status_code == 400
    assert message in response.get_json()["error"]


@pytest.mark.parametrize(
    "app_config", [{"API_RATE_LIMIT": "3 per minute", "RATELIMIT_ENABLED": True}]
)
def test_rate_limited_per_token(client, token) -> None:
    codes = [client.get(URL, query_string=FY, headers=bearer(token)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get(URL, query_string=FY, headers=bearer(token))
    assert limited.get_json()["status"] == 429


def test_openapi_document(client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    operation = document["paths"]["/reports/value"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"start", "end", "organisation"}
    assert "401" in operation["responses"]
    required = document["components"]["schemas"]["ValueReport"]["required"]
    assert "viva_ratio" in required and "by_organisation" in required


def test_admin_issues_a_token_shown_once(personas, login, data, client) -> None:
    admin = login(personas.admin)
    response = post_form(
        admin,
        "/admin/api-tokens",
        {"holder": str(personas.partner.id), "name": "Council dashboard"},
    )
    assert response.status_code == 201
    shown = re.search(r'id="new-token">(vhp_[^<]+)<', response.get_data(as_text=True)).group(1)
    assert client.get(URL, query_string=FY, headers=bearer(shown)).status_code == 200
    listing = admin.get("/admin/api-tokens").get_data(as_text=True)
    assert "Council dashboard" in listing and shown not in listing and shown[:10] in listing


def test_tokens_only_for_partners_and_only_by_admins(personas, login, data) -> None:
    admin = login(personas.admin)
    response = post_form(
        admin, "/admin/api-tokens", {"holder": str(personas.volunteer.id), "name": "Nope"}
    )
    assert response.status_code == 400
    assert db.session.scalar(select(ApiToken)) is None
    blank = post_form(admin, "/admin/api-tokens", {"holder": str(personas.partner.id), "name": " "})
    assert blank.status_code == 400 and "Enter a name for the token" in blank.get_data(as_text=True)
    for who in ("partner", "centre", "coordinator_a"):
        assert login(personas.get(who)).get("/admin/api-tokens").status_code == 403
