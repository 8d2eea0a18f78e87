"""Placing applicants, the volunteer's agreement, ending placements, and "my volunteering"."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from volunteer_hub.accounts.permissions import can_change, get_or_404, role_required
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import attach_error, perform
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.placements import queries, services
from volunteer_hub.placements.forms import AgreeForm, EndForm, PlaceForm
from volunteer_hub.placements.models import Placement
from volunteer_hub.recruitment.models import Application
from volunteer_hub.recruitment.queries import applications_of, dbs_check_needed, may_see_dbs
from volunteer_hub.volunteers.queries import volunteer_of

bp = Blueprint("placements", __name__)


@bp.route("/applications/<int:application_id>/place", methods=["GET", "POST"])
@role_required("staff")
def place(application_id: int) -> ResponseReturnValue:
    application = get_or_404(Application, application_id, action="change")
    form = PlaceForm()
    problem: DomainError | None = None
    supervisors = (
        services.supervisors_for(application.organisation_id) if application.organisation_id else []
    )
    form.supervisor.choices = [SelectChoice("", "Choose a supervisor")] + [
        SelectChoice(str(u.id), u.name) for u in supervisors
    ]
    if form.validate_on_submit():
        supervisor = next((u for u in supervisors if str(u.id) == form.supervisor.data), None)
        try:
            if supervisor is None or form.start_date.data is None:
                raise DomainError(
                    "Choose a supervisor from the organisation's coordinators", field="supervisor"
                )
            placement = services.place(
                actor=current_user,
                application=application,
                start_date=form.start_date.data,
                supervisor=supervisor,
                today=date.today(),
            )
        except AlreadyDone as error:
            db.session.rollback()
            flash(error.message, "info")
            placed = queries.placement_id_for(application_id)
            if placed is not None:
                return redirect(url_for("placements.placement", placement_id=placed))
            return redirect(url_for("recruitment.application", application_id=application_id))
        except DomainError as error:
            db.session.rollback()
            if error.field in ("start_date", "supervisor"):
                attach_error(form, error)
            else:
                # Not about what was typed (a DBS check, references, consent): said in the error
                # summary, linking to what to do, never on the start date.
                problem = error
        else:
            db.session.commit()
            flash(
                f"{application.volunteer.name} is placed. We have emailed them and their "
                "supervisor.",
                "success",
            )
            return redirect(url_for("placements.placement", placement_id=placement.id))
    status = 400 if form.errors or problem else 200
    return render_template(
        "placements/place.html",
        application=application,
        form=form,
        problem=problem,
        dbs_needed=dbs_check_needed(application, date.today()),
        may_see_dbs=may_see_dbs(current_user, application),
    ), status


@bp.get("/placements/<int:placement_id>")
@role_required("volunteer", "staff")
def placement(placement_id: int) -> ResponseReturnValue:
    item = get_or_404(Placement, placement_id)
    return render_template(
        "placements/placement.html",
        placement=item,
        task=item.role_version.content,
        staff=can_change(current_user, item),
        own=item.volunteer.user_id == current_user.id,
        agree=AgreeForm(),
        end=EndForm(),
        today=date.today(),
    )


@bp.post("/placements/<int:placement_id>/agree")
@role_required("volunteer")
def agree(placement_id: int) -> ResponseReturnValue:
    item = get_or_404(Placement, placement_id)
    if not AgreeForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: services.agree(user=current_user, placement=item),
        done="Thank you: your agreement is recorded.",
        back=url_for("placements.placement", placement_id=item.id),
    )


@bp.post("/placements/<int:placement_id>/end")
@role_required("staff")
def end(placement_id: int) -> ResponseReturnValue:
    item = get_or_404(Placement, placement_id, action="change")
    form = EndForm()
    back = url_for("placements.placement", placement_id=item.id)
    end_date = form.end_date.data if form.validate_on_submit() else None
    if end_date is None:
        flash("Enter the end date and choose why the placement ended.", "error")
        return redirect(back)
    return perform(
        lambda: services.end(
            actor=current_user, placement=item, end_date=end_date, reason=form.reason.data or ""
        ),
        done="The placement has ended.",
        back=back,
    )


@bp.get("/my-volunteering")
@role_required("volunteer")
def mine() -> ResponseReturnValue:
    """The volunteer's dashboard: their applications and placements."""
    volunteer = volunteer_of(current_user.id)
    applications = applications_of(volunteer.id) if volunteer is not None else []
    placements = queries.placements_of_volunteer(volunteer.id) if volunteer is not None else []
    return render_template(
        "placements/mine.html",
        applications=applications,
        placements=placements,
        log_placements=[p for p in placements if p.active],
    )
