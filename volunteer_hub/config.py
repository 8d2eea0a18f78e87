"""Configuration: safe defaults, then environment variables, then explicit overrides.

Nothing here reads the environment at import time: :func:`load_config` is called by
``create_app`` each time an application is built.

Environment name. ``VOLUNTEER_HUB_ENV`` (or ``FLASK_ENV``) names one of :data:`ENVIRONMENTS`,
compared after trimming and lower-casing (``"Production "`` is production, never less); unset or
empty means development. Any other name (``prod``, ``staging``) refuses to start with a
one-line :class:`ConfigError`, and so do the two variables naming different environments: a
misspelt production never runs with development settings.

Secret key. No key ships in the code. Production refuses to start without a ``SECRET_KEY`` of at
least 32 characters. In development and testing without one, :func:`instance_secret_key` makes a
random key once in ``<instance folder>/secret_key`` (mode 0600, created atomically so processes
starting together agree) and every later start reuses it: writing that one file on the first
start is the only side effect of ``create_app``, which still makes no queries or network calls.
Every key published in the repository, now or in its history (:data:`KNOWN_SECRET_KEYS`), is
refused in every environment, so a cookie signed with one opens nothing anywhere.

Bank details key. ``BANK_DETAILS_KEYS`` (Fernet keys) encrypts volunteers' bank details. Only a
development instance that is not under test and has none set gets its own key, made once in
``<instance folder>/bank_details_key`` the same way as the secret key, so bank details can be tried
out locally; production never makes one (without ``BANK_DETAILS_KEYS`` bank details cannot be
stored at all), and tests choose their keys themselves.

Public address. Links in emails use ``BASE_URL``. Production refuses to start without it. In
development and testing without it, the address is the one ``flask run`` serves on, from Flask's
own ``FLASK_RUN_HOST`` and ``FLASK_RUN_PORT`` (``make run HOST=… PORT=…`` sets both), by default
``http://127.0.0.1:5000``.

The instance folder is ``ROOT/instance`` unless the ``INSTANCE_PATH`` override (an argument to
``create_app``, for tests and embedding; not read from the environment) says otherwise; the
default SQLite database lives there too.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: The environment names the app accepts; anything else refuses to start.
ENVIRONMENTS = ("development", "testing", "production")

#: The file in the instance folder holding the key made for a development or testing instance.
INSTANCE_SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a key
#: The file in the instance folder holding a development instance's bank details key.
INSTANCE_BANK_KEY_FILE = "bank_details_key"

#: Where ``flask run`` serves when FLASK_RUN_HOST and FLASK_RUN_PORT are not set.
DEFAULT_RUN_HOST = "127.0.0.1"
DEFAULT_RUN_PORT = 5000

MIN_SECRET_KEY_LENGTH = 32

#: Secret keys refused in every environment (compared trimmed and lower-cased): placeholders
#: people paste from examples, and every key that has been in this repository: the development
#: key once shipped as the default, the test suite's and the benchmarks' former fixed keys.
KNOWN_SECRET_KEYS = frozenset(
    {
        "dev",
        "development",
        "change-me",
        "changeme",
        "secret",
        "secret-key",
        "your-secret-key",
        "dev-insecure-secret-key-change-me",
        "test-secret-key-that-is-long-enough-for-production-checks",
        "benchmark-secret-key-long-enough-for-anything",
    }
)


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the message is one line for operators."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Accept the plain ``postgresql://`` forms people paste and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _files_and_operations() -> dict[str, Any]:
    """Where files are kept, background jobs, metrics, logs and proxies (in :func:`defaults`)."""
    return {
        # Expenses: receipts (a local folder outside static/ unless set) and bank details keys
        # (comma-separated Fernet keys, newest first; none: bank details cannot be stored).
        "RECEIPT_FOLDER": "",
        "RECEIPT_MAX_BYTES": 10 * 1024 * 1024,
        # Imports from the browser: where files wait for the job (instance/uploads unless set;
        # shared by every app server and worker) and the largest file accepted (keep it below
        # MAX_CONTENT_LENGTH: a larger request is refused whole, 413).
        "IMPORT_UPLOAD_FOLDER": "",
        "IMPORT_UPLOAD_MAX_BYTES": 8 * 1024 * 1024,
        #: An import left "checking" or "importing" this long (its worker died) is claimed again.
        "IMPORT_STALE_MINUTES": 30,
        # PDF reports asked for on the web: built by the jobs worker into this folder
        # (instance/report-files unless set; shared by every app server and worker) and
        # deleted this many hours after they were asked for.
        "REPORT_FILE_FOLDER": "",
        "REPORT_FILE_HOURS": 24,
        "BANK_DETAILS_KEYS": "",
        #: The development email page (/admin/emails): None means on in development (not under
        #: test); True turns it on for a test. Never shown in production, whatever this says.
        "DEV_EMAILS_PAGE": None,
        # Background jobs (volunteer_hub/jobs): Redis when set (or REDIS_URL), else SQLite at
        # JOBS_SQLITE_PATH (default instance/jobs.sqlite3).
        "JOBS_REDIS_URL": "",
        "JOBS_SQLITE_PATH": "",
        "JOBS_QUEUE_NAME": "volunteer_hub",
        #: A run still "running" this long after it started (its worker on another machine
        #: died) is recorded as stopped; on the worker's own machine a dead process is seen
        #: at once.
        "JOBS_STALE_MINUTES": 120,
        #: Empty: no /metrics endpoint; set: it answers ``Authorization: Bearer <token>`` only.
        "METRICS_TOKEN": "",
        #: "json" or "console"; empty: JSON in production, console lines elsewhere.
        "LOG_FORMAT": "",
        #: Reverse proxies in front that append to X-Forwarded-For (0: none, the header is
        #: ignored). With 1 the client address is the one the nearest proxy saw.
        "PROXY_FIX_X_FOR": 0,
    }


def defaults() -> dict[str, Any]:
    return {
        "ENV": "development",
        #: None: production refuses to start; development and testing use the instance key.
        "SECRET_KEY": None,
        "INSTANCE_PATH": str(ROOT / "instance"),
        #: Empty: SQLite in the instance folder.
        "SQLALCHEMY_DATABASE_URI": "",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SERVICE_NAME": "Volunteer Hub",
        "CENTRE_NAME": "Northbridge Volunteer Centre",
        "CONTACT_EMAIL": "hello@volunteerhub.invalid",
        "MAIL_FROM": "Volunteer Hub <no-reply@volunteerhub.invalid>",
        "MAIL_SERVER": "",
        "MAIL_PORT": 25,
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_USE_TLS": False,
        "MAIL_MAX_ATTEMPTS": 6,
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": 3600 * 4,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        #: Redis down (restarting): count in this process's memory until it answers again,
        #: instead of failing every rate-limited request with a 500 (issue 19's Redis fault).
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "IDLE_TIMEOUT_STAFF_MINUTES": 30,
        "IDLE_TIMEOUT_VOLUNTEER_MINUTES": 120,
        "PRIVACY_NOTICE_VERSION": "2026-11",
        "PREFERRED_URL_SCHEME": "http",
        #: Empty: production refuses to start; elsewhere the address ``flask run`` serves on.
        "BASE_URL": "",
        "TESTING": False,
        # Value reports (shared/docs/value-of-volunteering.md).
        "VALUE_ONCOST": "0",
        "FTE_HOURS_PER_YEAR": "1950",
        "DISCLOSURE_PROFILE": "k10",
        "DISCLOSURE_MIN_GROUP": 10,
        "API_RATE_LIMIT": "120 per minute",
        "REPORT_WORKERS": 2,
        # Recruitment.
        "RESPONSE_WORKING_DAYS": 5,
        "BANK_HOLIDAYS_FILE": "",
        **_files_and_operations(),
    }


#: Environment variables read by :func:`load_config`, with the type to parse them as.
ENVIRONMENT_SETTINGS: dict[str, type] = {
    "SECRET_KEY": str,
    "CENTRE_NAME": str,
    "CONTACT_EMAIL": str,
    "MAIL_FROM": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_USE_TLS": bool,
    "RATELIMIT_STORAGE_URI": str,
    "RATELIMIT_ENABLED": bool,
    "IDLE_TIMEOUT_STAFF_MINUTES": int,
    "IDLE_TIMEOUT_VOLUNTEER_MINUTES": int,
    "MAX_CONTENT_LENGTH": int,
    "BASE_URL": str,
    "VALUE_ONCOST": str,
    "FTE_HOURS_PER_YEAR": str,
    "DISCLOSURE_PROFILE": str,
    "DISCLOSURE_MIN_GROUP": int,
    "API_RATE_LIMIT": str,
    "REPORT_WORKERS": int,
    "RESPONSE_WORKING_DAYS": int,
    "BANK_HOLIDAYS_FILE": str,
    "RECEIPT_FOLDER": str,
    "RECEIPT_MAX_BYTES": int,
    "IMPORT_UPLOAD_FOLDER": str,
    "IMPORT_UPLOAD_MAX_BYTES": int,
    "IMPORT_STALE_MINUTES": int,
    "REPORT_FILE_FOLDER": str,
    "REPORT_FILE_HOURS": int,
    # The retention schedule, in months or "never" (see docs/data-protection.md).
    **{
        f"RETENTION_{kind}": str
        for kind in (
            "APPLICANTS",
            "VOLUNTEERS",
            "DBS",
            "REFERENCES",
            "RECEIPTS",
            "PAID_CLAIMS",
            "CONCERNS",
            "BULK_MESSAGES",
            "SIGN_INS",
            "AUDIT",
            "OUTBOX",
        )
    },
    "BANK_DETAILS_KEYS": str,
    "JOBS_REDIS_URL": str,
    "JOBS_SQLITE_PATH": str,
    "JOBS_QUEUE_NAME": str,
    "JOBS_STALE_MINUTES": int,
    "METRICS_TOKEN": str,
    # Bulk messages a person may send (Flask-Limiter's notation), default "5 per hour".
    "BULK_SEND_LIMIT": str,
    "LOG_FORMAT": str,
    "PROXY_FIX_X_FOR": str,
}


def environment_name(raw: object, source: str) -> str:
    """The environment ``raw`` names (trimmed, lower-cased), or a :class:`ConfigError`."""
    name = str(raw).strip().lower()
    if name not in ENVIRONMENTS:
        raise ConfigError(
            f"unknown environment name {str(raw)!r} in {source}; "
            f"use one of {', '.join(ENVIRONMENTS)}"
        )
    return name


def _environment_from(env: Mapping[str, str]) -> str:
    named = {
        variable: environment_name(env[variable], variable)
        for variable in ("VOLUNTEER_HUB_ENV", "FLASK_ENV")
        if env.get(variable)
    }
    if len(set(named.values())) > 1:
        raise ConfigError(
            "VOLUNTEER_HUB_ENV and FLASK_ENV name different environments; set only one"
        )
    return next(iter(named.values()), "development")


def load_config(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Build the configuration: defaults < environment < ``overrides``, then check it.

    Without a ``SECRET_KEY`` outside production the result holds ``None``: ``create_app`` then
    reads or makes the instance key (:func:`ensure_secret_key`); this function writes nothing.
    """
    env = os.environ if environ is None else environ
    config = defaults()
    config["ENV"] = _environment_from(env)
    for name, kind in ENVIRONMENT_SETTINGS.items():
        if name in env:
            raw = env[name]
            config[name] = _bool(raw) if kind is bool else kind(raw)
    if env.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = env["DATABASE_URL"]
    if not config["JOBS_REDIS_URL"] and env.get("REDIS_URL"):
        config["JOBS_REDIS_URL"] = env["REDIS_URL"]
    overrides = dict(overrides or {})
    config.update(overrides)
    config["ENV"] = environment_name(config["ENV"], "ENV")
    config["INSTANCE_PATH"] = os.path.abspath(config["INSTANCE_PATH"])
    if config["ENV"] == "production":
        for name, value in (
            ("SESSION_COOKIE_SECURE", True),
            ("REMEMBER_COOKIE_SECURE", True),
            ("PREFERRED_URL_SCHEME", "https"),
        ):
            if name not in overrides:
                config[name] = value
    if not config["SQLALCHEMY_DATABASE_URI"]:
        config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(config['INSTANCE_PATH']) / 'volunteer_hub.db'}"
        )
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    check_secret_key(config)
    config["PROXY_FIX_X_FOR"] = proxy_hops(config["PROXY_FIX_X_FOR"])
    config["BASE_URL"] = str(config.get("BASE_URL") or "").strip()
    if not config["BASE_URL"]:
        if config["ENV"] == "production":
            raise ConfigError(
                "BASE_URL is missing; set it to the public address people use, "
                "e.g. BASE_URL=https://volunteer.example.org"
            )
        config["BASE_URL"] = development_base_url(env)
    return config


def proxy_hops(raw: object) -> int:
    """``PROXY_FIX_X_FOR`` as a number of trusted proxies, 0 to 5; anything else stops the app
    (trusting a header nobody sets lets anyone choose their address)."""
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or int(text) > 5:
        raise ConfigError(
            f"PROXY_FIX_X_FOR {text!r} is not a number of proxies; use 0 (no proxy), 1 or 2"
        )
    return int(text)


def development_base_url(env: Mapping[str, str]) -> str:
    """The address ``flask run`` serves on, from Flask's ``FLASK_RUN_HOST`` and
    ``FLASK_RUN_PORT`` (what ``make run HOST=… PORT=…`` sets): links in a development
    instance's emails then open the server that sent them. A server listening on every
    address (``0.0.0.0``, ``::``) is reached on 127.0.0.1."""
    host = (env.get("FLASK_RUN_HOST") or "").strip() or DEFAULT_RUN_HOST
    if host in {"0.0.0.0", "::", "[::]"}:  # noqa: S104 - naming the wildcard, not binding it
        host = DEFAULT_RUN_HOST
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    port = (env.get("FLASK_RUN_PORT") or "").strip() or str(DEFAULT_RUN_PORT)
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"FLASK_RUN_PORT {port!r} is not a port number; use e.g. 5000")
    return f"http://{host}:{int(port)}"


def _key_text(key: object) -> str:
    if isinstance(key, bytes):
        return key.decode("utf-8", "replace")
    return "" if key is None else str(key)


def is_known_secret_key(key: object) -> bool:
    return _key_text(key).strip().lower() in KNOWN_SECRET_KEYS


def check_secret_key(config: Mapping[str, Any]) -> None:
    """Refuse a published key (or fallback key) anywhere, and a missing or short one in
    production."""
    key = _key_text(config.get("SECRET_KEY"))
    fallbacks = config.get("SECRET_KEY_FALLBACKS") or []
    if is_known_secret_key(key) or any(is_known_secret_key(old) for old in fallbacks):
        raise ConfigError(
            "SECRET_KEY (or a fallback key) is one published in the code or its history; "
            'set a new random one, e.g. SECRET_KEY="$(python -c '
            "'import secrets; print(secrets.token_urlsafe(48))')\""
        )
    if config.get("ENV") == "production" and len(key.strip()) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"SECRET_KEY is missing or shorter than {MIN_SECRET_KEY_LENGTH} characters; "
            'set it in the environment, e.g. SECRET_KEY="$(python -c '
            "'import secrets; print(secrets.token_urlsafe(48))')\""
        )


def ensure_secret_key(config: dict[str, Any]) -> None:
    """Outside production, a missing ``SECRET_KEY`` becomes this instance's own random key."""
    if _key_text(config.get("SECRET_KEY")).strip():
        return
    if config.get("ENV") == "production":  # refused by check_secret_key already
        raise ConfigError("SECRET_KEY is missing; set it in the environment")
    config["SECRET_KEY"] = instance_secret_key(Path(config["INSTANCE_PATH"]))


def ensure_bank_details_key(config: dict[str, Any]) -> None:
    """A development instance (not under test) without ``BANK_DETAILS_KEYS`` uses its own key
    from the instance folder, so bank details can be saved when trying the service out.
    Production and testing never get one made for them."""
    if str(config.get("BANK_DETAILS_KEYS") or "").strip():
        return
    if config.get("ENV") != "development" or config.get("TESTING"):
        return
    config["BANK_DETAILS_KEYS"] = instance_bank_details_key(Path(config["INSTANCE_PATH"]))


def instance_bank_details_key(folder: Path) -> str:
    """The development bank details key kept in ``folder`` (a Fernet key), made on first use
    as :func:`instance_secret_key` makes the secret key."""
    from cryptography.fernet import Fernet

    path = folder / INSTANCE_BANK_KEY_FILE
    try:
        if not path.exists():
            _publish_new_key(path, Fernet.generate_key().decode())
        key = path.read_text(encoding="utf-8").strip()
        Fernet(key)
    except OSError as error:
        raise ConfigError(
            f"cannot read or make the development bank details key {path} "
            f"({error.strerror or error}); set BANK_DETAILS_KEYS instead"
        ) from None
    except ValueError:
        raise ConfigError(
            f"{path} does not hold a Fernet key; delete it to make a new one "
            "(bank details saved with it can then no longer be read)"
        ) from None
    return key


def instance_secret_key(folder: Path) -> str:
    """The random key kept in ``folder``, made on first use.

    A new key is written and flushed to a private temporary file (mode 0600), then hard-linked
    to its name, which fails if the name exists: of several processes starting at once exactly
    one key is published, complete, and every process reads that one.
    """
    path = folder / INSTANCE_SECRET_KEY_FILE
    try:
        if not path.exists():
            _publish_new_key(path)
        key = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ConfigError(
            f"cannot read or make the instance secret key {path} ({error.strerror or error}); "
            "set SECRET_KEY in the environment instead"
        ) from None
    if len(key) < MIN_SECRET_KEY_LENGTH or is_known_secret_key(key):
        raise ConfigError(
            f"{path} does not hold a usable key (random, {MIN_SECRET_KEY_LENGTH} or more "
            "characters); delete it to make a new one, or set SECRET_KEY"
        )
    return key


def _publish_new_key(path: Path, key: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write((key or secrets.token_urlsafe(48)) + "\n")
            file.flush()
            os.fsync(file.fileno())
        # If another process published its key first, everyone uses that one.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
