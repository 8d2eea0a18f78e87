"""Logging hours (volunteers) and the approval queue (supervisors and coordinators)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from volunteer_hub.accounts.permissions import get_or_404, role_required
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import duration, long_date, parse_date, plural
from volunteer_hub.core.forms import attach_error, choices
from volunteer_hub.core.inputs import arg_int, to_id
from volunteer_hub.core.queries import page_of
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.hours import milestones, queries
from volunteer_hub.hours.forms import (
    CorrectForm,
    DecideForm,
    GroupForm,
    LogForm,
    minutes_from,
    week_form,
)
from volunteer_hub.hours.group import (
    GroupProblems,
    may_record_for,
    placed_on,
    record_group_session,
)
from volunteer_hub.hours.logging import (
    NeedsConfirmation,
    correct,
    decide_many,
    log_for_placement,
    log_week,
)
from volunteer_hub.hours.models import HourRecord, HourStatus
from volunteer_hub.organisations.models import Organisation, Role
from volunteer_hub.organisations.queries import by_slug, role_titles
from volunteer_hub.placements.models import Placement
from volunteer_hub.placements.services import placements_of
from volunteer_hub.volunteers.models import Volunteer

bp = Blueprint("hours", __name__)
QUEUE_PAGE = 50
RECENT_DAYS = 30
QUERY_FIELDS = ("volunteer", "role", "from", "to")


def _own_placement_or_404(placement_id: int) -> Placement:
    """A placement of the signed-in volunteer's own, or 404."""
    placement = get_or_404(Placement, placement_id)
    if placement.volunteer.user_id != current_user.id:
        abort(404)
    return placement


def _organisation_or_404(slug: str) -> Organisation:
    """An organisation the current user records group sessions for, or 404."""
    organisation = by_slug(slug)
    if organisation is None or not may_record_for(current_user, organisation):
        abort(404)
    return organisation


@bp.route("/placements/<int:placement_id>/hours", methods=["GET", "POST"])
@role_required("volunteer")
def log(placement_id: int) -> ResponseReturnValue:
    placement = _own_placement_or_404(placement_id)
    form = LogForm()
    needs_confirmation = False
    if form.validate_on_submit() and form.day.data is not None:
        try:
            record = log_for_placement(
                user=current_user,
                placement=placement,
                day=form.day.data,
                minutes=minutes_from(form),
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
    return render_template(
        "hours/log.html",
        placement=placement,
        form=form,
        records=queries.placement_records(placement),
        needs_confirmation=needs_confirmation,
    ), (400 if form.errors else 200)


@bp.route("/placements/<int:placement_id>/hours/week", methods=["GET", "POST"])
@role_required("volunteer")
def week(placement_id: int) -> ResponseReturnValue:
    """Several days at once: a row per day of one week (Monday to Sunday), all or nothing."""
    placement = _own_placement_or_404(placement_id)
    today = date.today()
    raw = request.args.get("start", "")
    try:
        start = date.fromisoformat(raw) if len(raw) == 10 else today
    except ValueError:
        start = today
    monday = start - timedelta(days=start.weekday())
    days = [monday + timedelta(days=n) for n in range(7)]
    form = week_form(days)
    problems: dict[str, str] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        entries, problems = form.entries()
        if not problems:
            problems = log_week(
                user=current_user, placement=placement, entries=entries, today=today
            )
        if problems:
            db.session.rollback()
        else:
            db.session.commit()
            flash(
                f"Logged {plural(len(entries), 'day')}. Your supervisor will approve them.",
                "success",
            )
            return redirect(url_for("hours.log", placement_id=placement.id))
    following = monday + timedelta(days=7)
    return render_template(
        "hours/week.html",
        placement=placement,
        form=form,
        days=days,
        logged={
            day: duration(seconds, "seconds")
            for day, seconds in queries.seconds_by_day(placement, days[0], days[-1]).items()
        },
        problems=problems,
        previous=(monday - timedelta(days=7)).isoformat(),
        following=following.isoformat() if following <= today else None,
        values=form.values() if request.method == "POST" else {},
    ), (400 if problems else 200)


@bp.get("/my-hours")
@role_required("volunteer")
def mine() -> ResponseReturnValue:
    """The volunteer's approved hours by month, and their total."""
    volunteer = queries.volunteer_of(current_user)
    by_month, pending = queries.approved_by_month(volunteer)
    return render_template(
        "hours/mine.html",
        months=sorted(by_month.items(), reverse=True),
        total=sum(by_month.values()),
        pending=pending,
        progress=milestones.progress(volunteer.id) if volunteer else milestones.Progress(),
        log_placements=[p for p in placements_of(current_user) if p.active],
    )


@bp.get("/my-hours/certificates/<int:milestone>.pdf")
@role_required("volunteer")
def certificate(milestone: int) -> ResponseReturnValue:
    """The volunteer's own certificate for a milestone they have reached (404 otherwise)."""
    volunteer = queries.volunteer_of(current_user)
    context = milestones.certificate_context(volunteer, milestone) if volunteer else None
    if context is None:
        abort(404)
    return Response(
        milestones.certificate_pdf(context),
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename=certificate-{milestone}-hours.pdf"},
    )


def _filter_dates() -> tuple[date | None, date | None, dict[str, str]]:
    """The queue's From and To, and a message for each that is not a date (that filter is then
    not applied: the list is shown without it, with the message)."""
    found: dict[str, date | None] = {}
    errors: dict[str, str] = {}
    for name, label in (("from", "From"), ("to", "To")):
        text = (request.args.get(name) or "")[:100]
        found[name] = parse_date(text)
        if text.strip() and found[name] is None:
            errors[name] = f"{label} must be a real date"
    start, end = found["from"], found["to"]
    if start and end and end < start:
        errors["to"] = "To must be the same as or after From"
        end = None
    return start, end, errors


@bp.get("/hours/approvals")
@role_required("staff")
def queue() -> ResponseReturnValue:
    page = max(1, min(to_id(request.args.get("page")) or 1, 10_000))  # odd pages: the first
    start, end, filter_errors = _filter_dates()
    statement = queries.approval_queue(
        current_user,
        volunteer=(request.args.get("volunteer") or "").strip()[:100],
        role_id=arg_int("role"),
        start=start,
        end=end,
    )
    records = page_of(statement, page, QUEUE_PAGE)
    recent = queries.recently_decided(current_user, RECENT_DAYS, QUEUE_PAGE)
    shown = [*records, *recent]
    return render_template(
        "hours/queue.html",
        recent=recent,
        recent_days=RECENT_DAYS,
        group_organisations=queries.coordinated_organisations(current_user),
        records=records[:QUEUE_PAGE],
        has_next=len(records) > QUEUE_PAGE,
        page=page,
        form=DecideForm(),
        query={k: request.args.get(k, "") for k in QUERY_FIELDS},
        names=queries.volunteer_names({r.volunteer_id for r in shown}),
        titles=role_titles({r.role_id for r in shown if r.role_id}),
        filter_errors=filter_errors,
    ), (400 if filter_errors else 200)


@bp.post("/hours/approvals")
@role_required("staff")
def decide() -> ResponseReturnValue:
    form = DecideForm()
    filters: dict[str, Any] = {k: v for k, v in request.args.items() if k in QUERY_FIELDS}
    back = url_for("hours.queue", **filters)
    if not form.validate_on_submit():
        abort(400)
    action = form.action.data
    if action not in {"approve", "reject", "approve_all"}:
        abort(400)
    # Each record is approved by a compare-and-set, so a second click (or a colleague first)
    # changes nothing and is told so.
    ids = form.chosen_ids()
    records = queries.records(ids)
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
    organisation = _organisation_or_404(slug)
    today = date.today()
    form = GroupForm(data={"day": today})  # the day is today until another is sent
    roles = {str(r.id): r for r in queries.roles_of(organisation)}
    form.role.choices = choices(
        ((key, role.title) for key, role in roles.items()), prompt="Each volunteer's own role"
    )
    role = roles.get(form.role.data or "")
    placed = placed_on(organisation, form.day.data or today, role)
    form.volunteers.choices = choices(
        (p.volunteer.id, f"{p.volunteer.name} ({p.placement.role.title})") for p in placed
    )
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
