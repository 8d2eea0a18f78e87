"""Each person's reminder settings."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from volunteer_hub.core.forms import FlaskForm, perform
from volunteer_hub.core.inputs import form_texts
from volunteer_hub.reminders import services
from volunteer_hub.reminders.models import KINDS

bp = Blueprint("reminders", __name__)


@bp.route("/account/reminders", methods=["GET", "POST"])
@login_required
def settings() -> ResponseReturnValue:
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():
            abort(400)
        enabled = set(form_texts("kind"))
        return perform(
            lambda: services.save(user=current_user, enabled=enabled),
            done="Your reminder settings are saved.",
            back=url_for("reminders.settings"),
        )
    return render_template(
        "reminders/settings.html",
        kinds=KINDS,
        chosen=services.choices(current_user),
        button=FlaskForm(),
    )
