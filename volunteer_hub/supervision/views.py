"""Recording and reading supervision meetings."""

from __future__ import annotations

import uuid
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from volunteer_hub.accounts.permissions import (
    get_or_404,
    role_required,
)
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import FlaskForm, attach_error, perform
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.placements.models import Placement
from volunteer_hub.supervision import queries, services
from volunteer_hub.supervision.forms import (
    CommentForm,
    MeetingForm,
    entered_actions,
    posted_actions,
)
from volunteer_hub.supervision.models import SupervisionAction, SupervisionRecord

bp = Blueprint("supervision", __name__)


def _meeting_or_404(record_id: int) -> SupervisionRecord:
    """A supervision record (who may see it is :func:`services.view`'s to say)."""
    return db.get_or_404(SupervisionRecord, record_id)


def _supervised_placement(placement_id: int) -> Placement:
    """A placement the current user supervises: 404 when they may not see it, 403 when they
    see it but do not supervise it."""
    placement = get_or_404(Placement, placement_id)
    if not queries.is_supervising(current_user, placement):
        abort(403)
    return placement


@bp.route("/placements/<int:placement_id>/supervision/new", methods=["GET", "POST"])
@role_required("staff")
def new(placement_id: int) -> ResponseReturnValue:
    placement = _supervised_placement(placement_id)
    form = MeetingForm()
    if not form.key.data:
        form.key.data = uuid.uuid4().hex  # a fresh key each time the form is shown
    if form.validate_on_submit():
        try:
            record = services.record_meeting(
                actor=current_user,
                placement=placement,
                values={
                    f.name: f.data
                    for f in form
                    if f.name not in {"csrf_token", "submit", "actions", "key"}
                },
                actions=posted_actions(),
                today=date.today(),
                key=form.key.data,
            )
        except AlreadyDone as error:
            db.session.rollback()
            flash(error.message, "info")
            recorded = queries.recorded_with_key(form.key.data)
            if recorded is None:
                return redirect(url_for("supervision.schedule", placement_id=placement.id))
            return redirect(url_for("supervision.show", record_id=recorded))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Supervision recorded.", "success")
            return redirect(url_for("supervision.show", record_id=record.id))
    return render_template(
        "supervision/new.html",
        placement=placement,
        form=form,
        entered=entered_actions() if request.method == "POST" else [{}, {}, {}],
    ), (400 if form.errors else 200)


@bp.get("/supervision/<int:record_id>")
@role_required("volunteer", "staff")
def show(record_id: int) -> ResponseReturnValue:
    record = _meeting_or_404(record_id)
    try:
        level = services.view(viewer=current_user, record=record)
    except DomainError:
        abort(404)
    db.session.commit()  # the audited view
    return render_template(
        "supervision/show.html",
        record=record,
        full=level == "full",
        comment=CommentForm(),
        button=FlaskForm(),
    )


@bp.post("/supervision/<int:record_id>/comment")
@role_required("volunteer")
def add_comment(record_id: int) -> ResponseReturnValue:
    record = _meeting_or_404(record_id)
    form = CommentForm()
    if not form.validate_on_submit():
        abort(400)
    return perform(
        lambda: services.comment(user=current_user, record=record, text=form.comment.data or ""),
        done="Your comment is saved.",
        back=url_for("supervision.show", record_id=record.id),
    )


@bp.post("/supervision/actions/<int:action_id>/done")
@role_required("volunteer", "staff")
def action_done(action_id: int) -> ResponseReturnValue:
    action = db.get_or_404(SupervisionAction, action_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: services.mark_done(user=current_user, action=action),
        done="Marked done.",
        back=url_for("supervision.show", record_id=action.record_id),
    )


@bp.get("/placements/<int:placement_id>/supervision")
@role_required("volunteer", "staff")
def schedule(placement_id: int) -> ResponseReturnValue:
    """A placement's meetings and when the next is due. The centre sees that supervision
    happened and whether it is overdue, not what was said."""
    placement = get_or_404(Placement, placement_id)
    meetings = queries.meetings_of(placement)
    today = date.today()
    due = queries.next_due(placement, today)
    return render_template(
        "supervision/schedule.html",
        placement=placement,
        meetings=meetings,
        due=due,
        overdue=due is not None and due < today,
        may_open=queries.is_supervising(current_user, placement)
        or queries.is_the_volunteer(current_user, placement),
        may_record=queries.is_supervising(current_user, placement),
    )


@bp.get("/supervision/overdue")
@role_required("staff")
def overdue() -> ResponseReturnValue:
    """Supervision past its due date and actions past theirs: for supervisors their own
    placements, for coordinators their organisations', for the centre everyone's (dates only)."""
    late, actions = queries.overdue_for(current_user, date.today())
    centre = current_user.is_admin or current_user.is_centre_coordinator
    return render_template(
        "supervision/overdue.html",
        late=late,
        actions=[] if centre and not current_user.is_org_coordinator else actions,
        action_count=len(actions),
        centre=centre,
    )


@bp.app_template_global()
def supervision_overdue_counts() -> tuple[int, int]:
    """For dashboards: (meetings overdue, actions overdue) the signed-in person follows up."""
    late, actions = queries.overdue_for(current_user, date.today())
    return len(late), len(actions)


@bp.app_template_global()
def supervision_due(placement: Placement) -> date | None:
    """For the placement page: when the next supervision meeting is due."""
    return queries.next_due(placement, date.today())
