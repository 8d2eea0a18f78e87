"""Configuration: safe defaults, then environment variables, then explicit overrides.

Nothing here reads the environment at import time: :func:`load_config` is called by
``create_app`` each time an application is built.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: Secret keys that must never be used in production (shipped defaults, examples in docs).
KNOWN_DEFAULT_SECRET_KEYS = frozenset(
    {
        "",
        "dev",
        "development",
        "change-me",
        "changeme",
        "secret",
        "dev-insecure-secret-key-change-me",
    }
)

DEFAULT_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105 - refused in production


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


def defaults() -> dict[str, Any]:
    return {
        "ENV": "development",
        "SECRET_KEY": DEFAULT_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{ROOT / 'instance' / 'volunteer_hub.db'}",
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
        "BASE_URL": "http://127.0.0.1:5000",
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
        # Expenses: receipts (a local folder outside static/ unless set) and bank details keys
        # (comma-separated Fernet keys, newest first; none: bank details cannot be stored).
        "RECEIPT_FOLDER": "",
        "RECEIPT_MAX_BYTES": 10 * 1024 * 1024,
        "BANK_DETAILS_KEYS": "",
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
            "SIGN_INS",
            "AUDIT",
            "OUTBOX",
        )
    },
    "BANK_DETAILS_KEYS": str,
}


def load_config(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Build the configuration: defaults < environment < ``overrides``."""
    env = os.environ if environ is None else environ
    config = defaults()
    environment = env.get("VOLUNTEER_HUB_ENV") or env.get("FLASK_ENV")
    if environment:
        config["ENV"] = environment.strip().lower()
    for name, kind in ENVIRONMENT_SETTINGS.items():
        if name in env:
            raw = env[name]
            config[name] = _bool(raw) if kind is bool else kind(raw)
    if env.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = env["DATABASE_URL"]
    overrides = dict(overrides or {})
    config.update(overrides)
    if config["ENV"] == "production":
        for name, value in (
            ("SESSION_COOKIE_SECURE", True),
            ("REMEMBER_COOKIE_SECURE", True),
            ("PREFERRED_URL_SCHEME", "https"),
        ):
            if name not in overrides:
                config[name] = value
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    check_production_safety(config)
    return config


def check_production_safety(config: Mapping[str, Any]) -> None:
    if config.get("ENV") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if key.strip().lower() in KNOWN_DEFAULT_SECRET_KEYS or len(key) < 32:
        raise ConfigError(
            "SECRET_KEY is missing, a known default or shorter than 32 characters; "
            'set it in the environment, e.g. SECRET_KEY="$(python -c '
            "'import secrets; print(secrets.token_urlsafe(48))')\""
        )
