"""Recording and reading supervision meetings."""

from __future__ import annotations

import uuid
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from sqlalchemy import select
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from volunteer_hub.accounts.permissions import (
    get_or_404,
    role_required,
)
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import parse_date
from volunteer_hub.core.forms import FlaskForm, GovDateField, attach_error, perform
from volunteer_hub.core.inputs import form_text
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.placements.models import Placement
from volunteer_hub.supervision import services
from volunteer_hub.supervision.models import FORMATS, SupervisionAction, SupervisionRecord

bp = Blueprint("supervision", __name__)
TEXT = Length(max=5000, message="Keep this to 5,000 characters or fewer")


class MeetingForm(FlaskForm):
    met_on = GovDateField(
        "Date of the meeting", validators=[InputRequired(message="Enter the date")]
    )
    format = RadioField(
        "How you met",
        choices=list(FORMATS.items()),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose how you met")],
    )
    wellbeing = RadioField(
        "How is the volunteer doing, in their words? (1 struggling, 5 very well)",
        choices=[(str(n), str(n)) for n in range(1, 6)],
        widget=GovRadioInput(),
        validators=[Optional()],
    )
    went_well = TextAreaField("What went well", widget=GovTextArea(), validators=[Optional(), TEXT])
    concerns = TextAreaField("Concerns", widget=GovTextArea(), validators=[Optional(), TEXT])
    next_meeting_on = GovDateField("Next meeting", validators=[Optional()])
    confidential_notes = TextAreaField(
        "Confidential notes",
        description="Never shown to the volunteer or the volunteer centre",
        widget=GovTextArea(),
        validators=[Optional(), TEXT],
    )
    #: Not an input: where problems with the agreed actions are reported.
    actions = HiddenField()
    #: The form's one-time key, so the same form sent twice records one meeting.
    key = HiddenField(validators=[Optional(), Length(max=32)])
    submit = SubmitField("Save the record", widget=GovSubmitInput())


class CommentForm(FlaskForm):
    comment = TextAreaField("Your comment", widget=GovTextArea(), validators=[Optional(), TEXT])
    submit = SubmitField("Save my comment", widget=GovSubmitInput())


def _entered() -> list[dict[str, str]]:
    """The three action rows as typed, to show again when something needs fixing."""
    return [
        {
            "text": form_text(f"action-{n}"),
            "owner": form_text(f"owner-{n}", "volunteer"),
            "due": form_text(f"due-{n}").strip(),
        }
        for n in range(1, 4)
    ]


def _actions() -> list[tuple[str, str, date | None]]:
    actions = []
    for n, row in enumerate(_entered(), start=1):
        due = None
        if row["due"]:
            due = parse_date(row["due"])
            if due is None:
                raise DomainError(
                    f"Action {n}: enter the due date as a real date, like 31 December 2026",
                    field="actions",
                )
        actions.append((row["text"], row["owner"], due))
    return actions


@bp.route("/placements/<int:placement_id>/supervision/new", methods=["GET", "POST"])
@role_required("staff")
def new(placement_id: int) -> ResponseReturnValue:
    placement = get_or_404(Placement, placement_id)
    if not services.is_supervising(current_user, placement):
        abort(403)
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
                actions=_actions(),
                today=date.today(),
                key=form.key.data,
            )
        except AlreadyDone as error:
            db.session.rollback()
            flash(error.message, "info")
            recorded = db.session.scalar(
                select(SupervisionRecord.id).where(SupervisionRecord.form_key == form.key.data)
            )
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
        entered=_entered() if request.method == "POST" else [{}, {}, {}],
    ), (400 if form.errors else 200)


@bp.get("/supervision/<int:record_id>")
@role_required("volunteer", "staff")
def show(record_id: int) -> ResponseReturnValue:
    record = db.session.get(SupervisionRecord, record_id)
    if record is None:
        abort(404)
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
    record = db.session.get(SupervisionRecord, record_id)
    if record is None:
        abort(404)
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
    action = db.session.get(SupervisionAction, action_id)
    if action is None:
        abort(404)
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
    meetings = db.session.scalars(
        select(SupervisionRecord)
        .where(SupervisionRecord.placement_id == placement.id)
        .order_by(SupervisionRecord.met_on.desc())
    ).all()
    today = date.today()
    due = services.next_due(placement, today)
    return render_template(
        "supervision/schedule.html",
        placement=placement,
        meetings=meetings,
        due=due,
        overdue=due is not None and due < today,
        may_open=services.is_supervising(current_user, placement)
        or services.is_the_volunteer(current_user, placement),
        may_record=services.is_supervising(current_user, placement),
    )


@bp.get("/supervision/overdue")
@role_required("staff")
def overdue() -> ResponseReturnValue:
    """Supervision past its due date and actions past theirs: for supervisors their own
    placements, for coordinators their organisations', for the centre everyone's (dates only)."""
    late, actions = services.overdue_for(current_user, date.today())
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
    late, actions = services.overdue_for(current_user, date.today())
    return len(late), len(actions)


@bp.app_template_global()
def supervision_due(placement: Placement) -> date | None:
    """For the placement page: when the next supervision meeting is due."""
    return services.next_due(placement, date.today())
