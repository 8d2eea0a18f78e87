"""X-Forwarded-For behind a reverse proxy (issue 19 §4): trusted only when PROXY_FIX_X_FOR says
how many proxies are in front; then rate limits and the audit log see the client's address."""

import pytest
from sqlalchemy import select

from tests.helpers import post_form
from volunteer_hub.accounts.models import AuditEvent
from volunteer_hub.config import ConfigError, load_config

WRONG = {"email": "nobody@example.org", "password": "wrong-password"}


def _from(client, address: str):
    """Requests as the proxy (127.0.0.1) passes them on for a client at ``address``."""
    client.environ_base["HTTP_X_FORWARDED_FOR"] = address
    return client


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "PROXY_FIX_X_FOR": 1}])
def test_behind_one_proxy_each_client_has_its_own_limit(app, app_config, db) -> None:
    first = _from(app.test_client(), "203.0.113.7")
    statuses = [post_form(first, "/sign-in", WRONG).status_code for _ in range(11)]
    assert statuses[-1] == 429 and 429 not in statuses[:10]
    # Another person behind the same proxy is not locked out by the first one's attempts.
    second = _from(app.test_client(), "198.51.100.20")
    assert post_form(second, "/sign-in", WRONG).status_code != 429
    addresses = set(db.session.scalars(select(AuditEvent.ip)))
    assert "203.0.113.7" in addresses and "198.51.100.20" in addresses
    assert "127.0.0.1" not in addresses


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "PROXY_FIX_X_FOR": 1}])
def test_only_the_nearest_proxys_entry_is_trusted(app, app_config, db) -> None:
    # A client writing its own X-Forwarded-For cannot choose its address: the proxy appends
    # the address it saw, and only that last entry is believed.
    client = _from(app.test_client(), "10.9.9.9, 203.0.113.7")
    post_form(client, "/sign-in", WRONG)
    addresses = set(db.session.scalars(select(AuditEvent.ip)))
    assert "203.0.113.7" in addresses and "10.9.9.9" not in addresses


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_without_the_setting_the_header_is_ignored(app, app_config, db) -> None:
    assert app.config["PROXY_FIX_X_FOR"] == 0
    first = _from(app.test_client(), "203.0.113.7")
    for _ in range(10):
        post_form(first, "/sign-in", WRONG)
    # A forged header is no way round the limit: everyone is the connecting address.
    second = _from(app.test_client(), "198.51.100.20")
    assert post_form(second, "/sign-in", WRONG).status_code == 429
    addresses = set(db.session.scalars(select(AuditEvent.ip)))
    assert addresses <= {"127.0.0.1", None} and "203.0.113.7" not in addresses


@pytest.mark.parametrize("raw", ["-1", "yes", "6", "1.5", "²", " "])
def test_a_bad_setting_stops_the_app(raw: str) -> None:
    with pytest.raises(ConfigError, match="PROXY_FIX_X_FOR"):
        load_config(environ={"PROXY_FIX_X_FOR": raw})


def test_the_setting_is_read_from_the_environment() -> None:
    assert load_config(environ={"PROXY_FIX_X_FOR": " 2 "})["PROXY_FIX_X_FOR"] == 2
    assert load_config(environ={})["PROXY_FIX_X_FOR"] == 0
