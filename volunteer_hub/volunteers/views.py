"""The volunteer's own profile and equality-monitoring answers (nobody else's)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from volunteer_hub.accounts.permissions import role_required
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import FlaskForm, attach_error, perform
from volunteer_hub.extensions import db
from volunteer_hub.volunteers import monitoring
from volunteer_hub.volunteers.equality import QUESTIONS
from volunteer_hub.volunteers.forms import EqualityForm, ProfileForm
from volunteer_hub.volunteers.services import PROFILE_FIELDS, update_profile, volunteer_for

bp = Blueprint("volunteers", __name__, url_prefix="/profile")


@bp.route("", methods=["GET", "POST"])
@role_required("volunteer")
def profile() -> ResponseReturnValue:
    volunteer = volunteer_for(current_user)
    form = ProfileForm(obj=volunteer)
    if form.validate_on_submit():
        try:
            update_profile(
                user=current_user,
                values={f: getattr(form, f).data for f in PROFILE_FIELDS},
                today=date.today(),
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Your profile is saved.", "success")
            return redirect(url_for("volunteers.profile"))
    else:
        db.session.commit()  # the volunteer record made on first visit
    status = 400 if form.errors else 200
    return render_template("volunteers/profile.html", form=form), status


@bp.route("/equality", methods=["GET", "POST"])
@role_required("volunteer")
def equality() -> ResponseReturnValue:
    volunteer = volunteer_for(current_user)
    answers = monitoring.answers_of(volunteer.id)
    form = EqualityForm(obj=answers)
    if form.validate_on_submit():
        try:
            monitoring.save_answers(
                user=current_user,
                volunteer=volunteer,
                values={q: getattr(form, q).data for q in QUESTIONS},
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Thank you. Your answers are saved.", "success")
            return redirect(url_for("volunteers.equality"))
    status = 400 if form.errors else 200
    return render_template(
        "volunteers/equality.html", form=form, answered=answers is not None
    ), status


@bp.post("/equality/delete")
@role_required("volunteer")
def delete_equality() -> ResponseReturnValue:
    if not FlaskForm().validate_on_submit():
        return redirect(url_for("volunteers.equality"))
    volunteer = volunteer_for(current_user)
    return perform(
        lambda: monitoring.delete_answers(user=current_user, volunteer=volunteer),
        done="Your equality answers have been deleted.",
        back=url_for("volunteers.equality"),
    )
