"""Matching volunteers and roles: the volunteer's choices and recommendations, a role's best
matches for its coordinators, invitations and the "I'm interested" answer."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from volunteer_hub.accounts.permissions import get_or_404, role_required
from volunteer_hub.core.forms import FlaskForm, attempt, perform
from volunteer_hub.extensions import db
from volunteer_hub.matching import queries, services
from volunteer_hub.matching.forms import InterestForm, PreferencesForm
from volunteer_hub.matching.views import bp
from volunteer_hub.organisations.models import Role
from volunteer_hub.volunteers.services import volunteer_for


@bp.route("/matching/preferences", methods=["GET", "POST"])
@role_required("volunteer")
def preferences() -> ResponseReturnValue:
    form = PreferencesForm(data=queries.preferences_of(current_user))
    if form.validate_on_submit():
        changed = services.set_preferences(
            user=current_user, findable=bool(form.findable.data), digest=bool(form.digest.data)
        )
        db.session.commit()
        flash(" ".join(changed) or "Your choices are unchanged.", "success")
        return redirect(url_for("matching.preferences"))
    return render_template("matching/preferences.html", form=form), (400 if form.errors else 200)


@bp.get("/matching/recommended")
@role_required("volunteer")
def recommended() -> ResponseReturnValue:
    volunteer = volunteer_for(current_user)
    db.session.commit()  # the volunteer record made on first visit
    profile_given = bool(volunteer.interests or volunteer.skills)
    return render_template(
        "matching/recommended.html",
        matches=queries.matching_roles(volunteer, date.today()) if profile_given else [],
        profile_given=profile_given,
        preferences=queries.preferences_of(current_user),
    )


@bp.get("/matching/roles/<int:role_id>")
@role_required("admin", "centre_coordinator", "org_coordinator")
def role_matches(role_id: int) -> ResponseReturnValue:
    role = get_or_404(Role, role_id, action="change")
    return render_template(
        "matching/role_matches.html",
        role=role,
        matches=queries.role_matches(role, current_user, date.today()),
        invited=queries.invited_ids(role.id),
        invite_form=FlaskForm(),
    )


@bp.post("/matching/roles/<int:role_id>/invite/<int:volunteer_id>")
@role_required("admin", "centre_coordinator", "org_coordinator")
def invite(role_id: int, volunteer_id: int) -> ResponseReturnValue:
    role = get_or_404(Role, role_id, action="change")
    volunteer = queries.volunteer_in_reach(volunteer_id, current_user)
    if volunteer is None or not queries.may_see_match(role, volunteer_id, current_user):
        abort(404)
    back = url_for("matching.role_matches", role_id=role.id)
    if not FlaskForm().validate_on_submit():
        return redirect(back)
    match = next(
        (
            m
            for v, m in queries.role_matches(role, current_user, date.today())
            if v.id == volunteer.id
        ),
        None,
    )
    name = volunteer.name
    return perform(
        lambda: services.invite(
            actor=current_user,
            role=role,
            volunteer=volunteer,
            explanation=match.explain(to_volunteer=True) if match else "",
            today=date.today(),
        ),
        done=f"{name} has been invited to apply.",
        back=back,
    )


@bp.route("/matching/interested/<token>", methods=["GET", "POST"])
@role_required("volunteer")
def interested(token: str) -> ResponseReturnValue:
    invitation = services.invitation_from_token(token)
    if invitation is None or invitation.volunteer.user_id != current_user.id:
        abort(404)
    form = InterestForm()
    ask_age = invitation.volunteer.date_of_birth is None
    if invitation.responded_at is None and form.validate_on_submit():
        age = form.age_group.data if ask_age else None
        accepted = attempt(
            form,
            lambda: services.accept(
                user=current_user,
                invitation=invitation,
                today=date.today(),
                under_18=None if age is None else age == "under_18",
                message=form.message.data or "",
            ),
        )
        if accepted.ok and accepted.result is not None:
            flash(
                f"Thank you. Your application for {invitation.role.title} is on its way.", "success"
            )
            return redirect(url_for("recruitment.application", application_id=accepted.result.id))
        if not form.errors:
            return redirect(url_for("matching.interested", token=token))
    return render_template(
        "matching/interested.html", form=form, invitation=invitation, ask_age=ask_age
    ), (400 if form.errors else 200)
