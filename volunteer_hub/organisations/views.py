"""Coordinators draft and submit task descriptions; the centre approves or returns them."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from volunteer_hub.accounts.permissions import get_or_404, role_required
from volunteer_hub.accounts.queries import coordinators_of
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import attach_error, perform
from volunteer_hub.core.templating import register_labels
from volunteer_hub.extensions import db
from volunteer_hub.organisations import queries, services
from volunteer_hub.organisations import roles as role_services
from volunteer_hub.organisations.forms import (
    ButtonForm,
    CategoryForm,
    DueDiligenceForm,
    NewOrganisationForm,
    OfferCategoryForm,
    OrganisationForm,
    ReturnForm,
    RoleForm,
)
from volunteer_hub.organisations.models import DBS_LEVEL_LABELS, Category, Organisation, Role
from volunteer_hub.organisations.permissions import organisation_or_404

bp = Blueprint("organisations", __name__)
register_labels(bp, dbs_level_labels=DBS_LEVEL_LABELS)

STAFF = ("admin", "centre_coordinator", "org_coordinator")


def _role_form(role: Role | None = None) -> RoleForm:
    form = RoleForm(obj=role)
    form.categories.choices = [
        SelectChoice(c.id, c.name) for c in role_services.active_categories()
    ]
    if role is not None and not form.is_submitted():
        form.categories.data = [c.id for c in role.categories]
    return form


def _values(form: RoleForm) -> dict[str, Any]:
    return {field: getattr(form, field).data for field in role_services.TASK_FIELDS}


@bp.get("/roles")
@role_required(*STAFF)
def my_roles() -> ResponseReturnValue:
    """The organisations whose roles this person manages (straight to it when only one)."""
    organisations = queries.managed_by(current_user)
    if len(organisations) == 1:
        return redirect(url_for("organisations.roles", slug=organisations[0].slug))
    return render_template("organisations/choose.html", organisations=organisations)


@bp.get("/organisations/<slug>/roles")
@role_required(*STAFF)
def roles(slug: str) -> ResponseReturnValue:
    organisation = organisation_or_404(slug)
    return render_template(
        "organisations/roles.html",
        organisation=organisation,
        roles=queries.roles_of(organisation),
        lapsed=organisation.lapsed_checks(date.today()),
    )


@bp.route("/organisations/<slug>/roles/new", methods=["GET", "POST"])
@role_required(*STAFF)
def new_role(slug: str) -> ResponseReturnValue:
    organisation = organisation_or_404(slug)
    form = _role_form()
    if form.validate_on_submit():
        try:
            role = role_services.save_role(
                actor=current_user,
                organisation=organisation,
                values=_values(form),
                category_ids=list(form.categories.data or []),
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"Draft saved: {role.title}. Submit it for approval when it is ready.", "success")
            return redirect(url_for("organisations.edit_role", role_id=role.id))
    status = 400 if form.errors else 200
    return render_template(
        "organisations/role_form.html", form=form, organisation=organisation, role=None
    ), status


@bp.route("/roles/<int:role_id>/edit", methods=["GET", "POST"])
@role_required(*STAFF)
def edit_role(role_id: int) -> ResponseReturnValue:
    role = get_or_404(Role, role_id, action="change")
    form = _role_form(role)
    if form.validate_on_submit():
        try:
            role_services.save_role(
                actor=current_user,
                organisation=role.organisation,
                values=_values(form),
                category_ids=list(form.categories.data or []),
                role=role,
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Draft saved.", "success")
            return redirect(url_for("organisations.edit_role", role_id=role.id))
    status = 400 if form.errors else 200
    return render_template(
        "organisations/role_form.html",
        form=form,
        organisation=role.organisation,
        role=role,
        missing=role_services.missing_for_publication(role),
        button=ButtonForm(),
    ), status


@bp.post("/roles/<int:role_id>/submit")
@role_required(*STAFF)
def submit_role(role_id: int) -> ResponseReturnValue:
    role = get_or_404(Role, role_id, action="change")
    if not ButtonForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: role_services.submit_role(actor=current_user, role=role),
        done="Submitted to the volunteer centre for approval.",
        back=url_for("organisations.edit_role", role_id=role.id),
    )


@bp.post("/roles/<int:role_id>/close")
@role_required(*STAFF)
def close_role(role_id: int) -> ResponseReturnValue:
    role = get_or_404(Role, role_id, action="change")
    if not ButtonForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: role_services.close_role(actor=current_user, role=role),
        done=f"{role.title} is closed: it no longer appears in search.",
        back=url_for("organisations.edit_role", role_id=role.id),
    )


@bp.get("/roles/review")
@role_required("admin", "centre_coordinator")
def review() -> ResponseReturnValue:
    return render_template(
        "organisations/review.html",
        roles=queries.submitted_roles(),
        button=ButtonForm(),
        return_form=ReturnForm(),
        today=date.today(),
    )


@bp.post("/roles/<int:role_id>/approve")
@role_required("admin", "centre_coordinator")
def approve_role(role_id: int) -> ResponseReturnValue:
    role = get_or_404(Role, role_id, action="change")
    if not ButtonForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: role_services.approve_role(actor=current_user, role=role, today=date.today()),
        done=f"Published {role.title}.",
        back=url_for("organisations.review"),
    )


@bp.post("/roles/<int:role_id>/return")
@role_required("admin", "centre_coordinator")
def return_role(role_id: int) -> ResponseReturnValue:
    role = get_or_404(Role, role_id, action="change")
    form = ReturnForm()
    if not form.validate_on_submit():
        flash("Say what needs changing before sending a role back.", "error")
        return redirect(url_for("organisations.review"))
    return perform(
        lambda: role_services.return_role(
            actor=current_user, role=role, reason=form.reason.data or ""
        ),
        done=f"Sent {role.title} back to {role.organisation.name}.",
        back=url_for("organisations.review"),
    )


@bp.route("/organisations", methods=["GET", "POST"])
@role_required("admin", "centre_coordinator")
def organisations() -> ResponseReturnValue:
    form = NewOrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = services.add_organisation(
                actor=current_user, name=form.name.data or "", kind=form.kind.data or ""
            )
            db.session.commit()
        except IntegrityError:  # the same organisation added twice at once: added once
            db.session.rollback()
            flash("This organisation has just been added.", "info")
            return redirect(url_for("organisations.organisations"))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            flash(
                f"{organisation.name} added. Record its checks before its roles can be published.",
                "success",
            )
            return redirect(url_for("organisations.profile", slug=organisation.slug))
    return render_template(
        "organisations/index.html",
        organisations=queries.all_organisations(),
        form=form,
        today=date.today(),
    ), (400 if form.errors else 200)


def _checks_form(organisation: Organisation) -> DueDiligenceForm:
    """The centre's checks form; the safeguarding lead's account is one of the coordinators."""
    checks = DueDiligenceForm(obj=organisation, prefix="checks")
    checks.safeguarding_lead_user_id.choices = [SelectChoice("", "Nobody yet")] + [
        SelectChoice(str(u.id), u.name) for u in coordinators_of(organisation.id, active_only=False)
    ]
    if not checks.is_submitted():
        checks.safeguarding_lead_user_id.data = str(organisation.safeguarding_lead_user_id or "")
    return checks


def _save_checks(organisation: Organisation, checks: DueDiligenceForm) -> None:
    lead = checks.safeguarding_lead_user_id.data or ""
    if lead and lead not in {c.value for c in checks.safeguarding_lead_user_id.choices}:
        abort(400)
    services.update_checks(
        actor=current_user,
        organisation=organisation,
        values={field: getattr(checks, field).data for field in services.CHECK_FIELDS},
        safeguarding_lead_user_id=int(lead) if lead else None,
    )


@bp.route("/organisations/<slug>", methods=["GET", "POST"])
@role_required(*STAFF)
def profile(slug: str) -> ResponseReturnValue:
    organisation = organisation_or_404(slug)
    form = OrganisationForm(obj=organisation)
    checks = _checks_form(organisation)
    centre = current_user.is_admin or current_user.is_centre_coordinator
    if form.submit.data and form.validate_on_submit():
        services.update_profile(
            actor=current_user,
            organisation=organisation,
            values={field: getattr(form, field).data for field in services.PROFILE_FIELDS},
            auto_approve_coordinator_hours=bool(form.auto_approve_coordinator_hours.data),
            shift_settings={
                "auto_approve_check_ins": bool(form.auto_approve_check_ins.data),
                "shift_cutoff_hours": form.shift_cutoff_hours.data,
            },
        )
        db.session.commit()
        flash("Profile saved.", "success")
        return redirect(url_for("organisations.profile", slug=slug))
    if checks.submit.data:
        if not centre:
            abort(403)
        if checks.validate_on_submit():
            _save_checks(organisation, checks)
            db.session.commit()
            flash("Checks saved.", "success")
            return redirect(url_for("organisations.profile", slug=slug))
    status = 400 if (form.errors or checks.errors) else 200
    return render_template(
        "organisations/profile.html",
        organisation=organisation,
        form=form,
        checks=checks,
        centre=centre,
        lapsed=organisation.lapsed_checks(date.today()),
    ), status


@bp.route("/categories", methods=["GET", "POST"])
@role_required("admin", "centre_coordinator")
def categories() -> ResponseReturnValue:
    """The managed list of opportunity categories: add one, or stop offering one."""
    form = CategoryForm()
    if form.validate_on_submit():
        name = " ".join((form.name.data or "").split())
        try:
            services.add_category(actor=current_user, name=name)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        except IntegrityError:  # the same category added twice at once: added once
            db.session.rollback()
            flash(f"Category {name} has just been added.", "info")
            return redirect(url_for("organisations.categories"))
        else:
            flash(f"Category {name} added.", "success")
            return redirect(url_for("organisations.categories"))
    return render_template(
        "organisations/categories.html",
        categories=queries.all_categories(),
        form=form,
        button=ButtonForm(),
    ), (400 if form.errors else 200)


@bp.post("/categories/<int:category_id>/toggle")
@role_required("admin", "centre_coordinator")
def toggle_category(category_id: int) -> ResponseReturnValue:
    category = db.session.get(Category, category_id)
    if category is None:
        abort(404)
    form = OfferCategoryForm()
    if not form.validate_on_submit():
        abort(400)
    # The button says which way (a double click must not switch it back); without it, a toggle.
    wanted = form.active.data or ""
    active = wanted == "yes" if wanted in ("yes", "no") else not category.active
    return perform(
        lambda: services.offer_category(actor=current_user, category=category, active=active),
        done=f"{category.name} is {'offered again' if active else 'no longer offered'}.",
        back=url_for("organisations.categories"),
    )
