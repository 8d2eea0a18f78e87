"""Test harness: the app on SQLite by default, or on PostgreSQL when TEST_DATABASE_URL is set.

Each test session creates its own database (a temporary SQLite file, or a new PostgreSQL
database that is dropped at the end), builds the schema once, and empties every table after each
test. CSRF protection stays on: tests post forms with :func:`tests.helpers.post_form`.

Shared by every test folder: the named personas (``personas``) and the sign-in helper
(``login``, :func:`sign_in`) so permission tests read as "A can, B can't"; a published role
(``publish``, with :data:`COMPLETE` and :func:`in_good_standing`); and ``categories``, which
seeds the categories and postcode areas the migration would (folders whose tests need them on
every test make it autouse in their own conftest).
"""

from __future__ import annotations

import contextvars
import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from freezegun import freeze_time
from sqlalchemy import make_url, select, text
from sqlalchemy.engine import Connection, Engine
from werkzeug.test import TestResponse

from tests.factories import PASSWORD, OrganisationFactory, UserFactory
from tests.helpers import post_form
from volunteer_hub import create_app
from volunteer_hub.accounts.models import User
from volunteer_hub.config import normalise_database_url
from volunteer_hub.core.geo import ensure_bundled_outcodes
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db as _db
from volunteer_hub.organisations.models import Category, Organisation, Role
from volunteer_hub.organisations.roles import (
    approve_role,
    ensure_default_categories,
    save_role,
    submit_role,
)

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
        # A test database need not survive a power cut: a commit does not wait for the WAL to
        # reach the disk (every statement and lock behaves as before).
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')  # type: ignore[arg-type]
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


#: PostgreSQL: restart every id sequence that has been used, in one statement.
_RESTART_SEQUENCES = text(
    "SELECT setval(format('%I.%I', schemaname, sequencename), 1, false) FROM pg_sequences"
    " WHERE last_value IS NOT NULL AND schemaname = current_schema()"
)
#: Append-only by trigger (the time bank's entries): emptied by TRUNCATE, which fires no row
#: trigger; nothing references them.
_APPEND_ONLY = ("timebank_entry",)


def _tables_with_rows(conn: Connection, names: list[str]) -> set[str]:
    """Which of ``names`` hold at least one row: one statement, an EXISTS per table."""
    probe = " UNION ALL ".join(
        # The model's own table names, not input.
        f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")"  # noqa: S608
        for name in names
    )
    return {row[0] for row in conn.execute(text(probe))} if names else set()


def empty_all_tables(engine: Engine) -> None:
    """Every table empty and (PostgreSQL) every id sequence restarted, as in a new database.

    Only the tables that hold rows are emptied, children first, with DELETE: a TRUNCATE …
    CASCADE of every table took 0.25–0.45 s a test on PostgreSQL (new files for every table
    and index), a sixth of that pass; these deletes take a few milliseconds."""
    tables = _db.metadata.sorted_tables
    with engine.begin() as conn:
        used = _tables_with_rows(conn, [table.name for table in tables])
        postgres = engine.dialect.name == "postgresql"
        if postgres:
            for name in used.intersection(_APPEND_ONLY):
                conn.execute(text(f'TRUNCATE "{name}"'))
        elif used:
            # The time bank's entries are append-only by trigger; only the test harness lifts it.
            from volunteer_hub.timebank.models import SQLITE_UNGUARD

            for statement in SQLITE_UNGUARD:
                conn.execute(text(statement))
        for table in reversed(tables):
            if table.name in used and not (postgres and table.name in _APPEND_ONLY):
                conn.execute(table.delete())
        if postgres:
            conn.execute(_RESTART_SEQUENCES)
        elif used:
            from volunteer_hub.timebank.models import SQLITE_GUARDS

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


# --- Personas and signing in ---------------------------------------------------------------

ADMIN_TOTP = pyotp.random_base32()


@dataclass
class Personas:
    org_a: Organisation
    org_b: Organisation
    council: Organisation
    volunteer: User
    coordinator_a: User
    coordinator_b: User
    centre: User
    partner: User
    admin: User
    stranger: User

    def get(self, name: str) -> User:
        user = getattr(self, name)
        assert isinstance(user, User)
        return user


@pytest.fixture
def personas(app: Flask) -> Personas:
    org_a = OrganisationFactory(name="Organisation A")
    org_b = OrganisationFactory(name="Organisation B")
    council = OrganisationFactory(name="Borough Council", kind="statutory")
    admin = UserFactory(email="admin@example.test", roles=["admin"])
    admin.totp_secret = ADMIN_TOTP
    admin.totp_enabled_at = utcnow()
    people = Personas(
        org_a=org_a,
        org_b=org_b,
        council=council,
        volunteer=UserFactory(email="volunteer@example.test"),
        coordinator_a=UserFactory(email="coord-a@example.test", roles=[], coordinates=[org_a]),
        coordinator_b=UserFactory(email="coord-b@example.test", roles=[], coordinates=[org_b]),
        centre=UserFactory(email="centre@example.test", roles=["centre_coordinator"]),
        partner=UserFactory(email="partner@example.test", roles=[], partner_of=[council]),
        admin=admin,
        stranger=UserFactory(email="stranger@example.test"),
    )
    _db.session.commit()
    return people


def sign_in(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    response = post_form(client, "/sign-in", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    if response.headers["Location"].endswith("/sign-in/two-factor"):
        code = pyotp.TOTP(user.totp_secret or "").now()
        response = post_form(client, "/sign-in/two-factor", {"code": code})
        assert response.status_code == 302


@pytest.fixture
def login(app: Flask) -> Callable[[User], FlaskClient]:
    """``login(user)`` → a new test client signed in as ``user`` through the real forms."""

    def _login(user: User) -> FlaskClient:
        client = app.test_client()
        sign_in(client, user)
        return client

    return _login


# --- Organisations in good standing and published roles ------------------------------------

TODAY = date.today()

COMPLETE: dict[str, Any] = {
    "purpose": "Reduce loneliness among older neighbours.",
    "activities": "Visit one older person each week for a cup of tea and a chat.",
    "skills": "A good listener.",
    "commitment": "regular",
    "hours_per_week": 2,
    "days_and_times": "Weekday afternoons",
    "location_type": "on_site",
    "postcode": "ab1 2cd",
    "support_given": "Induction and a named contact.",
    "supervised_by": "Volunteer Coordinator",
    "supervision_every_weeks": 6,
    "expenses_policy": "Bus fares repaid monthly with receipts.",
    "dbs_level": "none",
}


def in_good_standing(organisation: Organisation) -> Organisation:
    organisation.safeguarding_lead = "Safeguarding Lead (invented)"
    organisation.safeguarding_review_date = TODAY + timedelta(days=200)
    organisation.insurance_expiry = TODAY + timedelta(days=200)
    return organisation


@pytest.fixture
def publish(personas: Personas) -> Callable[..., Role]:
    """``publish(organisation, title, categories=[keys], **fields)`` → a published role."""

    def _publish(
        organisation: Organisation,
        title: str,
        categories: tuple[str, ...] = ("befriending",),
        **fields: Any,
    ) -> Role:
        in_good_standing(organisation)
        ids = list(_db.session.scalars(select(Category.id).where(Category.key.in_(categories))))
        role = save_role(
            actor=personas.centre,
            organisation=organisation,
            values={**COMPLETE, "title": title, **fields},
            category_ids=ids,
        )
        submit_role(actor=personas.centre, role=role)
        approve_role(actor=personas.centre, role=role, today=TODAY)
        _db.session.commit()
        return role

    return _publish


@pytest.fixture
def categories(app: Flask) -> None:
    """The migration seeds categories; tests build tables with create_all, so add them here."""
    ensure_default_categories()
    ensure_bundled_outcodes()
    _db.session.commit()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the whole session, for the browser tests in every folder (e2e/, jobs/,
    uploads/): import nothing from tests.e2e.conftest to get it, just ask for ``browser``."""
    from tests.e2e.conftest import launch_browser

    yield from launch_browser()
