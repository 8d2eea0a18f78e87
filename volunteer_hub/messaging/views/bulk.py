"""Bulk messages' pages: compose (from a segment), preview, send, progress (and its JSON),
cancel, the organisation's sent messages, a volunteer's received messages and the public
one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
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
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from volunteer_hub.accounts.permissions import role_required
from volunteer_hub.core.errors import DomainError, NotFound
from volunteer_hub.core.forms import FlaskForm, attach_error, perform
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import csrf, db, limiter
from volunteer_hub.messaging import bulk, queries, segments
from volunteer_hub.messaging.forms import BulkComposeForm
from volunteer_hub.messaging.models import BULK_KINDS, BulkMessage
from volunteer_hub.messaging.views import bp

#: Seconds between refreshes of the progress page without JavaScript.
REFRESH_SECONDS = 2
#: Bulk sends a person may make (``BULK_SEND_LIMIT`` overrides it).
SEND_LIMIT = "5 per hour"


def _send_limit() -> str:
    return str(current_app.config.get("BULK_SEND_LIMIT") or SEND_LIMIT)


def _sender_key() -> str:
    return f"bulk-send:{current_user.get_id() or request.remote_addr}"


def _bulk_or_404(bulk_id: int) -> BulkMessage:
    found = queries.bulk_by_id(bulk_id)
    if found is None or not queries.may_see_bulk(current_user, found):
        abort(404)
    return found


def _compose(
    form: BulkComposeForm, draft: BulkMessage | None, kind: str, key: str
) -> Response | None:
    """Save the draft and go to its preview; None: the form shows the error."""
    try:
        saved = bulk.save_draft(
            sender=current_user,
            segment_kind=kind,
            segment_key=key,
            kind=form.kind.data,
            subject=form.subject.data,
            body=form.body.data,
            bulk=draft,
        )
    except NotFound:
        db.session.rollback()
        abort(404)
    except AlreadyDone as error:  # sent meanwhile (another tab): show where it is
        db.session.rollback()
        flash(error.message, "info")
        return redirect(url_for("messaging.bulk_sent"))
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return None
    db.session.commit()
    return redirect(url_for("messaging.bulk_preview", bulk_id=saved.id))


@bp.route("/messages/bulk/new/<segment>/<key>", methods=["GET", "POST"])
@role_required("staff")
def bulk_new(segment: str, key: str) -> ResponseReturnValue:
    kind = segment
    about = queries.segment_about(kind, key)
    if about is None or not segments.may_use(current_user, kind, key):
        abort(404)
    form = BulkComposeForm()
    if form.validate_on_submit():
        response = _compose(form, None, kind, key)
        if response is not None:
            return response
    return render_template(
        "messaging/bulk_compose.html",
        form=form,
        about=about,
        action=url_for("messaging.bulk_new", segment=kind, key=key),
    )


@bp.route("/messages/bulk/<int:bulk_id>/edit", methods=["GET", "POST"])
@role_required("staff")
def bulk_edit(bulk_id: int) -> ResponseReturnValue:
    draft = _bulk_or_404(bulk_id)
    if draft.status != "draft":
        return redirect(url_for("messaging.bulk_show", bulk_id=draft.id))
    form = BulkComposeForm(obj=draft)
    if form.validate_on_submit():
        response = _compose(form, draft, draft.segment_kind, draft.segment_key)
        if response is not None:
            return response
    about = queries.segment_about(draft.segment_kind, draft.segment_key)
    if about is None:
        abort(404)
    return render_template(
        "messaging/bulk_compose.html",
        form=form,
        about=about,
        action=url_for("messaging.bulk_edit", bulk_id=draft.id),
    )


@bp.get("/messages/bulk/<int:bulk_id>/preview")
@role_required("staff")
def bulk_preview(bulk_id: int) -> ResponseReturnValue:
    draft = _bulk_or_404(bulk_id)
    if draft.status != "draft":
        return redirect(url_for("messaging.bulk_show", bulk_id=draft.id))
    return (
        render_template(
            "messaging/bulk_preview.html",
            bulk=draft,
            preview=queries.preview(current_user, draft, utcnow()),
            button=FlaskForm(),
        ),
        200,
        {"Cache-Control": "no-store"},
    )


def _counted(response: Response) -> bool:
    """Only a send that happened counts towards the limit (not a double click's second)."""
    return bool(g.get("bulk_sent"))


@bp.post("/messages/bulk/<int:bulk_id>/send")
@role_required("staff")
@limiter.limit(_send_limit, key_func=_sender_key, deduct_when=_counted)
def bulk_send(bulk_id: int) -> ResponseReturnValue:
    draft = _bulk_or_404(bulk_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        count = bulk.send(bulk=draft, sender=current_user)
    except NotFound:
        db.session.rollback()
        abort(404)
    except AlreadyDone as error:
        db.session.rollback()
        flash(error.message, "info")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("messaging.bulk_preview", bulk_id=bulk_id))
    else:
        db.session.commit()
        g.bulk_sent = True
        flash(f"Sending the message to {count:,} {'person' if count == 1 else 'people'}", "success")
    return redirect(url_for("messaging.bulk_show", bulk_id=bulk_id))


@bp.get("/messages/bulk/<int:bulk_id>")
@role_required("staff")
def bulk_show(bulk_id: int) -> ResponseReturnValue:
    found = _bulk_or_404(bulk_id)
    if found.status == "draft":
        return redirect(url_for("messaging.bulk_preview", bulk_id=found.id))
    page = render_template(
        "messaging/bulk_show.html",
        bulk=found,
        status=queries.bulk_status(found),
        refresh=REFRESH_SECONDS,
        button=FlaskForm(),
    )
    headers = {"Cache-Control": "no-store"}
    if not found.finished:
        # Without JavaScript the page refreshes itself (a header: the CSP allows no inline script).
        headers["Refresh"] = str(REFRESH_SECONDS)
    return page, 200, headers


@bp.get("/messages/bulk/<int:bulk_id>/status")
@role_required("staff")
def bulk_status(bulk_id: int) -> ResponseReturnValue:
    found = _bulk_or_404(bulk_id)
    status = queries.bulk_status(found)
    response = jsonify({**status, "result_url": url_for("messaging.bulk_show", bulk_id=found.id)})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/messages/bulk/<int:bulk_id>/cancel")
@role_required("staff")
def bulk_cancel(bulk_id: int) -> ResponseReturnValue:
    found = _bulk_or_404(bulk_id)
    back = url_for("messaging.bulk_show", bulk_id=found.id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: bulk.cancel(bulk=found, actor=current_user),
        done=lambda n: f"Message stopped: {n:,} {'person' if n == 1 else 'people'} will not get it",
        back=back,
    )


@bp.get("/messages/bulk/sent")
@role_required("staff")
def bulk_sent() -> ResponseReturnValue:
    return (
        render_template(
            "messaging/bulk_sent.html",
            messages=queries.sent_messages(current_user),
            kinds=BULK_KINDS,
        ),
        200,
        {"Cache-Control": "no-store"},
    )


@bp.get("/messages/bulk/received")
@login_required
def bulk_received() -> ResponseReturnValue:
    volunteer_id = queries.volunteer_id_of(current_user)
    received = queries.received_bulk(volunteer_id) if volunteer_id is not None else []
    return (
        render_template("messaging/bulk_received.html", received=received),
        200,
        {"Cache-Control": "no-store"},
    )


def _by_token(token: str, change: Callable[..., bool] | None, **page: bool) -> ResponseReturnValue:
    """The unsubscribe page for a signed link: ``change`` (unsubscribe or subscribe again) made
    first when given; 404 for a link that does not read or a volunteer who is gone."""
    read = bulk.read_token(token)
    if read is None:
        abort(404)
    volunteer_id, kind = read
    if change is not None:
        try:
            change(volunteer_id=volunteer_id, kind=kind)
        except NotFound:
            db.session.rollback()
            abort(404)
        db.session.commit()
    return (
        render_template(
            "messaging/bulk_unsubscribe.html", kind=BULK_KINDS[kind], token=token, **page
        ),
        200,
        {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


# Public: the link in every bulk email (no sign-in). POST is RFC 8058's one-click unsubscribe,
# sent by mail programs without a session or a CSRF token, so CSRF is exempted here and only
# here; the signed token is what proves the right to unsubscribe. GET only asks to confirm.
@bp.route("/messages/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def bulk_unsubscribe(token: str) -> ResponseReturnValue:
    if request.method == "GET":
        return _by_token(token, None, done=False)
    return _by_token(token, bulk.unsubscribe, done=True)


# "Subscribe again", offered on the page that says you are unsubscribed: the same signed token
# proves the right to it (the person may have no session), so CSRF is exempted here too.
@bp.post("/messages/unsubscribe/<token>/undo")
@csrf.exempt
def bulk_resubscribe(token: str) -> ResponseReturnValue:
    return _by_token(token, bulk.resubscribe, done=False, again=True)
