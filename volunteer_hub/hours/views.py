"""Logging hours (volunteers) and the approval queue (supervisors and coordinators)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
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
)
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import duration, long_date, parse_date, plural
from volunteer_hub.core.forms import FlaskForm, GovDateField, attach_error
from volunteer_hub.core.inputs import arg_int, form_ids, form_text, to_id
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.hours import milestones, queries
from volunteer_hub.hours.forms import CorrectForm, GroupForm, minutes_from
from volunteer_hub.hours.group import (
    GroupProblems,
    may_record_for,
    placed_on,
    record_group_session,
)
from volunteer_hub.hours.logging import NeedsConfirmation, correct, decide_many, log_for_placement
from volunteer_hub.hours.models import HourRecord, HourSource, HourStatus
from volunteer_hub.organisations.models import Organisation, Role
from volunteer_hub.placements.models import Placement
from volunteer_hub.placements.services import placements_of
from volunteer_hub.volunteers.models import Volunteer

bp = Blueprint("hours", __name__)
QUEUE_PAGE = 50
RECENT_DAYS = 30
QUERY_FIELDS = ("volunteer", "role", "from", "to")


class LogForm(FlaskForm):
    day = GovDateField(
        "Date",
        description="The day you volunteered, for example 27 3 2026",
        default=date.today,
        validators=[InputRequired(message="Enter the date")],
    )
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
            record = log_for_placement(
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
            if record.status == HourStatus.APPROVED.value:
                flash("Hours logged and approved automatically (organisation setting).", "success")
            else:
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
    entered: dict[str, str] = {}  # what was posted, to show again
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        entries = []
        for day in days:
            key = day.isoformat()
            hours_raw = entered[f"hours-{key}"] = form_text(f"hours-{key}", "0")
            minutes_raw = entered[f"minutes-{key}"] = form_text(f"minutes-{key}", "0")
            hours = to_id(hours_raw)
            if hours is None or hours > 24 or minutes_raw not in {"0", "15", "30", "45"}:
                problems[day.isoformat()] = "Choose hours and minutes from the lists"
                continue
            minutes = hours * 60 + int(minutes_raw)
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
            flash(
                f"Logged {plural(len(entries), 'day')}. Your supervisor will approve them.",
                "success",
            )
            return redirect(url_for("hours.log", placement_id=placement.id))
    logged = {
        d: duration(int(s), "seconds")
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
        values=entered,
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
        "hours/mine.html",
        months=months,
        total=total,
        pending=pending,
        progress=milestones.progress(volunteer.id) if volunteer else milestones.Progress(),
        log_placements=[p for p in placements_of(current_user) if p.active],
    )


@bp.get("/my-hours/certificates/<int:milestone>.pdf")
@role_required("volunteer")
def certificate(milestone: int) -> ResponseReturnValue:
    """The volunteer's own certificate for a milestone they have reached (404 otherwise)."""
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == current_user.id))
    context = milestones.certificate_context(volunteer, milestone) if volunteer else None
    if context is None:
        abort(404)
    return Response(
        milestones.certificate_pdf(context),
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename=certificate-{milestone}-hours.pdf"},
    )


def _in_scope(statement: Any) -> Any:
    """Limit hour records to those the current user decides (:func:`queries.decided_by`)."""
    return queries.decided_by(statement, current_user)


def _queue_statement() -> object:
    statement = _in_scope(select(HourRecord).where(HourRecord.status == HourStatus.SUBMITTED.value))
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
    role = arg_int("role")
    if role is not None:
        statement = statement.where(HourRecord.role_id == role)
    for name, op in (("from", "ge"), ("to", "le")):
        raw = request.args.get(name, "")
        day = parse_date(raw)
        if day is not None:
            statement = statement.where(
                HourRecord.date >= day if op == "ge" else HourRecord.date <= day
            )
    return statement.order_by(HourRecord.date, HourRecord.id)


@bp.get("/hours/approvals")
@role_required("staff")
def queue() -> ResponseReturnValue:
    page = max(1, min(to_id(request.args.get("page")) or 1, 10_000))  # odd pages: the first
    statement = _queue_statement()
    records = db.session.scalars(
        statement.limit(QUEUE_PAGE + 1).offset((page - 1) * QUEUE_PAGE)  # type: ignore[attr-defined]
    ).all()
    # Decided in the last 30 days, here or by a correction: spreadsheet imports arrive already
    # approved (their approved_at is the import's time, whatever the hours' date), so they are
    # not "approved in the last 30 days" unless someone corrected them since.
    recent = db.session.scalars(
        _in_scope(
            select(HourRecord).where(
                HourRecord.status == HourStatus.APPROVED.value,
                HourRecord.approved_at >= utcnow() - timedelta(days=RECENT_DAYS),
                or_(
                    HourRecord.source != HourSource.IMPORTED.value,
                    HourRecord.replaces_id.is_not(None),
                ),
            )
        )
        .order_by(HourRecord.approved_at.desc(), HourRecord.id.desc())
        .limit(QUEUE_PAGE)
    ).all()
    shown = [*records, *recent]
    return render_template(
        "hours/queue.html",
        recent=recent,
        recent_days=RECENT_DAYS,
        group_organisations=db.session.scalars(
            select(Organisation)
            .where(Organisation.id.in_(coordinated_organisation_ids(current_user)))
            .order_by(Organisation.name)
        ).all(),
        records=records[:QUEUE_PAGE],
        has_next=len(records) > QUEUE_PAGE,
        page=page,
        form=DecideForm(),
        query={k: request.args.get(k, "") for k in QUERY_FIELDS},
        names=dict(
            db.session.execute(
                select(Volunteer.id, Volunteer.name).where(
                    Volunteer.id.in_({r.volunteer_id for r in shown})
                )
            ).all()
        ),
        titles=dict(
            db.session.execute(
                select(Role.id, Role.title).where(
                    Role.id.in_({r.role_id for r in shown if r.role_id})
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
    action = form_text("action")
    if action not in {"approve", "reject", "approve_all"}:
        abort(400)
    # "Approve all shown": exactly the records the page listed (sent with it), never whatever
    # the queue holds by now; each is approved by a compare-and-set, so a second click (or a
    # colleague first) changes nothing and is told so.
    ids = form_ids("shown" if action == "approve_all" else "record")
    records = list(db.session.scalars(select(HourRecord).where(HourRecord.id.in_(ids))))
    try:
        count = decide_many(
            approver=current_user,
            records=records,
            approve_them=action != "reject",
            reason=form.reason.data or "",
        )
    except AlreadyDone as error:
        db.session.rollback()
        flash(f"{error.message} Nothing was changed: refresh the list and try again.", "info")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            f"{plural(count, 'record')} {'rejected' if action == 'reject' else 'approved'}.",
            "success",
        )
    return redirect(back)


@bp.route("/organisations/<slug>/hours/group", methods=["GET", "POST"])
@role_required("staff")
def group(slug: str) -> ResponseReturnValue:
    """One session (an event, a group shift) for many volunteers at once, all or nothing."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None or not may_record_for(current_user, organisation):
        abort(404)
    today = date.today()
    form = GroupForm(data={"day": today})  # the day is today until another is sent
    roles = {
        str(r.id): r
        for r in db.session.scalars(
            select(Role).where(Role.organisation_id == organisation.id).order_by(Role.title)
        )
    }
    form.role.choices = [("", "Each volunteer's own role")] + [
        (key, role.title) for key, role in roles.items()
    ]
    role = roles.get(form.role.data or "")
    placed = placed_on(organisation, form.day.data or today, role)
    form.volunteers.choices = [
        (p.volunteer.id, f"{p.volunteer.name} ({p.placement.role.title})") for p in placed
    ]
    needs_confirmation = False
    if form.is_submitted() and form.validate_on_submit() and form.submit.data:
        if form.role.data and role is None:
            form.role.errors = ["Choose one of the organisation's roles"]
        else:
            try:
                records = record_group_session(
                    coordinator=current_user,
                    organisation=organisation,
                    volunteer_ids=list(form.volunteers.data or []),
                    day=form.day.data or today,
                    minutes=minutes_from(form),
                    today=today,
                    role=role,
                    note=form.note.data or "",
                    confirmed=bool(form.confirm.data),
                )
            except NeedsConfirmation as error:
                db.session.rollback()
                attach_error(form, error)
                needs_confirmation = True
            except GroupProblems as error:
                db.session.rollback()
                # One message naming everyone (the error summary shows one message a field).
                form.volunteers.errors = [f"Nothing was recorded. {error.message}"]
            except DomainError as error:
                db.session.rollback()
                attach_error(form, error)
            else:
                db.session.commit()
                flash(
                    f"Recorded {duration(records[0].seconds, 'seconds')} on "
                    f"{long_date(records[0].date)} for {plural(len(records), 'volunteer')}.",
                    "success",
                )
                return redirect(url_for("hours.group", slug=organisation.slug))
    return render_template(
        "hours/group.html",
        organisation=organisation,
        form=form,
        placed=placed,
        needs_confirmation=needs_confirmation,
    ), (400 if form.errors else 200)


@bp.route("/hours/<int:record_id>/correct", methods=["GET", "POST"])
@login_required
def correct_record(record_id: int) -> ResponseReturnValue:
    """An approver corrects approved hours: the record is rejected and a replacement approved."""
    record = get_or_404(HourRecord, record_id, action="change")
    volunteer = db.session.get(Volunteer, record.volunteer_id)
    form = CorrectForm()
    if not form.is_submitted() and record.seconds % 900 == 0:
        form.hours.data = str(record.seconds // 3600)
        form.minutes.data = str(record.seconds % 3600 // 60)
    if form.validate_on_submit():
        try:
            correct(
                approver=current_user,
                record=record,
                minutes=minutes_from(form),
                reason=form.reason.data or "",
            )
        except AlreadyDone as error:
            db.session.rollback()
            flash(error.message, "info")
            return redirect(url_for("hours.queue"))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Hours corrected: the old record is rejected, the new one approved.", "success")
            return redirect(url_for("hours.queue"))
    return render_template(
        "hours/correct.html",
        record=record,
        volunteer=volunteer,
        own=volunteer is not None and volunteer.user_id == current_user.id,
        form=form,
        role=db.session.get(Role, record.role_id) if record.role_id else None,
        organisation=db.session.get(Organisation, record.organisation_id),
    ), (400 if form.errors else 200)
