"""Structured logs with structlog: one line per request (request id, user id, route, status,
duration) and every other log line through the same formatter.

``LOG_FORMAT`` chooses ``json`` (one JSON object a line, for a log collector) or ``console``
(readable ``key=value`` lines); unset, production writes JSON and development writes console
lines. Each request gets an id (a sane ``X-Request-ID`` from the proxy, or a new one), bound to
every log line written while it is handled and returned in the ``X-Request-ID`` header.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

import structlog
from flask import Flask, g, request
from flask.wrappers import Response

#: A request id from the proxy is kept only if it looks like one (no log injection).
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

_SHARED: list[structlog.typing.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]

request_log = structlog.get_logger("volunteer_hub.requests")


def log_format(config: dict[str, object] | Flask) -> str:
    settings = config.config if isinstance(config, Flask) else config
    chosen = str(settings.get("LOG_FORMAT") or "").strip().lower()
    if chosen in ("json", "console"):
        return chosen
    return "json" if settings.get("ENV") == "production" else "console"


def configure(fmt: str) -> None:
    """Send structlog and the standard library's logging through one handler on the root
    logger, rendering ``fmt`` (replacing the handler a previous call installed)."""
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_SHARED, structlog.processors.format_exc_info],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_volunteer_hub", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler._volunteer_hub = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter)
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def _start_request() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID_RE.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=g.request_id)


def _log_request(response: Response) -> Response:
    request_id = getattr(g, "request_id", None)
    if request_id is None:
        return response
    response.headers["X-Request-ID"] = request_id
    if request.endpoint == "static":
        return response
    user = getattr(g, "_login_user", None)  # never loads the user just to log it
    request_log.info(
        "request",
        method=request.method,
        route=request.url_rule.rule if request.url_rule is not None else None,
        endpoint=request.endpoint,
        status=response.status_code,
        duration_ms=round((time.perf_counter() - g.request_started) * 1000, 1),
        user_id=getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None,
    )
    return response


def init_app(app: Flask) -> None:
    configure(log_format(app))
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    app.before_request(_start_request)
    app.after_request(_log_request)
