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


def _rows(prefix: str, organisation: str, people: int, hours: str, day: str) -> list[list[str]]:
    return [
        [
            f"{prefix}{n}",
            f"{prefix}{n}@example.org",
            f"{prefix.upper()} {n}",
            organisation,
            "",
            "",
            day,
            hours,
            "no",
        ]
        for n in range(people)
    ]


@pytest.fixture
def data(cli, personas) -> None:
    # 12 volunteers × 8 h at Organisation A and 10 × 4 h at B: 136 h; 136 × 17.96 = £2,442.56.
    # Every group has at least 10 people, so nothing needs suppressing.
    rows = _rows("a", "Organisation A", 12, "8", "2025-06-02")
    rows += _rows("b", "Organisation B", 10, "4", "2025-07-01")
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
    assert body.pop("disclosure")["profile"] == "k10"
    assert body == cli("report", None, "--start", FY["start"], "--end", FY["end"])
    assert body["total_hours"] == "136.00" and body["active_volunteers"] == 22
    assert body["value"]["generalist"]["amount"] == "2442.56"
    assert response.headers["Cache-Control"] == "no-store"
    one = client.get(
        URL, query_string={**FY, "organisation": "organisation a"}, headers=bearer(token)
    )
    assert (
        one.get_json()["total_hours"] == "96.00"
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


@pytest.mark.parametrize("app_config", [{"BASE_URL": "https://volunteer.example.org/"}])
def test_openapi_servers_come_from_base_url_never_the_host_header(client) -> None:
    response = client.get("/api/v1/openapi.json", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert response.get_json()["servers"] == [{"url": "https://volunteer.example.org/api/v1"}]


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


def test_partners_never_get_a_row_about_a_few_people(client, token, cli) -> None:
    """One volunteer at Organisation C (4 h): C's count is suppressed, and B's (10, the next
    smallest) too, else C's could be worked out from the total; their hours and value go with
    them. A (12) is shown. The totals are unchanged (23 volunteers, 140 h)."""
    cli("hours", _rows("c", "Organisation C", 1, "4", "2025-07-02"), "--create-missing")
    body = client.get(URL, query_string=FY, headers=bearer(token)).get_json()
    rows = {row["name"]: row for row in body["by_organisation"]}
    assert rows["Organisation A"] == {
        "name": "Organisation A",
        "hours": "96.00",
        "active_volunteers": 12,
        "value_generalist": "1724.16",
    }
    for name in ("Organisation B", "Organisation C"):
        assert rows[name]["active_volunteers"] == "[c]"
        assert rows[name]["hours"] == "[c]" and rows[name]["value_generalist"] == "[c]"
    assert body["total_hours"] == "140.00" and body["active_volunteers"] == 23
    # The command (run by the centre, not published) still has every figure.
    full = cli("report", None, "--start", FY["start"], "--end", FY["end"])
    assert {r["name"]: r["active_volunteers"] for r in full["by_organisation"]}[
        "Organisation C"
    ] == 1
    # A selection of fewer than 10 people is not published to partners at all.
    alone = client.get(
        URL, query_string={**FY, "organisation": "Organisation C"}, headers=bearer(token)
    )
    assert (
        alone.status_code == 400 and "fewer than 10 active volunteers" in alone.get_json()["error"]
    )


def test_bearer_scheme_is_case_insensitive(client, token, app) -> None:
    assert (
        client.get(URL, query_string=FY, headers={"Authorization": f"bearer {token}"}).status_code
        == 200
    )


@pytest.mark.parametrize(
    "app_config", [{"API_RATE_LIMIT": "3 per minute", "RATELIMIT_ENABLED": True}]
)
def test_made_up_tokens_do_not_each_get_an_allowance(client, data) -> None:
    codes = [
        client.get(URL, query_string=FY, headers=bearer(f"vhp_made-up-{n}")).status_code
        for n in range(5)
    ]
    assert codes == [401, 401, 401, 429, 429]
