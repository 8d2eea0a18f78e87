"""Test harness: the app on SQLite by default, or on PostgreSQL when TEST_DATABASE_URL is set.

Each test session creates its own database (a temporary SQLite file, or a new PostgreSQL
database that is dropped at the end), builds the schema once, and empties every table after each
test. CSRF protection stays on: tests post forms with :func:`tests.helpers.post_form`.
"""

from __future__ import annotations

import contextvars
import os
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from freezegun import freeze_time
from sqlalchemy import make_url, text
from sqlalchemy.engine import Engine
from werkzeug.test import TestResponse

from volunteer_hub import create_app
from volunteer_hub.config import normalise_database_url
from volunteer_hub.extensions import db as _db

#: A new random key for each test run: a key written in the repository is refused everywhere.
TEST_SECRET_KEY = secrets.token_urlsafe(48)


def base_config(database_url: str) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        "MAIL_SERVER": "",
    }


def create_postgres_database(server_url: str, prefix: str = "vh_test") -> str:
    """Create a new, empty PostgreSQL database next to ``server_url`` and return its URL."""
    import psycopg

    url = make_url(normalise_database_url(server_url))
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(database_url: str) -> None:
    import psycopg

    url = make_url(database_url)
    name = url.database
    admin = url.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def new_database_url(tmp_dir: Path, prefix: str = "vh_test") -> str:
    server = os.environ.get("TEST_DATABASE_URL")
    if server:
        return create_postgres_database(server, prefix)
    return f"sqlite:///{tmp_dir / (prefix + '-' + uuid.uuid4().hex[:8] + '.db')}"


def discard_database(url: str) -> None:
    if url.startswith("postgresql"):
        drop_postgres_database(url)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = new_database_url(tmp_path_factory.mktemp("db"))
    app = create_app(base_config(url))
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()
    yield url
    discard_database(url)


def empty_all_tables(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
            if names:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            # The time bank's entries are append-only by trigger; only the test harness lifts it.
            from volunteer_hub.timebank.models import SQLITE_GUARDS, SQLITE_UNGUARD

            for statement in SQLITE_UNGUARD:
                conn.execute(text(statement))
            for table in reversed(_db.metadata.sorted_tables):
                conn.execute(table.delete())
            for statement in SQLITE_GUARDS:
                conn.execute(text(statement))


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in a fresh context, as in production.

    The ``app`` fixture keeps an application context pushed for the test body; without this,
    Flask would reuse it for requests, sharing ``g`` (and the database session) between the test
    and every request it makes. Tests therefore commit before making requests, and refresh
    objects afterwards, just as separate processes would have to.
    """

    def open(self, *args: object, **kwargs: object) -> TestResponse:  # type: ignore[override]
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app_config() -> dict[str, object]:
    """Override in a test module (or parametrize) to change settings for its app."""
    return {}


@pytest.fixture
def app(database_url: str, app_config: dict[str, object]) -> Iterator[Flask]:
    application = create_app({**base_config(database_url), **app_config})
    application.test_client_class = IsolatedClient
    with application.app_context():
        yield application
        _db.session.remove()
        empty_all_tables(_db.engine)
        _db.engine.dispose()


@pytest.fixture
def db(app: Flask):
    return _db


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def frozen_clock() -> Iterator[object]:
    """A frozen clock at a fixed instant; call ``frozen_clock.move_to(...)`` or ``.tick(...)``."""
    with freeze_time("2026-03-15 10:00:00", tz_offset=0) as frozen:
        yield frozen


@pytest.fixture
def parallel(app: Flask) -> Iterator[object]:
    """A threaded server on 127.0.0.1 serving ``app``, for real parallel requests
    (:class:`tests.parallel.Parallel`)."""
    from tests.parallel import Parallel

    server = Parallel(app)
    yield server
    server.close()
