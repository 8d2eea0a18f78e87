"""A throw-away database for a benchmark: a SQLite file in a temporary folder, or a new
PostgreSQL database created beside the given URL and dropped afterwards."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy


@contextmanager
def temporary_database(postgres: str | None, prefix: str) -> Iterator[tuple[str, Path]]:
    """Yield (database URL, temporary folder); everything is removed on exit."""
    with tempfile.TemporaryDirectory() as tmp:
        if not postgres:
            yield f"sqlite:///{Path(tmp) / (prefix + '.db')}", Path(tmp)
            return
        name = f"vh_{prefix}_{uuid.uuid4().hex[:8]}"
        admin = sqlalchemy.create_engine(postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
        try:
            yield postgres.rsplit("/", 1)[0] + f"/{name}", Path(tmp)
        finally:
            with admin.connect() as connection:
                connection.execute(sqlalchemy.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()
