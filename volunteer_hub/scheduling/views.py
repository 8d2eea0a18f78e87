"""Shifts on role pages, "My shifts", the coordinators' rota and a shift's roster."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from volunteer_hub.accounts.permissions import get_or_404, has_any_role, role_required
from volunteer_hub.core.formatting import plural
from volunteer_hub.core.forms import FlaskForm, attempt, perform
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.navigation import external_url
from volunteer_hub.extensions import db, limiter
from volunteer_hub.organisations.models import Organisation, Role
from volunteer_hub.scheduling import attendance, feeds, months, moves, queries, services, shifts
from volunteer_hub.scheduling.forms import (
    AssignForm,
    AttendanceForm,
    FeedResetForm,
    MoveShiftForm,
    ShiftForm,
    move_span,
    shift_values,
)
from volunteer_hub.scheduling.models import Shift, SignUp
from volunteer_hub.scheduling.times import LONDON, local

bp = Blueprint("scheduling", __name__)


def _now() -> datetime:
    return utcnow()


def _today() -> date:
    return datetime.now(LONDON).date()


@bp.app_template_global()
def role_shifts(role: Role) -> list[Shift]:
    """For the role page: the role's upcoming shifts."""
    return queries.upcoming_for_role(role.id, _now())


@bp.get("/shifts/<int:shift_id>")
@role_required("volunteer", "staff")
def shift(shift_id: int) -> ResponseReturnValue:
    found = get_or_404(Shift, shift_id)
    volunteer = queries.volunteer_of(current_user)
    mine = next((s for s in found.signups if volunteer and s.volunteer_id == volunteer.id), None)
    manages = queries.manages(current_user, found.role.organisation_id)
    return render_template(
        "scheduling/shift.html",
        shift=found,
        mine=mine if mine is None or mine.status != "cancelled" else None,
        may_sign_up=has_any_role(current_user, "volunteer"),
        manages=manages,
        started=found.starts_at <= _now(),
        button=FlaskForm(),
        assign=AssignForm() if manages else None,
        week=local(found.starts_at).date().isoformat(),
    )


@bp.post("/shifts/<int:shift_id>/sign-up")
@role_required("volunteer")
def sign_up(shift_id: int) -> ResponseReturnValue:
    found = get_or_404(Shift, shift_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: services.sign_up(user=current_user, shift=found, now=_now()),
        done=lambda signup: (
            "You have a place on this shift."
            if signup.status == "confirmed"
            else "The shift is full: you are on the waiting list, and we will email you if a "
            "place comes free."
        ),
        back=url_for("scheduling.shift", shift_id=shift_id),
    )


@bp.post("/shifts/sign-ups/<int:signup_id>/cancel")
@role_required("volunteer", "staff")
def cancel(signup_id: int) -> ResponseReturnValue:
    signup = get_or_404(SignUp, signup_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    shift_id = signup.shift_id
    return perform(
        lambda: services.cancel(user=current_user, signup=signup, now=_now()),
        done="Cancelled.",
        back=url_for("scheduling.shift", shift_id=shift_id),
    )


@bp.post("/shifts/<int:shift_id>/assign")
@role_required("staff")
def assign(shift_id: int) -> ResponseReturnValue:
    found = get_or_404(Shift, shift_id, action="change")
    form = AssignForm()
    back = url_for("scheduling.shift", shift_id=shift_id)
    if not form.validate_on_submit():
        flash("Enter the email address of a volunteer", "error")
        return redirect(back)
    volunteer = queries.volunteer_by_email(form.email.data or "")
    if volunteer is None:
        flash("No volunteer has that email address", "error")
        return redirect(back)
    chosen = volunteer
    return perform(
        lambda: services.assign(actor=current_user, shift=found, volunteer=chosen, now=_now()),
        done=f"{chosen.name} has a place on this shift.",
        back=back,
    )


@bp.post("/shifts/<int:shift_id>/cancel")
@role_required("staff")
def cancel_shift(shift_id: int) -> ResponseReturnValue:
    found = get_or_404(Shift, shift_id, action="change")
    if not FlaskForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: services.cancel_shift(actor=current_user, shift=found, now=_now()),
        done=lambda told: f"Shift cancelled; {plural(told, 'volunteer')} emailed.",
        back=url_for("scheduling.shift", shift_id=shift_id),
    )


@bp.post("/shifts/<int:shift_id>/attendance")
@role_required("staff")
def mark_attendance(shift_id: int) -> ResponseReturnValue:
    found = get_or_404(Shift, shift_id, action="change")
    form = AttendanceForm()
    if not form.validate_on_submit():
        abort(400)
    ticked = set(form.attended.data)
    marks = {
        s.id: "attended" if s.id in ticked else "no_show"
        for s in found.signups
        if s.status in ("confirmed", "attended", "no_show")
    }
    return perform(
        lambda: attendance.mark_many(actor=current_user, shift=found, marks=marks, now=_now()),
        done="Attendance saved; hours recorded for those who came.",
        back=url_for("scheduling.shift", shift_id=shift_id),
    )


@bp.get("/my-shifts")
@role_required("volunteer")
def mine() -> ResponseReturnValue:
    volunteer = queries.volunteer_of(current_user)
    now = _now()
    return render_template(
        "scheduling/mine.html",
        upcoming=queries.shifts_of_volunteer(volunteer.id, now, past=False) if volunteer else [],
        past=queries.shifts_of_volunteer(volunteer.id, now, past=True) if volunteer else [],
        button=FlaskForm(),
    )


@bp.get("/rota")
@role_required("staff")
def rotas() -> ResponseReturnValue:
    organisations = queries.rota_organisations(current_user)
    if len(organisations) == 1:
        return redirect(url_for("scheduling.rota", organisation_id=organisations[0].id))
    return render_template("scheduling/rotas.html", organisations=organisations)


@bp.get("/rota/<int:organisation_id>")
@role_required("staff")
def rota(organisation_id: int) -> ResponseReturnValue:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not queries.manages(current_user, organisation_id):
        abort(404)
    today = _today()
    try:
        chosen = (
            date.fromisoformat(request.args.get("week", "")) if request.args.get("week") else today
        )
    except ValueError:
        chosen = today
    monday = chosen - timedelta(days=chosen.weekday())
    roles = queries.roles_of(organisation_id)
    return render_template(
        "scheduling/rota.html",
        organisation=organisation,
        days=queries.week(organisation_id, monday),
        monday=monday,
        previous=monday - timedelta(days=7),
        following=monday + timedelta(days=7),
        roles=roles,
    )


@bp.route("/roles/<int:role_id>/shifts/new", methods=["GET", "POST"])
@role_required("staff")
def new_shift(role_id: int) -> ResponseReturnValue:
    role = get_or_404(Role, role_id, action="change")
    form = ShiftForm()
    if form.validate_on_submit():

        def add() -> str:
            values = shift_values(form)
            if values["frequency"] == "once":
                shifts.add_shift(actor=current_user, role=role, values=values, now=_now())
                return "Shift added."
            _pattern, made = shifts.add_pattern(
                actor=current_user, role=role, values=values, today=_today()
            )
            return f"Repeating shift added: {made} shifts in the next 13 weeks."

        added = attempt(form, add)
        if added.ok and added.result:
            flash(added.result, "success")
            return redirect(url_for("scheduling.rota", organisation_id=role.organisation_id))
    return render_template("scheduling/shift_form.html", form=form, role=role), (
        400 if form.errors else 200
    )


# QR check-in, the kiosk page and a volunteer's shift record join this blueprint.
from volunteer_hub.scheduling import checkin_views as _checkin_views  # noqa: E402, F401
from volunteer_hub.scheduling import interview_views as _interview_views  # noqa: E402, F401

# --- calendar feeds (scheduling/feeds.py) ------------------------------------------------------


@bp.get("/calendar/<secret>.ics")
@limiter.limit("120 per hour", key_func=lambda: "feed:" + request.path)
def feed(secret: str) -> ResponseReturnValue:
    """A person's private iCalendar feed; an unknown or revoked link is a 404. Limited per link,
    not per address: calendar services fetch everyone's feeds from a few addresses."""
    user = feeds.user_for_secret(secret)
    if user is None:
        abort(404)
    body = feeds.calendar(feeds.person_for(user, _now()))
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": 'inline; filename="volunteer-hub.ics"',
            "X-Robots-Tag": "noindex",
        },
    )


@bp.get("/account/calendar")
@login_required
def feed_settings() -> ResponseReturnValue:
    token = feeds.token_of(current_user)
    secret = feeds.secret_of(token) if token else None
    return render_template(
        "scheduling/feed.html",
        token=token,
        url=external_url("scheduling.feed", secret=secret) if secret else None,
        button=FlaskForm(),
    )


@bp.post("/account/calendar")
@login_required
def feed_create() -> ResponseReturnValue:
    if not FlaskForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: feeds.create_link(user=current_user),
        done="Your calendar link is ready.",
        back=url_for("scheduling.feed_settings"),
    )


@bp.post("/account/calendar/reset")
@login_required
def feed_reset() -> ResponseReturnValue:
    form = FeedResetForm()
    if not form.validate_on_submit():
        abort(400)
    current = form.current.data or ""
    return perform(
        lambda: feeds.reset_link(user=current_user, current=current),
        done="Your calendar link has been reset: the old link no longer works.",
        back=url_for("scheduling.feed_settings"),
    )


# --- moving a shift (scheduling/moves.py) ------------------------------------------------------


@bp.app_template_global()
def shift_clashes(shift: Shift) -> set[int]:
    """For the roster: the places whose holder also has an overlapping shift."""
    return {s.id for s in moves.clashes(shift)}


@bp.route("/shifts/<int:shift_id>/move", methods=["GET", "POST"])
@role_required("staff")
def move_shift(shift_id: int) -> ResponseReturnValue:
    found = get_or_404(Shift, shift_id, action="change")
    form = MoveShiftForm(
        data={
            "day": local(found.starts_at).date(),
            "start": f"{local(found.starts_at):%H:%M}",
            "end": f"{local(found.ends_at):%H:%M}",
            "location": found.location,
            "version": found.version,
        }
    )
    back = url_for("scheduling.shift", shift_id=shift_id)
    if form.validate_on_submit():

        def move() -> moves.Moved:
            starts_at, ends_at = move_span(form)
            return moves.move_shift(
                actor=current_user,
                shift=found,
                starts_at=starts_at,
                ends_at=ends_at,
                location=form.location.data,
                version=form.version.data or 0,
                now=_now(),
            )

        outcome = attempt(form, move)
        if outcome.already:
            return redirect(back)
        if outcome.ok and (moved := outcome.result) is not None:
            clash = f" {plural(len(moved.clashing), 'volunteer')} now overlap another shift."
            flash(
                f"Shift moved; {plural(moved.told, 'volunteer')} emailed."
                + (clash if moved.clashing else ""),
                "success",
            )
            return redirect(back)
    return render_template("scheduling/shift_move.html", form=form, shift=found), (
        400 if form.errors else 200
    )


# --- the month rota (scheduling/months.py) -----------------------------------------------------


@bp.get("/rota/<int:organisation_id>/month")
@role_required("staff")
def rota_month(organisation_id: int) -> ResponseReturnValue:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not queries.manages(current_user, organisation_id):
        abort(404)
    roles = queries.roles_of(organisation_id)
    chosen = next((r for r in roles if str(r.id) == request.args.get("role", "")), None)
    found = months.month(
        organisation_id,
        months.first_of(request.args.get("month"), _today()),
        chosen.id if chosen else None,
    )
    return render_template(
        "scheduling/rota_month.html",
        organisation=organisation,
        month=found,
        roles=roles,
        role=chosen,
        week=found.first.isoformat(),
    )
