"""Each person's reminder settings."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from volunteer_hub.core.forms import perform
from volunteer_hub.reminders import queries, services
from volunteer_hub.reminders.forms import SettingsForm
from volunteer_hub.reminders.models import KINDS

bp = Blueprint("reminders", __name__)


@bp.route("/account/reminders", methods=["GET", "POST"])
@login_required
def settings() -> ResponseReturnValue:
    form = SettingsForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        enabled = set(form.kind.data or [])
        return perform(
            lambda: services.save(user=current_user, enabled=enabled),
            done="Your reminder settings are saved.",
            back=url_for("reminders.settings"),
        )
    return render_template(
        "reminders/settings.html",
        kinds=KINDS,
        chosen=queries.choices(current_user),
        button=form,
    )
