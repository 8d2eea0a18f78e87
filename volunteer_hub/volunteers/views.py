"""The volunteer's own profile and equality-monitoring answers (nobody else's)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import role_required
from volunteer_hub.accounts.services import give_consent, withdraw_consent
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import FlaskForm, attach_error
from volunteer_hub.core.transitions import lock
from volunteer_hub.extensions import db
from volunteer_hub.volunteers.equality import QUESTIONS, EqualityAnswers, allowed_answers
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
    answers = db.session.scalar(
        select(EqualityAnswers).where(EqualityAnswers.volunteer_id == volunteer.id)
    )
    form = EqualityForm(obj=answers)
    if form.validate_on_submit():
        values = {q: (getattr(form, q).data or None) for q in QUESTIONS}
        if any(v is not None and v not in allowed_answers(q) for q, v in values.items()):
            form.age_band.errors = ["Choose answers from the lists"]
        else:
            # The person's row locked (before anything else, as every lock on a person is) and
            # the answers read again, so two saves at once make one set of answers.
            lock(db.session.get(User, current_user.id))
            answers = db.session.scalar(
                select(EqualityAnswers)
                .where(EqualityAnswers.volunteer_id == volunteer.id)
                .execution_options(populate_existing=True)
            )
            if answers is None:
                answers = EqualityAnswers(volunteer_id=volunteer.id)
                db.session.add(answers)
            for question, value in values.items():
                setattr(answers, question, value)
            # Answering is consenting to equality monitoring (the form says so); recorded.
            give_consent(current_user, "equality_monitoring", "equality_form")
            # Audited without the answers themselves.
            audit("volunteer.equality_saved", actor=current_user, target=volunteer)
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
    deleted = db.session.execute(
        EqualityAnswers.__table__.delete().where(EqualityAnswers.volunteer_id == volunteer.id)
    ).rowcount  # type: ignore[attr-defined]
    withdrawn = withdraw_consent(current_user, "equality_monitoring")
    if not (deleted or withdrawn):  # a second click, or nothing was ever given
        db.session.rollback()
        flash("You have no equality answers: there is nothing to delete.", "info")
        return redirect(url_for("volunteers.equality"))
    audit("volunteer.equality_deleted", actor=current_user, target=volunteer)
    db.session.commit()
    flash("Your equality answers have been deleted.", "success")
    return redirect(url_for("volunteers.equality"))
