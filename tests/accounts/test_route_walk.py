"""Every route refuses an anonymous request unless it is on the public allow-list below."""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter

#: Endpoints anyone may reach without signing in. Adding one here is a security decision.
PUBLIC_ENDPOINTS = {
    "static",
    "core.home",
    "core.healthz",
    "core.accessibility",
    "core.privacy",
    "accounts.register",
    "accounts.check_email",
    "accounts.verify_email",
    "accounts.sign_in",
    "accounts.sign_in_two_factor",  # only with a pending password sign-in; else → sign-in page
    "accounts.sign_out",
    "accounts.forgotten_password",
    "accounts.reset_password",
    "accounts.accept_invitation",
    "accounts.confirm_email_change",
    "api.openapi",  # the API's description only; every data endpoint needs a bearer token (401)
    "recruitment.opportunities",  # public search of published roles
    "recruitment.opportunity",  # a published role's page (404 for anything else)
    "recruitment.reference",  # a referee's signed single-use link (400 without a valid one)
    "messaging.bulk_unsubscribe",  # RFC 8058 one-click unsubscribe: a signed link (404 without)
}

REFUSED = {401, 403, 404}


@pytest.fixture
def app_config() -> dict[str, object]:
    # CSRF off here so that a refusal can only come from the access check.
    return {"WTF_CSRF_ENABLED": False}


def _example_path(app: Flask, rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]  # <int:…> is core.inputs.IdConverter, an int converter
        values[name] = 1 if isinstance(converter, IntegerConverter) else "example"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def test_every_non_public_route_refuses_anonymous_requests(app: Flask, client) -> None:
    checked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        path = _example_path(app, rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method)
            refused = response.status_code in REFUSED or (
                response.status_code == 302 and "/sign-in" in response.headers["Location"]
            )
            assert refused, f"{method} {path} ({rule.endpoint}) answered {response.status_code}"
            checked.append((method, path))
    assert len(checked) >= 15  # the walk really ran over the app's routes


def test_allow_list_names_only_real_endpoints(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints >= PUBLIC_ENDPOINTS, PUBLIC_ENDPOINTS - endpoints


@pytest.mark.parametrize("endpoint", sorted(PUBLIC_ENDPOINTS - {"static", "accounts.sign_out"}))
def test_public_get_routes_answer_anonymously(app: Flask, client, endpoint: str) -> None:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    response = client.get(_example_path(app, rule))
    # Token pages answer 400 ("this link is not valid") for a made-up token, and a made-up
    # opportunity 404; never 5xx.
    assert response.status_code in {200, 302, 400, 404}
