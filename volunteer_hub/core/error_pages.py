"""Friendly error pages in the service's style; no tracebacks, SQL or secrets."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from volunteer_hub.extensions import db

log = logging.getLogger(__name__)

TITLES = {
    400: ("There is a problem with your request", "Go back and try again."),
    401: ("You need to sign in", "Sign in to see this page."),
    403: ("You do not have permission to see this page", "If you think you should, contact us."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("This action is not allowed", "Go back and use the buttons on the page."),
    413: ("The file is too large", "Choose a smaller file and try again."),
    429: ("Too many attempts", "Wait a few minutes, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
    503: ("Sorry, the service is unavailable", "Try again in a few minutes."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def render_error(code: int) -> tuple[Any, int]:
    title, advice = TITLES.get(code, TITLES[500])
    if _wants_json():
        return jsonify({"error": title, "status": code}), code
    return render_template("errors/error.html", code=code, title=title, advice=advice), code


def _without_the_database() -> None:
    """Show the page to an anonymous visitor: loading the signed-in person would ask the
    database that has just failed, and the error page itself would then fail (a bare 500)."""
    g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        if code >= 500:
            log.error("HTTP %s on %s %s", code, request.method, request.path)
        response, status = render_error(code)
        if (
            isinstance(error, HTTPException)
            and error.code == 405
            and hasattr(error, "valid_methods")
        ):
            return response, status, {"Allow": ", ".join(error.valid_methods or [])}
        if code == 429:
            return response, status, {"Retry-After": "60"}
        return response, status

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_unavailable(error: Exception) -> ResponseReturnValue:
        log.error("Database error on %s %s: %s", request.method, request.path, type(error).__name__)
        db.session.rollback()
        _without_the_database()
        return render_error(ServiceUnavailable.code)

    @app.errorhandler(InternalServerError)
    def _server_error(error: InternalServerError) -> ResponseReturnValue:
        original = getattr(error, "original_exception", None)
        log.exception("Unhandled error on %s %s", request.method, request.path, exc_info=original)
        try:
            db.session.rollback()
        except Exception:  # pragma: no cover - the database may itself be the problem
            log.exception("Rollback failed")
        if isinstance(original, OperationalError | InterfaceError):
            # The database failed while an error page (a 400, say) was being drawn.
            _without_the_database()
            return render_error(ServiceUnavailable.code)
        return render_error(500)

    @app.teardown_appcontext
    def _end_session_quietly(error: BaseException | None) -> None:
        """Close the session before Flask-SQLAlchemy does (teardowns run last-registered first):
        a connection the database dropped after the answer was made (a restart) is logged here
        instead of turning that answer into the server's bare 500."""
        try:
            db.session.remove()
        except (OperationalError, InterfaceError) as failure:
            log.warning("Database connection lost at the end of a request: %s", failure)
            db.session.registry.clear()
