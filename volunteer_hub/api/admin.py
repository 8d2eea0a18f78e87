"""Administrators issue and revoke partner API tokens (/admin/api-tokens)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from sqlalchemy import select
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from volunteer_hub.accounts.models import Membership, MembershipRole, User
from volunteer_hub.accounts.permissions import get_or_404, register_rule, role_required
from volunteer_hub.api.models import ApiToken
from volunteer_hub.api.services import issue_token, revoke_token
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import FlaskForm, attach_error
from volunteer_hub.core.inputs import to_id
from volunteer_hub.extensions import db

bp = Blueprint("api_admin", __name__, url_prefix="/admin/api-tokens")

register_rule(ApiToken, lambda user, token, action: bool(user.is_admin))


class IssueTokenForm(FlaskForm):
    holder = SelectField(
        "Partner",
        description="Only users with the partner role can hold a token",
        choices=[],
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the partner the token is for")],
    )
    name = StringField(
        "Name",
        description="What will use it, for example: Council performance dashboard",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a name for the token"),
            Length(max=100, message="The name must be 100 characters or fewer"),
        ],
    )
    submit = SubmitField("Issue token", widget=GovSubmitInput())


class RevokeForm(FlaskForm):
    submit = SubmitField("Revoke", widget=GovSubmitInput())


def _partners() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.role == MembershipRole.PARTNER.value, User.is_active.is_(True))
            .order_by(User.name)
            .distinct()
        )
    )


def _form() -> IssueTokenForm:
    form = IssueTokenForm()
    form.holder.choices = [("", "Choose a partner")] + [
        (str(u.id), f"{u.name} ({u.email})") for u in _partners()
    ]
    return form


def _page(
    form: IssueTokenForm, status: int = 200, new_token: str | None = None
) -> ResponseReturnValue:
    tokens = db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())).all()
    return (
        render_template(
            "api/tokens.html", form=form, tokens=tokens, revoke=RevokeForm(), new_token=new_token
        ),
        status,
    )


@bp.get("")
@role_required("admin")
def tokens() -> ResponseReturnValue:
    return _page(_form())


@bp.post("")
@role_required("admin")
def issue() -> ResponseReturnValue:
    form = _form()
    if not form.validate_on_submit():
        return _page(form, 400)
    holder_id = to_id(form.holder.data)
    holder = db.session.get(User, holder_id) if holder_id is not None else None
    if holder is None:
        form.holder.errors = ["Choose the partner the token is for"]
        return _page(form, 400)
    try:
        _row, token = issue_token(actor=current_user, holder=holder, name=form.name.data or "")
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _page(form, 400)
    db.session.commit()
    # Shown once, in this response only: never flashed, logged or stored.
    return _page(_form(), 201, new_token=token)


@bp.post("/<int:token_id>/revoke")
@role_required("admin")
def revoke(token_id: int) -> ResponseReturnValue:
    token = get_or_404(ApiToken, token_id, action="change")
    if not RevokeForm().validate_on_submit():
        abort(400)
    try:
        revoke_token(actor=current_user, token=token)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"Token “{token.name}” revoked. It no longer works.", "success")
    return redirect(url_for("api_admin.tokens"))
