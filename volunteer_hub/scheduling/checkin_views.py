"""Check-in by QR code: the coordinators' kiosk page and its code, the volunteer's scan and
check-in page, and a volunteer's shift record (with no-shows) as coordinators see it. The
routes join the scheduling blueprint (imported at the end of ``views.py``)."""

from __future__ import annotations

import io
from datetime import datetime

import qrcode
import qrcode.image.svg
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_url

from volunteer_hub.accounts.permissions import (
    coordinated_organisation_ids,
    get_or_404,
    role_required,
    sees_all_organisations,
)
from volunteer_hub.core.forms import perform
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.navigation import external_url
from volunteer_hub.extensions import db
from volunteer_hub.scheduling import checkin, queries
from volunteer_hub.scheduling.forms import CheckInForm
from volunteer_hub.scheduling.models import HOLDING, Shift
from volunteer_hub.scheduling.views import bp
from volunteer_hub.volunteers.models import Volunteer

#: The kiosk page reloads itself (a Refresh header, no script) to show a new code.
KIOSK_REFRESH_SECONDS = 30
NO_STORE = {"Cache-Control": "no-store"}


def _now() -> datetime:
    return utcnow()


def _scope() -> list[int] | None:
    """The organisations whose shifts the current coordinator sees (None: every one)."""
    if sees_all_organisations(current_user):
        return None
    return sorted(coordinated_organisation_ids(current_user))


@bp.app_template_global()
def shift_no_shows(shift: Shift) -> dict[int, int]:
    """For the roster: each volunteer's no-shows at the organisations the viewer coordinates
    (empty for anyone who does not run the shift)."""
    if not queries.manages(current_user, shift.role.organisation_id):
        return {}
    return checkin.no_show_counts([s.volunteer_id for s in shift.signups], _scope())


@bp.get("/shifts/<int:shift_id>/kiosk")
@role_required("staff")
def kiosk(shift_id: int) -> ResponseReturnValue:
    found = get_or_404(Shift, shift_id, action="change")
    now = _now()
    page = render_template(
        "scheduling/checkin_kiosk.html",
        shift=found,
        window=int(now.timestamp()) // checkin.WINDOW,
        checked_in=sum(1 for s in found.signups if s.checked_in_at is not None),
        holding=sum(1 for s in found.signups if s.status in HOLDING),
        refresh=KIOSK_REFRESH_SECONDS,
    )
    return page, 200, {"Refresh": str(KIOSK_REFRESH_SECONDS), **NO_STORE}


@bp.get("/shifts/<int:shift_id>/kiosk/code.svg")
@role_required("staff")
def kiosk_code(shift_id: int) -> ResponseReturnValue:
    found = get_or_404(Shift, shift_id, action="change")
    url = external_url(
        "scheduling.scan", shift_id=found.id, code=checkin.code_for(found.id, _now())
    )
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return Response(
        buffer.getvalue(),
        mimetype="image/svg+xml",
        headers={**NO_STORE, "X-Content-Type-Options": "nosniff"},
    )


@bp.get("/check-in/<int:shift_id>/<code>")
def scan(shift_id: int, code: str) -> ResponseReturnValue:
    """The address in the QR code. A good code opens the check-in page (after signing in, for
    someone signed out); anything else says to scan again. Nothing changes here."""
    good = db.session.get(Shift, shift_id) is not None and checkin.code_is_good(
        shift_id, code, _now()
    )
    if not current_user.is_authenticated:
        target = (
            url_for("scheduling.check_in", shift_id=shift_id, p=checkin.pass_for(shift_id))
            if good
            else request.path
        )
        flash("Sign in to check in to your shift.", "info")
        return redirect(login_url("accounts.sign_in", next_url=target))
    if not good:
        return _expired()
    return redirect(url_for("scheduling.check_in", shift_id=shift_id, p=checkin.pass_for(shift_id)))


def _expired() -> ResponseReturnValue:
    return render_template("scheduling/checkin_expired.html"), 400, NO_STORE


@bp.route("/shifts/<int:shift_id>/check-in", methods=["GET", "POST"])
@role_required("volunteer")
def check_in(shift_id: int) -> ResponseReturnValue:
    found = get_or_404(Shift, shift_id)
    form = CheckInForm()
    token = (form.p.data if request.method == "POST" else request.args.get("p")) or ""
    if not checkin.pass_is_good(found.id, token):
        return _expired()
    back = url_for("scheduling.check_in", shift_id=shift_id, p=token)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if form.action.data == "out":
            return perform(
                lambda: checkin.check_out(user=current_user, shift=found, now=_now()),
                done="You are checked out. Thank you for volunteering!",
                back=back,
            )
        return perform(
            lambda: checkin.check_in(user=current_user, shift=found, now=_now()),
            done="You are checked in. Scan the code again when you leave to check out.",
            back=back,
        )
    form.p.data = token
    return (
        render_template(
            "scheduling/checkin_page.html",
            shift=found,
            form=form,
            standing=checkin.standing(current_user, found, _now()),
        ),
        200,
        NO_STORE,
    )


@bp.get("/shifts/volunteers/<int:volunteer_id>")
@role_required("staff")
def volunteer_record(volunteer_id: int) -> ResponseReturnValue:
    """A volunteer's places on the viewer's organisations' shifts, with attendance and
    no-shows: only for coordinators of a shift they had a place on (and the centre)."""
    volunteer = db.session.get(Volunteer, volunteer_id)
    scope = _scope()
    places = checkin.record_of(volunteer_id, scope) if volunteer is not None else []
    if volunteer is None or not places:
        abort(404)
    return (
        render_template(
            "scheduling/checkin_record.html",
            volunteer=volunteer,
            places=places,
            no_shows=checkin.no_show_counts([volunteer_id], scope).get(volunteer_id, 0),
            attended=sum(1 for s in places if s.status == "attended"),
        ),
        200,
        NO_STORE,
    )
