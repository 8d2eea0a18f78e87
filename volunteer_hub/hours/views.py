"""Logging hours (volunteers) and the approval queue (supervisors and coordinators)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from sqlalchemy import or_, select
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from volunteer_hub.accounts.permissions import (
    coordinated_organisation_ids,
    get_or_404,
    role_required,
    sees_all_organisations,
)
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import GovDateField, attach_error
from volunteer_hub.extensions import db
from volunteer_hub.hours.logging import NeedsConfirmation, decide_many, log_for_placement
from volunteer_hub.hours.models import HourRecord, HourStatus
from volunteer_hub.organisations.models import Role
from volunteer_hub.placements.models import Placement
from volunteer_hub.volunteers.models import Volunteer

bp = Blueprint("hours", __name__)
QUEUE_PAGE = 50
QUERY_FIELDS = ("volunteer", "role", "from", "to")


class LogForm(FlaskForm):
    day = GovDateField("Date", validators=[InputRequired(message="Enter the date")])
    hours = SelectField(
        "Hours", choices=[(str(h), str(h)) for h in range(0, 25)], default="2", widget=GovSelect()
    )
    minutes = SelectField(
        "Minutes",
        choices=[("0", "0"), ("15", "15"), ("30", "30"), ("45", "45")],
        default="0",
        widget=GovSelect(),
    )
    note = StringField(
        "Note (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=500)]
    )
    confirm = BooleanField("Yes, this was a second session", widget=GovCheckboxInput())
    submit = SubmitField("Log hours", widget=GovSubmitInput())


class DecideForm(FlaskForm):
    reason = StringField(
        "Reason (when rejecting)", widget=GovTextInput(), validators=[Optional(), Length(max=500)]
    )


def _hours(seconds: int) -> str:
    return str((Decimal(seconds) / 3600).quantize(Decimal("0.01")))


@bp.route("/placements/<int:placement_id>/hours", methods=["GET", "POST"])
@role_required("volunteer")
def log(placement_id: int) -> ResponseReturnValue:
    placement = get_or_404(Placement, placement_id)
    if placement.volunteer.user_id != current_user.id:
        abort(404)
    form = LogForm()
    needs_confirmation = False
    if form.validate_on_submit() and form.day.data is not None:
        try:
            log_for_placement(
                user=current_user,
                placement=placement,
                day=form.day.data,
                minutes=int(form.hours.data or 0) * 60 + int(form.minutes.data or 0),
                note=form.note.data or "",
                today=date.today(),
                confirmed=bool(form.confirm.data),
            )
        except NeedsConfirmation as error:
            db.session.rollback()
            attach_error(form, error)
            needs_confirmation = True
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Hours logged. Your supervisor will approve them.", "success")
            return redirect(url_for("hours.log", placement_id=placement.id))
    records = db.session.scalars(
        select(HourRecord)
        .where(HourRecord.placement_id == placement.id)
        .order_by(HourRecord.date.desc(), HourRecord.id.desc())
        .limit(100)
    ).all()
    return render_template(
        "hours/log.html",
        placement=placement,
        form=form,
        records=records,
        needs_confirmation=needs_confirmation,
        hours=_hours,
    ), (400 if form.errors else 200)


@bp.route("/placements/<int:placement_id>/hours/week", methods=["GET", "POST"])
@role_required("volunteer")
def week(placement_id: int) -> ResponseReturnValue:
    """Several days at once: a row per day of one week (Monday to Sunday), all or nothing."""
    placement = get_or_404(Placement, placement_id)
    if placement.volunteer.user_id != current_user.id:
        abort(404)
    today = date.today()
    raw = request.args.get("start", "")
    try:
        start = date.fromisoformat(raw) if len(raw) == 10 else today
    except ValueError:
        start = today
    monday = start - timedelta(days=start.weekday())
    days = [monday + timedelta(days=n) for n in range(7)]
    form = FlaskForm()
    problems: dict[str, str] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        entries = []
        for day in days:
            hours_raw = request.form.get(f"hours-{day.isoformat()}", "0")
            minutes_raw = request.form.get(f"minutes-{day.isoformat()}", "0")
            if not (
                hours_raw.isascii()
                and hours_raw.isdecimal()
                and minutes_raw in {"0", "15", "30", "45"}
            ):
                problems[day.isoformat()] = "Choose hours and minutes from the lists"
                continue
            minutes = int(hours_raw) * 60 + int(minutes_raw)
            if minutes:
                entries.append((day, minutes))
        if not entries and not problems:
            problems["week"] = "Enter the time for at least one day"
        if not problems:
            for day, minutes in entries:
                try:
                    log_for_placement(
                        user=current_user,
                        placement=placement,
                        day=day,
                        minutes=minutes,
                        today=today,
                        confirmed=True,  # the week view shows what is logged already
                    )
                except DomainError as error:
                    problems[day.isoformat()] = error.message
        if problems:
            db.session.rollback()
        else:
            db.session.commit()
            flash(f"Logged {len(entries)} day(s). Your supervisor will approve them.", "success")
            return redirect(url_for("hours.log", placement_id=placement.id))
    logged = {
        d: _hours(int(s))
        for d, s in db.session.execute(
            select(HourRecord.date, db.func.sum(HourRecord.seconds))
            .where(
                HourRecord.placement_id == placement.id,
                HourRecord.date >= days[0],
                HourRecord.date <= days[-1],
                HourRecord.status != HourStatus.REJECTED.value,
            )
            .group_by(HourRecord.date)
        )
    }
    return render_template(
        "hours/week.html",
        placement=placement,
        form=form,
        days=days,
        logged=logged,
        problems=problems,
        previous=(monday - timedelta(days=7)).isoformat(),
        following=(monday + timedelta(days=7)).isoformat()
        if monday + timedelta(days=7) <= today
        else None,
        values=request.form,
    ), (400 if problems else 200)


@bp.get("/my-hours")
@role_required("volunteer")
def mine() -> ResponseReturnValue:
    """The volunteer's approved hours by month, and their total."""
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == current_user.id))
    by_month: dict[str, int] = defaultdict(int)
    pending = 0
    if volunteer is not None:
        for day, seconds, status in db.session.execute(
            select(HourRecord.date, HourRecord.seconds, HourRecord.status).where(
                HourRecord.volunteer_id == volunteer.id
            )
        ):
            if status == HourStatus.APPROVED.value:
                by_month[day.strftime("%Y-%m")] += int(seconds)
            elif status == HourStatus.SUBMITTED.value:
                pending += int(seconds)
    months = sorted(by_month.items(), reverse=True)
    total = sum(by_month.values())
    return render_template(
        "hours/mine.html", months=months, total=total, pending=pending, hours=_hours
    )


def _queue_statement() -> object:
    statement = select(HourRecord).where(HourRecord.status == HourStatus.SUBMITTED.value)
    if not sees_all_organisations(current_user):
        supervised = select(Placement.id).where(Placement.supervisor_id == current_user.id)
        statement = statement.where(
            or_(
                HourRecord.organisation_id.in_(coordinated_organisation_ids(current_user)),
                HourRecord.placement_id.in_(supervised),
            )
        )
    volunteer = (request.args.get("volunteer") or "").strip()[:100]
    if volunteer:
        escaped = volunteer.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(
            HourRecord.volunteer_id.in_(
                select(Volunteer.id).where(
                    db.func.lower(Volunteer.name).like(f"%{escaped}%", escape="\\")
                )
            )
        )
    role = request.args.get("role", "")
    if role.isascii() and role.isdecimal():
        statement = statement.where(HourRecord.role_id == int(role))
    for name, op in (("from", "ge"), ("to", "le")):
        raw = request.args.get(name, "")
        try:
            day = date.fromisoformat(raw) if len(raw) == 10 else None
        except ValueError:
            day = None
        if day is not None:
            statement = statement.where(
                HourRecord.date >= day if op == "ge" else HourRecord.date <= day
            )
    return statement.order_by(HourRecord.date, HourRecord.id)


@bp.get("/hours/approvals")
@role_required("staff")
def queue() -> ResponseReturnValue:
    raw = request.args.get("page", "1")
    page = max(1, min(int(raw), 10_000)) if raw.isascii() and raw.isdecimal() else 1
    statement = _queue_statement()
    records = db.session.scalars(
        statement.limit(QUEUE_PAGE + 1).offset((page - 1) * QUEUE_PAGE)  # type: ignore[attr-defined]
    ).all()
    return render_template(
        "hours/queue.html",
        records=records[:QUEUE_PAGE],
        has_next=len(records) > QUEUE_PAGE,
        page=page,
        form=DecideForm(),
        hours=_hours,
        query={k: request.args.get(k, "") for k in QUERY_FIELDS},
        names=dict(
            db.session.execute(
                select(Volunteer.id, Volunteer.name).where(
                    Volunteer.id.in_({r.volunteer_id for r in records})
                )
            ).all()
        ),
        titles=dict(
            db.session.execute(
                select(Role.id, Role.title).where(
                    Role.id.in_({r.role_id for r in records if r.role_id})
                )
            ).all()
        ),
    )


@bp.post("/hours/approvals")
@role_required("staff")
def decide() -> ResponseReturnValue:
    form = DecideForm()
    filters: dict[str, Any] = {k: v for k, v in request.args.items() if k in QUERY_FIELDS}
    back = url_for("hours.queue", **filters)
    if not form.validate_on_submit():
        abort(400)
    ids = [int(i) for i in request.form.getlist("record") if i.isascii() and i.isdecimal()][:1000]
    records = list(db.session.scalars(select(HourRecord).where(HourRecord.id.in_(ids))))
    action = request.form.get("action")
    if action not in {"approve", "reject"}:
        abort(400)
    try:
        count = decide_many(
            approver=current_user,
            records=records,
            approve_them=action == "approve",
            reason=form.reason.data or "",
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"{count} record(s) {'approved' if action == 'approve' else 'rejected'}.", "success")
    return redirect(back)
