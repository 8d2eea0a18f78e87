"""The volunteer's privacy page (consents, download, erasure request), the updated privacy notice,
and the administrator's formal requests."""

from __future__ import annotations

import json
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import role_required
from volunteer_hub.accounts.services import active_consent, give_consent
from volunteer_hub.core.dates import add_months
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import FlaskForm, attach_error, perform
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.redirects import local_target
from volunteer_hub.core.templating import register_labels
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set_where, lock
from volunteer_hub.extensions import db
from volunteer_hub.privacy import consents, people, queries
from volunteer_hub.privacy.export import build_export, resolve
from volunteer_hub.privacy.forms import RequestForm
from volunteer_hub.privacy.models import PrivacyRequest
from volunteer_hub.volunteers.models import Volunteer

bp = Blueprint("privacy", __name__)
register_labels(bp, purpose_labels={p.key: p.title for p in consents.PURPOSES})

#: Pages a person may reach before acknowledging an updated privacy notice.
NOTICE_EXEMPT = {"privacy.notice_updated", "core.privacy", "accounts.sign_out", "static", None}


@bp.before_app_request
def show_updated_notice() -> ResponseReturnValue | None:
    """A signed-in person who has not seen the current privacy notice is shown it once."""
    if (
        request.method != "GET"
        or request.endpoint in NOTICE_EXEMPT
        or (request.endpoint or "").startswith(("api.", "core.healthz"))
        or not current_user.is_authenticated
    ):
        return None
    version = current_app.config["PRIVACY_NOTICE_VERSION"]
    seen = f"{current_user.id}:{version}"
    if session.get("privacy_notice_seen") == seen:
        return None  # checked already in this session: no query on every page
    record = active_consent(current_user, "privacy_notice")
    if record is None or record.version == version:
        # Never recorded (older accounts): asked at the next change only.
        session["privacy_notice_seen"] = seen
        return None
    return redirect(url_for("privacy.notice_updated", next=request.full_path))


@bp.route("/privacy/updated", methods=["GET", "POST"])
@login_required
def notice_updated() -> ResponseReturnValue:
    back = local_target(request.args.get("next"), url_for("core.home"))
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():
            abort(400)
        give_consent(current_user, "privacy_notice", "notice_update_shown")
        db.session.commit()
        return redirect(back)
    return render_template(
        "privacy/updated.html",
        version=current_app.config["PRIVACY_NOTICE_VERSION"],
        button=FlaskForm(),
    )


@bp.get("/account/privacy")
@login_required
def mine() -> ResponseReturnValue:
    records = consents.history(current_user)
    current = {
        p.key: next((r for r in records if r.purpose == p.key and r.withdrawn_at is None), None)
        for p in consents.PURPOSES
    }
    requests = queries.requests_of(current_user)
    return render_template(
        "privacy/mine.html",
        purposes=consents.PURPOSES,
        current=current,
        records=records,
        requests=requests,
        button=FlaskForm(),
    )


@bp.post("/account/privacy/<purpose>/<action>")
@login_required
def consent(purpose: str, action: str) -> ResponseReturnValue:
    if action not in ("give", "withdraw") or not FlaskForm().validate_on_submit():
        abort(404)
    title = consents.BY_KEY[purpose].title if purpose in consents.BY_KEY else purpose
    return perform(
        lambda: (consents.give if action == "give" else consents.withdraw)(
            user=current_user, purpose=purpose
        ),
        done=f"{title}: {'agreed' if action == 'give' else 'withdrawn'}.",
        back=url_for("privacy.mine"),
    )


@bp.get("/account/privacy/my-data.<fmt>")
@login_required
def download(fmt: str) -> ResponseReturnValue:
    """Everything held about the signed-in person (and only them)."""
    if fmt not in ("json", "html"):
        abort(404)
    data = build_export(user=current_user, volunteer=None, full=False)
    audit("privacy.self_export", actor=current_user, target=current_user, details={"format": fmt})
    db.session.commit()
    if fmt == "json":
        return Response(
            json.dumps(data, indent=2, ensure_ascii=False, default=str),
            mimetype="application/json",
            headers={
                "Content-Disposition": "attachment; filename=my-volunteer-hub-data.json",
                "Cache-Control": "no-store",
            },
        )
    return render_template("privacy/readable.html", data=data, heading="Your data")


@bp.post("/account/privacy/erase")
@login_required
def ask_erasure() -> ResponseReturnValue:
    if not FlaskForm().validate_on_submit():
        abort(400)

    def ask() -> None:
        lock(db.session.get(User, current_user.id))  # a double click asks once
        open_request = queries.open_erasure_request_id(current_user)
        if open_request:
            raise AlreadyDone("You have already asked: an administrator will confirm it.")
        _, volunteer = resolve(user=current_user, volunteer=None)
        today = date.today()
        item = PrivacyRequest(
            kind="erasure",
            user_id=current_user.id,
            volunteer_id=volunteer.id if volunteer else None,
            received_on=today,
            due_on=add_months(today, 1),
            channel="account",
        )
        db.session.add(item)
        db.session.flush()
        audit("privacy.erasure_requested", actor=current_user, target=item)

    return perform(
        ask,
        done="We have your request. An administrator will confirm it within a month and tell you "
        "what the law requires us to keep.",
        back=url_for("privacy.mine"),
    )


# --- formal requests (administrators) --------------------------------------------------------


@bp.route("/admin/privacy", methods=["GET", "POST"])
@role_required("admin")
def requests() -> ResponseReturnValue:
    form = RequestForm()
    if form.validate_on_submit():
        user, volunteer = people.by_email(form.email.data or "")
        received = form.received_on.data
        try:
            if user is None and volunteer is None:
                raise DomainError("Nobody with this email address is held", field="email")
            if received is None or received > date.today():
                raise DomainError("The date received cannot be in the future", field="received_on")
            open_request = _open_request(form.kind.data or "", user, volunteer)
        except DomainError as error:
            attach_error(form, error)
        else:
            if open_request is not None:
                db.session.rollback()
                flash(
                    f"This {open_request.kind} request is already logged and open: reply to it "
                    f"by {open_request.due_on:%-d %B %Y}.",
                    "info",
                )
                return redirect(url_for("privacy.request_detail", request_id=open_request.id))
            item = PrivacyRequest(
                kind=form.kind.data,
                user_id=user.id if user else None,
                volunteer_id=volunteer.id if volunteer else None,
                received_on=received,
                due_on=add_months(received, 1),
                channel=(form.channel.data or "").strip() or "email",
                notes=(form.notes.data or "").strip() or None,
                logged_by_id=current_user.id,
            )
            db.session.add(item)
            db.session.flush()
            audit(
                "privacy.request_logged",
                actor=current_user,
                target=item,
                details={"kind": item.kind},
            )
            db.session.commit()
            flash(f"Request logged: reply by {item.due_on:%-d %B %Y}.", "success")
            return redirect(url_for("privacy.request_detail", request_id=item.id))
    items = queries.all_requests()
    return render_template("privacy/requests.html", form=form, items=items, today=date.today()), (
        400 if form.errors else 200
    )


def _open_request(
    kind: str, user: User | None, volunteer: Volunteer | None
) -> PrivacyRequest | None:
    """The person's open request of this kind, read under a lock on the person's row, so the
    same request logged twice at once (a double click) is logged once."""
    lock(user if user is not None else volunteer)
    return queries.open_request(kind, user, volunteer)


def _request(request_id: int) -> PrivacyRequest:
    item = db.session.get(PrivacyRequest, request_id)
    if item is None:
        abort(404)
    return item


@bp.get("/admin/privacy/<int:request_id>")
@role_required("admin")
def request_detail(request_id: int) -> ResponseReturnValue:
    item = _request(request_id)
    user, volunteer = people.of_request(item)
    audit("privacy.request_viewed", actor=current_user, target=item)
    db.session.commit()
    return render_template(
        "privacy/request.html",
        item=item,
        user=user,
        volunteer=volunteer,
        today=date.today(),
        button=FlaskForm(),
    )


@bp.post("/admin/privacy/<int:request_id>/export.json")
@role_required("admin")
def request_export(request_id: int) -> ResponseReturnValue:
    """The full export (confidential notes included) for the administrator to review."""
    item = _request(request_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    user, volunteer = people.of_request(item)
    data = build_export(user=user, volunteer=volunteer, full=True)
    item.exported_at = utcnow()
    if item.status == "received" and item.kind == "access":
        item.status = "exported"
    audit("privacy.request_exported", actor=current_user, target=item)
    db.session.commit()
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False, default=str),
        mimetype="application/json",
        headers={
            "Content-Disposition": f"attachment; filename=subject-access-{item.id}.json",
            "Cache-Control": "no-store",
        },
    )


@bp.post("/admin/privacy/<int:request_id>/sent")
@role_required("admin")
def request_sent(request_id: int) -> ResponseReturnValue:
    item = _request(request_id)
    if not FlaskForm().validate_on_submit():
        abort(400)

    def sent() -> None:
        if item.kind == "access" and item.exported_at is None:
            raise DomainError("Generate and review the export before recording it as sent")
        compare_and_set_where(
            item,
            PrivacyRequest.sent_at.is_(None),
            values={"sent_at": utcnow(), **({"status": "sent"} if item.kind == "access" else {})},
            message="The reply was already recorded as sent.",
        )
        audit("privacy.request_sent", actor=current_user, target=item)

    return perform(
        sent,
        done="Recorded as sent.",
        back=url_for("privacy.request_detail", request_id=item.id),
    )


@bp.post("/admin/privacy/<int:request_id>/erase")
@role_required("admin")
def request_erase(request_id: int) -> ResponseReturnValue:
    item = _request(request_id)
    if item.kind != "erasure" or not FlaskForm().validate_on_submit():
        abort(400)
    if request.form.get("confirm") != "yes":
        flash("Tick the box to confirm the erasure", "error")
        return redirect(url_for("privacy.request_detail", request_id=item.id))
    from volunteer_hub.privacy.erasure import erase

    user, volunteer = people.of_request(item)

    def run() -> None:
        # The request's row locked: of two confirmations at once, one erases (one audit event).
        if lock(item).status == "erased":
            raise AlreadyDone("This person was already erased.")
        erase(actor=current_user, user=user, volunteer=volunteer, today=date.today())
        item.status = "erased"
        item.erased_at = item.erased_at or utcnow()
        audit("privacy.request_erased", actor=current_user, target=item)

    return perform(
        run,
        done="Erased. The reply lists what the law requires us to keep.",
        back=url_for("privacy.request_detail", request_id=item.id),
    )
