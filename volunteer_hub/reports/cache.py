"""Built reports, cached under the version of the data they were built from (issue 19 §4).

A report (the value report's full figures; the equality profile's counts) is built from
approved hours, rates, investment, paid claims, the time bank, organisations, roles and
volunteers' answers. Building it is the costly part of a report page; the same figures serve
every viewer of a period and organisation until one of those changes. So:

- **The data version** is the token in ``reports_data_version`` (one row) together with the
  number and highest id of approved hour records. The token is replaced **in the same
  transaction** as every write that can change a figure, at commit (the last statement, so it
  waits on no other lock): a session that flushed such a row, or ran an insert, update or
  delete on such a table, replaces it. Hour records count only when approved before or after
  the write (logging hours that wait for approval changes no figure), claims only when paid.
  Tables no report reads (accounts, audit, outbox, jobs, recruitment, training, …) are listed
  in :data:`IGNORED`; any other table counts, so a new domain's tables count until listed. The
  approved hours' count and highest id catch rows added outside the session's bookkeeping (the
  imports' ``COPY``).
- **The key** is what was built, the period, the organisation (or all), the settings that change
  figures, the database and the data version. A reader takes the version before building, so
  a report is stored under a version no newer than its data: a write committed meanwhile has
  already replaced the token, and nobody asks for the old one again.
- **One snapshot.** A report is built, and its version read, inside one snapshot of committed
  data (:func:`one_snapshot`), so a write committed while it is built cannot give it a total
  from before and a breakdown from after (seen under load: the hours of the frequency bands not
  adding up to the total, which the disclosure audit refused, 422). PostgreSQL: a fresh session
  in one read-only REPEATABLE READ transaction, its snapshot exported to the helper connections
  of ``value._fetch_all``; SQLite: one read transaction, the queries in turn on it.
- **Not cached:** a build in a session that has itself written report data not yet committed
  (its figures might never be committed), and any build while the version row is missing.
- **Disclosure is worked out once per content.** The full figures (and the equality answers'
  counts) are cached, the same for everyone; so is what publishing them for partners gives
  (disclosure control and its audit), keyed by the report's period and organisation (its
  ``source``, set by ``build_value_report``), the disclosure settings and the data version it
  was built from. Callers publish the report as built, unchanged; a report that is changed
  before publishing must drop its ``source``. Every published object was audited when it was
  made; a report that fails the audit raises and is never cached, so it is checked afresh.
- **Worked out from content.** What is a pure function of small inputs (the equality
  profile's published tables: disclosure control and its audit of the counts) is kept under
  those inputs themselves (:func:`by_content`), so approving an hour of someone already active
  in the period, which changes the version but no count, reuses it.
- **Where:** in Redis when ``JOBS_REDIS_URL`` (or ``REDIS_URL``) is set, shared by every app
  server, under the ``JOBS_QUEUE_NAME`` prefix, expiring after :data:`TTL_SECONDS`; else in
  this process (at most :data:`LOCAL_ENTRIES`). Values are pickled and signed with the secret
  key (HMAC-SHA256); an entry that fails the check, or a Redis that does not answer, is a miss.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import chain
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import NO_VALUE
from sqlalchemy.sql.elements import TextClause

from volunteer_hub.extensions import db
from volunteer_hub.reports.models import ReportDataVersion

log = logging.getLogger(__name__)
T = TypeVar("T")

TTL_SECONDS = 3600
LOCAL_ENTRIES = 64
#: session.info key: this transaction wrote something a report reads.
CHANGED = "reports_data_changed"
#: session.info key: the session reads one snapshot (:func:`one_snapshot`); on PostgreSQL the
#: exported snapshot's id, for other connections to share it; on SQLite ``"sqlite"``.
SNAPSHOT = "reports_snapshot"
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+")
#: Table name prefixes and names no report reads: writes to them leave the version alone.
IGNORED_PREFIXES = (
    "accounts_",
    "api_",
    "jobs_",
    "matching_",
    "messaging_",
    "placements_",
    "privacy_",
    "recruitment_",
    "reminders_",
    "scheduling_",
    "supervision_",
    "training_",
    "uploads_",
)
IGNORED = frozenset(
    {
        "core_outcode",
        "expenses_approver",
        "expenses_bank_details",
        "expenses_batch",
        "expenses_policy",
        "expenses_receipt",
        "reports_data_version",
        "reports_file",
        "reports_quarterly_delivery",
        "reports_quarterly_subscription",
    }
)
#: Settings that change a report's figures (besides the data).
SETTINGS = (
    "VALUE_ONCOST",
    "FTE_HOURS_PER_YEAR",
    "GENERALIST_RATE_FAMILY",
    "FLOOR_RATE_FAMILY",
    "DISCLOSURE_MIN_GROUP",
)
VERSION_QUERY = text(
    "SELECT v.token,"
    " (SELECT count(*) FROM hours_record WHERE status = 'approved'),"
    " (SELECT max(id) FROM hours_record WHERE status = 'approved')"
    " FROM reports_data_version v WHERE v.id = 1"
)


def ignored(table: str) -> bool:
    return table in IGNORED or table.startswith(IGNORED_PREFIXES)


def _was_or_is(obj: Any, attribute: str, value: str) -> bool:
    """Whether ``obj``'s attribute is ``value`` now or was before this flush; True when unknown
    (not loaded), so an unknown change counts."""
    from sqlalchemy import inspect

    history = inspect(obj).attrs[attribute].history
    seen = [*history.added, *history.unchanged, *history.deleted]
    return not seen or any(v == value for v in seen)


def _relevant(obj: Any) -> bool:
    table = getattr(obj, "__tablename__", None)
    if not isinstance(table, str) or ignored(table):
        return False
    if table == "hours_record":
        return _was_or_is(obj, "status", "approved")
    if table == "expenses_claim":
        return _was_or_is(obj, "status", "paid")
    if table == "expenses_item":
        from sqlalchemy import inspect

        claim = inspect(obj).attrs.claim.loaded_value
        return claim is NO_VALUE or claim is None or _was_or_is(claim, "status", "paid")
    return True


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    if session.info.get(CHANGED):
        return
    for obj in chain(session.new, session.dirty, session.deleted):
        if _relevant(obj):
            session.info[CHANGED] = True
            return


_WRITES = ("insert", "update", "delete", "copy", "merge", "truncate", "replace")


@event.listens_for(Session, "do_orm_execute")
def _statement(state: Any) -> None:
    """Inserts, updates and deletes run as statements (not through objects) count unless their
    table is one no report reads; textual SQL that writes always counts."""
    if state.is_select or state.session.info.get(CHANGED):
        return
    statement = state.statement
    if isinstance(statement, TextClause):
        if statement.text.lstrip().lower().startswith(_WRITES):
            state.session.info[CHANGED] = True
        return
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(statement, "table", None)
        name = getattr(table, "name", None)
        if not isinstance(name, str) or not ignored(name):
            state.session.info[CHANGED] = True


@event.listens_for(Session, "before_commit")
def _replace_token(session: Session) -> None:
    session.flush()
    if not session.info.pop(CHANGED, False):
        return
    if not _has_version_table(session.connection()):
        return
    table = ReportDataVersion.__table__
    token = uuid.uuid4().hex
    done = session.execute(table.update().where(table.c.id == 1).values(token=token))
    if getattr(done, "rowcount", 1) == 0:  # emptied (the tests do): start again
        dialect = session.get_bind().dialect.name
        maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(maker(table).values(id=1, token=token).on_conflict_do_nothing())


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(CHANGED, None)


_tables: set[str] = set()


def _has_version_table(bind: Any) -> bool:
    """Whether this database has the version table (a database migrated to an older release
    does not: then nothing is cached and nothing replaced). Remembered once seen."""
    url = str(bind.engine.url if hasattr(bind, "engine") else bind.url)
    if url not in _tables:
        from sqlalchemy import inspect

        if not inspect(bind).has_table(ReportDataVersion.__tablename__):
            return False
        _tables.add(url)
    return True


def data_version() -> str | None:
    """The current data version, or None when reports must not be cached now."""
    if not _has_version_table(db.session.connection()):
        return None
    row = db.session.execute(VERSION_QUERY).first()
    if row is None or db.session.info.get(CHANGED):
        return None
    return f"{row[0]}:{row[1]}:{row[2]}"


class _Local:
    def __init__(self) -> None:
        self.entries: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > LOCAL_ENTRIES:
                self.entries.popitem(last=False)


_local = _Local()
_redis: dict[str, Any] = {}


def _redis_client() -> Any | None:
    url = current_app.config.get("JOBS_REDIS_URL") or current_app.config.get("REDIS_URL") or ""
    if not url:
        return None
    if url not in _redis:
        import redis

        _redis[url] = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    return _redis[url]


def _sign(payload: bytes) -> bytes:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, payload, hashlib.sha256).digest()


def _load(blob: bytes | None) -> Any:
    if not blob or len(blob) < 32:
        return NO_VALUE
    signature, payload = blob[:32], blob[32:]
    if not hmac.compare_digest(signature, _sign(payload)):
        log.warning("report cache: an entry failed its signature check")
        return NO_VALUE
    return pickle.loads(payload)  # noqa: S301 - signed by this service's secret key


def _key(kind: str, parts: tuple[Any, ...], version: str) -> str:
    config = current_app.config
    settings = tuple(str(config.get(name, "")) for name in SETTINGS)
    database = hashlib.sha256(str(db.engine.url).encode()).hexdigest()[:12]
    raw = repr((kind, parts, settings, database, version))
    prefix = config.get("JOBS_QUEUE_NAME", "volunteer_hub")
    return f"{prefix}:report-cache:{hashlib.sha256(raw.encode()).hexdigest()}"


def _read(key: str) -> bytes | None:
    client = _redis_client()
    if client is None:
        return _local.get(key)
    try:
        blob = client.get(key)
    except Exception:
        log.warning("report cache: Redis did not answer", exc_info=True)
        return None
    return blob if isinstance(blob, bytes) else None


def _write(key: str, blob: bytes) -> None:
    client = _redis_client()
    if client is None:
        _local.set(key, blob)
        return
    try:
        client.set(key, blob, ex=TTL_SECONDS)
    except Exception:
        log.warning("report cache: Redis did not answer", exc_info=True)


@contextmanager
def one_snapshot() -> Iterator[None]:
    """Inside, ``db.session`` is a fresh session whose reads all see one snapshot of committed
    data (see the module's docstring); it is closed (read only: nothing to keep) on the way
    out, and the caller's session is untouched. An in-memory SQLite database (another
    connection would be another database) reads on the caller's session as before."""
    if db.engine.url.database in (None, "", ":memory:"):
        yield
        return
    dialect = db.engine.dialect.name
    with current_app.app_context():  # its own db.session
        session = db.session
        try:
            if dialect == "postgresql":
                session.connection(
                    execution_options={
                        "isolation_level": "REPEATABLE READ",
                        "postgresql_readonly": True,
                    }
                )
                session.info[SNAPSHOT] = session.execute(
                    text("SELECT pg_export_snapshot()")
                ).scalar_one()
            else:
                session.connection().exec_driver_sql("BEGIN")
                session.info[SNAPSHOT] = dialect
            yield
        finally:
            session.info.pop(SNAPSHOT, None)
            session.close()


def join_snapshot(connection: Any, snapshot: str) -> Any:
    """``connection`` (new, no transaction yet) reading the exported PostgreSQL ``snapshot``."""
    if not _SNAPSHOT_ID.fullmatch(snapshot):
        raise ValueError(f"not a snapshot id: {snapshot!r}")
    connection = connection.execution_options(isolation_level="REPEATABLE READ")
    # SET takes no bind parameters; the id is checked above (hex digits and dashes).
    connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
    return connection


def cached(kind: str, parts: tuple[Any, ...], build: Callable[[], T]) -> T:
    """``build()``'s result for ``kind`` and ``parts`` (plain values: dates, ids), from the
    cache when it was built from the current data; a fresh copy every time."""
    return cached_at(kind, parts, build)[0]


def cached_at(kind: str, parts: tuple[Any, ...], build: Callable[[], T]) -> tuple[T, str | None]:
    """:func:`cached`, and the data version the result belongs to: None when it was built from
    data that may not be committed, or read while no version could be read (nothing worked out
    from it may then be cached, see :func:`derived`)."""
    version = data_version()
    if version is None:
        return build(), None
    key = _key(kind, parts, version)
    found = _load(_read(key))
    if found is not NO_VALUE:
        return found, version
    with one_snapshot():
        version = data_version()  # in the snapshot: exactly the data the build reads
        if version is None:
            return build(), None
        key = _key(kind, parts, version)
        found = _load(_read(key))
        if found is not NO_VALUE:
            return found, version
        result = build()
        if data_version() != version:  # something of ours was flushed while building
            return result, None
    _store(key, result)
    return result, version


def derived(kind: str, parts: tuple[Any, ...], version: str | None, build: Callable[[], T]) -> T:
    """``build()``'s result, a pure function of ``parts`` and of a report read at ``version``
    (from :func:`cached_at`), kept under both: what publishing that report gives, say. Not
    kept when ``version`` is None."""
    if version is None:
        return build()
    return _kept(_key(kind, parts, version), build)


def by_content(kind: str, parts: tuple[Any, ...], build: Callable[[], T]) -> T:
    """``build()``'s result where it is a pure function of ``parts`` (plain values, the inputs
    themselves: counts, settings) and of the settings in :data:`SETTINGS`, kept under them
    whatever the data version: a write that leaves the inputs alone finds it again. A build
    that raises is not kept."""
    return _kept(_key(kind, parts, "content"), build)


def _kept(key: str, build: Callable[[], T]) -> T:
    """What is kept under ``key``, or ``build()``'s result, kept there (not if it raises)."""
    found = _load(_read(key))
    if found is not NO_VALUE:
        return found
    result = build()
    _store(key, result)
    return result


def _store(key: str, result: Any) -> None:
    payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    _write(key, _sign(payload) + payload)
