"""Administration pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from volunteer_hub.accounts import outbox, services
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import get_or_404, role_required
from volunteer_hub.admin import queries
from volunteer_hub.admin.forms import AuditSearchForm, ButtonForm, GrantForm, InviteForm
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import attach_error, choices
from volunteer_hub.core.inputs import to_id
from volunteer_hub.core.queries import page_of
from volunteer_hub.extensions import db
from volunteer_hub.organisations.queries import all_organisations

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


def _organisation_choices() -> list[SelectChoice]:
    return choices(
        ((str(o.id), o.name) for o in all_organisations()), prompt="Not for one organisation"
    )


def _grant_from(form: GrantForm | ButtonForm) -> services.Grant:
    raw = (form.organisation.data or "").strip()
    organisation_id = to_id(raw) if raw else None
    if raw and organisation_id is None:
        raise DomainError("Choose an organisation from the list", field="organisation")
    return services.Grant(role=form.role.data or "", organisation_id=organisation_id)


def _page() -> int:
    return max(1, min(to_id(request.args.get("page")) or 1, 10_000))


@bp.get("/users")
@role_required("admin")
def users() -> ResponseReturnValue:
    query = (request.args.get("q") or "").strip()[:100]
    page = _page()
    people = page_of(queries.people(query), page, PAGE_SIZE)
    return render_template(
        "admin/users.html",
        people=people[:PAGE_SIZE],
        query=query,
        page=page,
        has_next=len(people) > PAGE_SIZE,
    )


@bp.route("/users/invite", methods=["GET", "POST"])
@role_required("admin")
def invite() -> ResponseReturnValue:
    form = InviteForm()
    form.organisation.choices = _organisation_choices()
    if form.validate_on_submit():
        try:
            user = services.invite_user(
                actor=current_user,
                email=form.email.data or "",
                name=form.name.data or "",
                grants=[_grant_from(form)],
            )
        except IntegrityError:  # the same invitation sent twice at once: sent once
            db.session.rollback()
            invited = services.find_user_by_email(form.email.data or "")
            flash("This person has already been invited.", "info")
            if invited is not None:
                return redirect(url_for("admin.user", user_id=invited.id))
            return redirect(url_for("admin.users"))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"Invitation sent to {user.email}.", "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/invite.html", form=form), 400 if form.errors else 200


@bp.get("/users/<int:user_id>")
@role_required("admin")
def user(user_id: int) -> ResponseReturnValue:
    person = get_or_404(User, user_id)
    form = GrantForm()
    form.organisation.choices = _organisation_choices()
    return render_template("admin/user.html", person=person, form=form, button=ButtonForm())


@bp.post("/users/<int:user_id>/roles")
@role_required("admin")
def add_role(user_id: int) -> ResponseReturnValue:
    person = get_or_404(User, user_id, action="change")
    form = GrantForm()
    form.organisation.choices = _organisation_choices()
    if form.validate_on_submit():
        try:
            services.grant_role(actor=current_user, user=person, grant=_grant_from(form))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Role added.", "success")
            return redirect(url_for("admin.user", user_id=person.id))
    return render_template("admin/user.html", person=person, form=form, button=ButtonForm()), 400


def _button_action(
    user_id: int, action: Callable[[User, ButtonForm], None], done: Callable[[User], str]
) -> ResponseReturnValue:
    """A one-button change to a user: load (or 404), check CSRF, call one service, commit once,
    flash what happened, back to the user's page."""
    person = get_or_404(User, user_id, action="change")
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action(person, form)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(done(person), "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/users/<int:user_id>/roles/remove")
@role_required("admin")
def remove_role(user_id: int) -> ResponseReturnValue:
    return _button_action(
        user_id,
        lambda person, form: services.revoke_role(
            actor=current_user, user=person, grant=_grant_from(form)
        ),
        lambda person: "Role removed.",
    )


@bp.post("/users/<int:user_id>/active")
@role_required("admin")
def set_active(user_id: int) -> ResponseReturnValue:
    active = ButtonForm().active.data == "yes"
    return _button_action(
        user_id,
        lambda person, form: services.set_active(actor=current_user, user=person, active=active),
        lambda person: f"{person.name} has been {'reactivated' if active else 'deactivated'}.",
    )


@bp.post("/users/<int:user_id>/two-factor/reset")
@role_required("admin")
def reset_two_factor(user_id: int) -> ResponseReturnValue:
    return _button_action(
        user_id,
        lambda person, form: services.reset_two_factor(actor=current_user, user=person),
        lambda person: f"Two-factor sign-in for {person.name} has been reset.",
    )


@bp.get("/audit")
@role_required("admin")
def audit_log() -> ResponseReturnValue:
    form = AuditSearchForm(request.args)
    if form.validate():
        statement = queries.audit_events(
            action=form.action.data,
            actor=form.actor.data,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
            target=form.target.data,
        )
    else:
        statement = queries.audit_events()
    page = _page()
    events = page_of(statement, page, PAGE_SIZE)
    return render_template(
        "admin/audit.html",
        form=form,
        events=events[:PAGE_SIZE],
        page=page,
        has_next=len(events) > PAGE_SIZE,
    )


# Development: the emails the service has written -------------------------------------------


def dev_emails_enabled() -> bool:
    """The development email page exists in development only (and in a test that asks)."""
    config = current_app.config
    if config.get("ENV") == "production":
        return False
    chosen = config.get("DEV_EMAILS_PAGE")
    if chosen is not None:
        return bool(chosen)
    return config.get("ENV") == "development" and not config.get("TESTING")


def development_only(
    view: Callable[..., ResponseReturnValue],
) -> Callable[..., ResponseReturnValue]:
    """Outside development the page does not exist, for anyone (404 before any sign-in)."""

    @wraps(view)
    def wrapped(*args: object, **kwargs: object) -> ResponseReturnValue:
        if not dev_emails_enabled():
            abort(404)
        return view(*args, **kwargs)

    return wrapped


@bp.get("/emails")
@development_only
@role_required("admin")
def emails() -> ResponseReturnValue:
    """Recent emails with their links, so a developer can follow them without a mail server."""
    messages = [
        {
            "message": message,
            "links": outbox.links_in(message.body_text),
        }
        for message in outbox.recent()
    ]
    return render_template("admin/emails.html", messages=messages)
