"""The application factory, configuration, health check, error pages and headers."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask import Flask, abort
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from tests.conftest import TEST_SECRET_KEY, base_config
from tests.fail_closed import REPOSITORY_KEYS
from volunteer_hub import ConfigError, create_app
from volunteer_hub.config import (
    INSTANCE_SECRET_KEY_FILE,
    KNOWN_SECRET_KEYS,
    ROOT,
    load_config,
    normalise_database_url,
)
from volunteer_hub.extensions import db

PUBLIC_URL = "https://volunteer.example.org"
UNREACHABLE_DB = "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=1"


def test_defaults_are_safe_and_use_sqlite_in_instance() -> None:
    config = load_config(environ={})
    assert config["SQLALCHEMY_DATABASE_URI"].endswith("/instance/volunteer_hub.db")
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["WTF_CSRF_ENABLED"] is True


def test_environment_overrides_defaults_and_overrides_win() -> None:
    env = {"CENTRE_NAME": "Eastfield Volunteer Centre", "DATABASE_URL": "postgresql://u@h/d"}
    config = load_config(environ=env)
    assert config["CENTRE_NAME"] == "Eastfield Volunteer Centre"
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/d"
    config = load_config({"CENTRE_NAME": "Westfield"}, environ=env)
    assert config["CENTRE_NAME"] == "Westfield"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://a@b/c", "postgresql+psycopg://a@b/c"),
        ("postgres://a@b/c", "postgresql+psycopg://a@b/c"),
        ("postgresql+psycopg://a@b/c", "postgresql+psycopg://a@b/c"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_people_paste_are_accepted(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


@pytest.mark.parametrize(
    "key", [None, "", "dev", "change-me", "short", "  padded-but-short  ", *REPOSITORY_KEYS]
)
def test_production_refuses_missing_or_default_secret_key(key: str | None) -> None:
    env = {"FLASK_ENV": "production"}
    if key is not None:
        env["SECRET_KEY"] = key
    with pytest.raises(ConfigError) as raised:
        load_config(environ=env)
    assert "SECRET_KEY" in str(raised.value)
    assert "\n" not in str(raised.value)


# Failing closed: no shipped key, no unknown environment ---------------------------------------


@pytest.fixture
def bare_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No environment name and no key in this process's environment."""
    for name in ("SECRET_KEY", "FLASK_ENV", "VOLUNTEER_HUB_ENV", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def _config_without_key(database_url: str, instance: Path) -> dict[str, object]:
    config = {**base_config(database_url), "INSTANCE_PATH": str(instance)}
    del config["SECRET_KEY"]
    return config


def test_no_secret_key_ships_in_the_code() -> None:
    config = load_config(environ={})
    assert config["ENV"] == "development"
    assert config["SECRET_KEY"] is None  # made per instance by create_app, never a constant
    source = (ROOT / "volunteer_hub" / "config.py").read_text()
    assert 'DEFAULT_SECRET_KEY = "' not in source
    assert set(REPOSITORY_KEYS) <= KNOWN_SECRET_KEYS


@pytest.mark.parametrize("variable", ["FLASK_ENV", "VOLUNTEER_HUB_ENV"])
@pytest.mark.parametrize("name", ["prod", "Prod", "staging", "dev", "production1", " "])
def test_an_unknown_environment_name_refuses_to_start(variable: str, name: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(environ={variable: name, "SECRET_KEY": TEST_SECRET_KEY})
    message = str(raised.value)
    assert "unknown environment name" in message and repr(name) in message
    assert "development, testing, production" in message
    assert "\n" not in message


def test_an_unknown_environment_name_given_to_create_app_refuses_to_start(tmp_path) -> None:
    with pytest.raises(ConfigError, match="unknown environment name 'prod'"):
        create_app({**base_config(f"sqlite:///{tmp_path / 'x.db'}"), "ENV": "prod"})


@pytest.mark.parametrize("name", ["Production ", " PRODUCTION", "production\n"])
def test_known_environment_names_are_trimmed_and_case_blind(name: str) -> None:
    config = load_config(
        environ={"FLASK_ENV": name, "SECRET_KEY": TEST_SECRET_KEY, "BASE_URL": PUBLIC_URL}
    )
    assert config["ENV"] == "production"
    assert config["SESSION_COOKIE_SECURE"] is True
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(environ={"FLASK_ENV": name})


def test_two_environment_variables_naming_different_environments_refuse_to_start() -> None:
    env = {"VOLUNTEER_HUB_ENV": "development", "FLASK_ENV": "production"}
    with pytest.raises(ConfigError, match="different environments"):
        load_config(environ={**env, "SECRET_KEY": TEST_SECRET_KEY})


@pytest.mark.parametrize("environment", ["development", "testing", "production", None])
@pytest.mark.parametrize("key", REPOSITORY_KEYS)
def test_keys_from_the_repository_are_refused_in_every_environment(
    environment: str | None, key: str
) -> None:
    env = (
        {"SECRET_KEY": key}
        if environment is None
        else {"SECRET_KEY": key, "FLASK_ENV": environment}
    )
    with pytest.raises(ConfigError, match="published in the code"):
        load_config(environ=env)
    with pytest.raises(ConfigError, match="published in the code"):
        load_config({"SECRET_KEY": TEST_SECRET_KEY, "SECRET_KEY_FALLBACKS": [key]}, environ={})


def test_without_environment_or_key_a_random_key_is_made_once_in_the_instance_folder(
    tmp_path: Path, bare_environment: None
) -> None:
    instance = tmp_path / "instance"
    url = f"sqlite:///{tmp_path / 'x.db'}"
    first = create_app(_config_without_key(url, instance))
    key_file = instance / INSTANCE_SECRET_KEY_FILE
    assert first.instance_path == str(instance)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.secret_key == key_file.read_text().strip()
    assert len(first.secret_key) >= 43 and first.secret_key not in KNOWN_SECRET_KEYS
    assert [p.name for p in instance.iterdir()] == [INSTANCE_SECRET_KEY_FILE]  # no temporary left
    # The next start reuses it (sessions survive a restart); another instance has its own.
    assert create_app(_config_without_key(url, instance)).secret_key == first.secret_key
    other = create_app(_config_without_key(url, tmp_path / "other"))
    assert other.secret_key != first.secret_key


def test_processes_starting_together_agree_on_the_instance_key(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    start_at = time.time() + 1.5
    script = (
        "import sys, time; from pathlib import Path;"
        "from volunteer_hub.config import instance_secret_key;"
        f"time.sleep(max(0, {start_at} - time.time()));"
        "print(instance_secret_key(Path(sys.argv[1])))"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(instance)],
            cwd=ROOT,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert all(process.returncode == 0 for process in processes)
    assert keys == {(instance / INSTANCE_SECRET_KEY_FILE).read_text().strip()}
    assert [p.name for p in instance.iterdir()] == [INSTANCE_SECRET_KEY_FILE]


@pytest.mark.parametrize("content", ["", "short", "dev-insecure-secret-key-change-me"])
def test_an_unusable_instance_key_file_refuses_to_start(
    tmp_path: Path, bare_environment: None, content: str
) -> None:
    (tmp_path / INSTANCE_SECRET_KEY_FILE).write_text(content)
    with pytest.raises(ConfigError, match="does not hold a usable key"):
        create_app(_config_without_key(f"sqlite:///{tmp_path / 'x.db'}", tmp_path))


def test_wsgi_with_a_misspelt_environment_exits_with_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        env={"FLASK_ENV": "prod", "SECRET_KEY": TEST_SECRET_KEY, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        "Volunteer Hub cannot start: unknown environment name 'prod' in FLASK_ENV; "
        "use one of development, testing, production"
    ], result.stderr


def test_production_with_real_key_starts_with_secure_cookies() -> None:
    config = load_config(
        environ={"FLASK_ENV": "production", "SECRET_KEY": TEST_SECRET_KEY, "BASE_URL": PUBLIC_URL}
    )
    assert config["SESSION_COOKIE_SECURE"] is True


def test_wsgi_in_production_without_key_exits_with_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        env={"FLASK_ENV": "production", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Volunteer Hub cannot start: SECRET_KEY")


def test_create_app_makes_no_database_connection() -> None:
    # An unreachable database must not stop the factory: it makes no queries or connections.
    app = create_app(base_config(UNREACHABLE_DB))
    assert isinstance(app, Flask)


def test_sqlite_runs_with_foreign_keys_and_wal(tmp_path) -> None:
    app = create_app(base_config(f"sqlite:///{tmp_path / 'x.db'}"))
    with app.app_context():
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        db.session.remove()
        db.engine.dispose()


def test_healthz_reports_ok_when_database_answers(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_fails_with_503_when_database_is_down() -> None:
    app = create_app(base_config(UNREACHABLE_DB))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] != "ok"


def test_database_down_for_a_signed_in_person_gives_the_503_page() -> None:
    """The error page must not load the person from the database that failed (issue 19's
    PostgreSQL restart under load: gunicorn's bare 500 and a traceback)."""
    app = create_app({**base_config(UNREACHABLE_DB), "PROPAGATE_EXCEPTIONS": False})
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:1"  # "<user id>:<session version>"
    response = client.get("/opportunities")
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.get_data(as_text=True)


def test_a_connection_lost_after_the_answer_does_not_turn_it_into_a_500(monkeypatch) -> None:
    """PostgreSQL restarting between a page's answer and the session's end (the rollback when
    the session is removed fails) must not replace the answer with the server's bare 500."""
    app = create_app({**base_config("sqlite://"), "PROPAGATE_EXCEPTIONS": False})

    @app.get("/_test/answered")
    def answered() -> str:
        session = db.session.registry()

        def close() -> None:
            raise OperationalError("ROLLBACK", {}, Exception("terminating connection"))

        monkeypatch.setattr(session, "close", close)
        return "answered"

    response = app.test_client().get("/_test/answered")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "answered"


def test_rate_limits_fall_back_to_memory_while_redis_is_down() -> None:
    """Redis restarting must not turn every rate-limited form into a 500 (issue 19)."""
    app = create_app(
        {
            **base_config("sqlite://"),
            "PROPAGATE_EXCEPTIONS": False,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
    client = app.test_client()
    for _ in range(3):
        response = client.post("/sign-in", data={"email": "a@example.org", "password": "wrong"})
        assert response.status_code in {200, 400}


def _app_with_failing_routes() -> Flask:
    app = create_app({**base_config("sqlite://"), "PROPAGATE_EXCEPTIONS": False, "TESTING": False})

    @app.get("/_test/boom")
    def boom() -> str:
        raise RuntimeError("secret internals: password=hunter2")

    @app.get("/_test/db-down")
    def db_down() -> str:
        raise OperationalError("SELECT secret FROM users", {}, Exception("connection refused"))

    @app.get("/_test/abort/<int:code>")
    def aborts(code: int) -> str:
        abort(code)

    return app


@pytest.mark.parametrize("code", [400, 403, 404, 413, 429])
def test_error_pages_use_the_service_layout(code: int) -> None:
    client = _app_with_failing_routes().test_client()
    response = client.get(f"/_test/abort/{code}")
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert "Volunteer Hub" in html
    assert "govuk-footer" in html
    assert f"Error code {code}" in html


def test_unhandled_error_gives_friendly_500_without_internals() -> None:
    client = _app_with_failing_routes().test_client()
    response = client.get("/_test/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in html
    assert "hunter2" not in html and "Traceback" not in html


def test_database_outage_gives_503_page_without_sql() -> None:
    client = _app_with_failing_routes().test_client()
    response = client.get("/_test/db-down")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Sorry, the service is unavailable" in html
    assert "SELECT" not in html


def test_unknown_page_is_404(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_html_responses_carry_security_headers(client) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert "script-src 'self' 'nonce-" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert "Strict-Transport-Security" not in response.headers


def test_every_inline_script_carries_the_request_nonce(client) -> None:
    response = client.get("/")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    html = response.get_data(as_text=True)
    import re

    for tag in re.findall(r"<script[^>]*>", html):
        assert f'nonce="{nonce}"' in tag or "src=" in tag, tag


def test_hsts_in_production(database_url: str) -> None:
    app = create_app({**base_config(database_url), "ENV": "production", "BASE_URL": PUBLIC_URL})
    response = app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_home_page_shows_service_and_configurable_centre_name(database_url: str) -> None:
    app = create_app({**base_config(database_url), "CENTRE_NAME": "Eastfield Volunteer Centre"})
    html = app.test_client().get("/").get_data(as_text=True)
    assert "Volunteer Hub" in html
    assert "Eastfield Volunteer Centre" in html
    assert "govuk-header__logotype" not in html  # no GOV.UK crown
    assert "skip-link" in html


@pytest.mark.parametrize("path", ["/accessibility", "/privacy"])
def test_footer_pages_exist(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200


def test_flash_messages_render_as_notification_banners(app: Flask) -> None:
    from flask import flash, render_template

    with app.test_request_context("/"):
        flash("Your details were saved", "success")
        html = render_template("core/home.html")
    assert "govuk-notification-banner--success" in html
    assert "Your details were saved" in html


def test_compiled_stylesheet_uses_no_gds_transport_font() -> None:
    from volunteer_hub.config import ROOT

    css = (ROOT / "static" / "dist" / "app.css").read_text()
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "govuk-service-navigation" in css
