"""/api/v1: the value report for partners' systems, and its OpenAPI description; and
/admin/api-tokens, where administrators issue and revoke the partners' tokens."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address
from flask_login import current_user

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import get_or_404, role_required
from volunteer_hub.api import queries
from volunteer_hub.api.forms import IssueTokenForm, RevokeForm
from volunteer_hub.api.models import ApiToken
from volunteer_hub.api.openapi import openapi_document
from volunteer_hub.api.services import authenticate, hash_token, issue_token, revoke_token
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import attach_error
from volunteer_hub.core.inputs import to_id
from volunteer_hub.extensions import db, limiter
from volunteer_hub.organisations.queries import by_name
from volunteer_hub.reports import exports
from volunteer_hub.reports.disclosure import NotPublished, publish
from volunteer_hub.reports.value import build_value_report

bp = Blueprint("api", __name__, url_prefix="/api/v1")
#: The token administration pages (HTML, signed in as an administrator).
admin_bp = Blueprint("api_admin", __name__, url_prefix="/admin/api-tokens")


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


# Token administration ------------------------------------------------------------------------


def _form() -> IssueTokenForm:
    form = IssueTokenForm()
    form.set_partners(queries.partners())
    return form


def _page(
    form: IssueTokenForm, status: int = 200, new_token: str | None = None
) -> ResponseReturnValue:
    return (
        render_template(
            "api/tokens.html",
            form=form,
            tokens=queries.tokens(),
            revoke=RevokeForm(),
            new_token=new_token,
        ),
        status,
    )


@admin_bp.get("")
@role_required("admin")
def tokens() -> ResponseReturnValue:
    return _page(_form())


@admin_bp.post("")
@role_required("admin")
def issue() -> ResponseReturnValue:
    form = _form()
    if not form.validate_on_submit():
        return _page(form, 400)
    holder_id = to_id(form.holder.data)
    holder = db.session.get(User, holder_id) if holder_id is not None else None
    if holder is None:
        form.holder.errors = ["Choose the partner the token is for"]
        return _page(form, 400)
    try:
        _row, token = issue_token(actor=current_user, holder=holder, name=form.name.data or "")
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _page(form, 400)
    db.session.commit()
    # Shown once, in this response only: never flashed, logged or stored.
    return _page(_form(), 201, new_token=token)


@admin_bp.post("/<int:token_id>/revoke")
@role_required("admin")
def revoke(token_id: int) -> ResponseReturnValue:
    token = get_or_404(ApiToken, token_id, action="change")
    if not RevokeForm().validate_on_submit():
        abort(400)
    try:
        revoke_token(actor=current_user, token=token)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"Token “{token.name}” revoked. It no longer works.", "success")
    return redirect(url_for("api_admin.tokens"))
