"""`flask db upgrade` on an empty database gives exactly the models' schema."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from tests.conftest import base_config, discard_database, new_database_url
from volunteer_hub import create_app
from volunteer_hub.extensions import db


def test_upgrade_on_empty_database_matches_models(tmp_path: Path) -> None:
    url = new_database_url(tmp_path, prefix="vh_migrations")
    try:
        app = create_app(base_config(url))
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "render_as_batch": True}
                )
                differences = compare_metadata(context, db.metadata)
            db.engine.dispose()
        assert differences == []
    finally:
        discard_database(url)
