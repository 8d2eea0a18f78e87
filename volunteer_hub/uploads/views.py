"""Imports from the browser: /imports (choose), /imports/<kind>/new (upload), /imports/<id>
(progress, then the result) and /imports/<id>/status (the JSON the page polls)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import attach_error, choices
from volunteer_hub.extensions import db
from volunteer_hub.uploads import queries, services
from volunteer_hub.uploads.forms import UploadForm, max_bytes
from volunteer_hub.uploads.models import Upload, UploadKind

bp = Blueprint("uploads", __name__, url_prefix="/imports")

#: Seconds between refreshes of the progress page without JavaScript.
REFRESH_SECONDS = 2
HEADERS = {
    UploadKind.HOURS: "ref,volunteer_email,volunteer_name,organisation,role,soc_code,date,hours,"
    "employer_time",
    UploadKind.EXPENSES: "ref,volunteer_email,volunteer_name,organisation,date,type,miles,amount,"
    "status,paid_on,description",
    UploadKind.TIMEBANK: "ref,date,giver_email,receiver_email,hours,description",
}


def _kind_or_404(kind: str) -> UploadKind:
    try:
        return UploadKind(kind)
    except ValueError:
        abort(404)


def _upload_or_404(upload_id: int) -> Upload:
    upload = queries.by_id(upload_id)
    if upload is None or not queries.may_see(current_user, upload):
        abort(404)
    return upload


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    kinds = [kind for kind in UploadKind if queries.targets(current_user, kind)]
    uploads = queries.uploads_of(current_user)
    if not kinds and not uploads:
        abort(403)
    return render_template(
        "uploads/index.html", kinds=kinds, uploads=uploads, nouns=queries.KIND_NOUNS
    )


@bp.route("/<kind>/new", methods=["GET", "POST"])
@login_required
def new(kind: str) -> ResponseReturnValue:
    which = _kind_or_404(kind)
    targets = queries.targets(current_user, which)
    if not targets:
        abort(403)
    form = UploadForm()
    form.target.choices = choices(targets, prompt=None if len(targets) == 1 else "Choose one")
    if which == UploadKind.TIMEBANK:
        form.target.label.text = "Time bank"
    if form.validate_on_submit():
        if not queries.may_import(current_user, which, form.target.data):
            abort(403)
        try:
            upload = services.store_upload(
                kind=which,
                target_id=form.target.data,
                user=current_user,
                filename=form.file.data.filename,
                stream=form.file.data.stream,
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("File uploaded: it is being checked", "success")
            return redirect(url_for("uploads.show", upload_id=upload.id))
    return render_template(
        "uploads/new.html",
        form=form,
        kind=which,
        noun=queries.KIND_NOUNS[which],
        header=HEADERS[which],
        max_mb=max_bytes() // (1024 * 1024),
    )


@bp.get("/<int:upload_id>")
@login_required
def show(upload_id: int) -> ResponseReturnValue:
    upload = _upload_or_404(upload_id)
    page = render_template(
        "uploads/show.html",
        upload=upload,
        noun=queries.KIND_NOUNS[UploadKind(upload.kind)],
        refresh=REFRESH_SECONDS,
    )
    if upload.finished:
        return page
    # Without JavaScript the page refreshes itself (a header: the CSP allows no inline script).
    return page, 200, {"Refresh": str(REFRESH_SECONDS), "Cache-Control": "no-store"}


@bp.get("/<int:upload_id>/status")
@login_required
def status(upload_id: int) -> ResponseReturnValue:
    response = jsonify(queries.status(_upload_or_404(upload_id)))
    response.headers["Cache-Control"] = "no-store"
    return response
