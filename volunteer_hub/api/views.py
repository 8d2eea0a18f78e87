"""/api/v1: the value report for partners' systems, and its OpenAPI description."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address

from volunteer_hub.api.openapi import openapi_document
from volunteer_hub.api.services import authenticate, hash_token
from volunteer_hub.core.errors import DomainError
from volunteer_hub.extensions import db, limiter
from volunteer_hub.organisations.queries import by_name
from volunteer_hub.reports import exports
from volunteer_hub.reports.disclosure import NotPublished, publish
from volunteer_hub.reports.value import build_value_report

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _rate_key() -> str:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return "token:" + hash_token(header[7:].strip())[:16]
    return "ip:" + (get_remote_address() or "")


def _limit() -> str:
    return str(current_app.config.get("API_RATE_LIMIT", "120 per minute"))


def error(status: int, message: str) -> ResponseReturnValue:
    headers = {"WWW-Authenticate": 'Bearer realm="volunteer-hub"'} if status == 401 else {}
    return jsonify({"error": message, "status": status}), status, headers


def _date(name: str) -> date:
    raw = request.args.get(name, "")
    if not raw:
        raise DomainError(f"{name} is required, a date like 2025-04-01")
    try:
        if len(raw) != 10:
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise DomainError(f"{name} {raw!r} is not a date like 2025-04-01") from None


@bp.after_request
def _no_store(response: Response) -> Response:
    """Reports are not to be kept by browsers or proxies."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/reports/value")
# Per token, and per address too, so made-up tokens do not each get a fresh allowance.
@limiter.limit(_limit, key_func=_rate_key)
@limiter.limit(_limit, key_func=lambda: "ip:" + (get_remote_address() or ""))
def value_report() -> ResponseReturnValue:
    token = authenticate(request.headers.get("Authorization"))
    if token is None:
        db.session.rollback()
        return error(401, "A valid bearer token is required (Authorization: Bearer <token>)")
    g.api_token = token
    db.session.commit()  # last use is recorded even if the request is then refused
    try:
        start, end = _date("start"), _date("end")
        if end < start:
            raise DomainError("end is before start")
        organisation = None
        name = request.args.get("organisation")
        if name:
            organisation = by_name(name)
            if organisation is None:
                raise DomainError(f"no organisation is called {name!r}")
        report = publish(build_value_report(start=start, end=end, organisation=organisation))
    except DomainError as problem:
        return error(400, problem.message)
    except NotPublished as problem:
        # 400: fewer than the minimum group; 422: the disclosure audit did not pass.
        return error(problem.status, str(problem))
    return Response(exports.to_json(report), mimetype="application/json")


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    # The public address from BASE_URL, never the request's Host header (which anyone can set).
    server = str(current_app.config["BASE_URL"]).rstrip("/") + (bp.url_prefix or "")
    document: dict[str, Any] = openapi_document(server)
    return jsonify(document)
