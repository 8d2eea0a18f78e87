"""Flask extensions, created unbound; ``create_app`` binds them."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any, ClassVar

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Table, event
from sqlalchemy.engine import Engine

from volunteer_hub.core.models import Base

db = SQLAlchemy(model_class=Base)

# The base class of every mapped model: ``class Volunteer(Model)``. At run time it is ``db.Model``
# (Flask-SQLAlchemy's subclass of ``Base``, which binds the session); a type checker cannot take an
# attribute as a base class, so it sees this declaration of the same thing instead. Every model
# declares or is given a ``Table``, so ``Model.__table__.delete()`` type-checks.
if TYPE_CHECKING:

    class Model(Base):
        __abstract__ = True
        __table__: ClassVar[Table]

else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: enforce foreign keys and use write-ahead logging on every connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        # Report GROUP BYs sort in memory rather than in temporary files (see performance.md).
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()
