"""/investment: coordinators enter what their organisation spends on volunteering."""

from __future__ import annotations

import uuid
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from sqlalchemy import select
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.permissions import coordinated_organisation_ids, role_required
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import parse_date
from volunteer_hub.core.forms import FlaskForm, attach_error
from volunteer_hub.core.money import parse_pounds
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.investment.models import CATEGORIES, InvestmentEntry
from volunteer_hub.investment.services import add_entry
from volunteer_hub.organisations.models import Organisation

bp = Blueprint("investment", __name__, url_prefix="/investment")


class InvestmentForm(FlaskForm):
    #: The form's one-time key, so the same form sent twice adds the money once.
    key = HiddenField(validators=[Optional(), Length(max=32)])
    organisation = SelectField(
        "Organisation",
        choices=[],
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the organisation")],
    )
    category = SelectField(
        "What the money was spent on",
        choices=[("", "Choose a category"), *CATEGORIES.items()],
        widget=GovSelect(),
        validators=[InputRequired(message="Choose what the money was spent on")],
    )
    period_start = StringField(
        "Period from",
        description="For example, 1 April 2025",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the first day of the period")],
    )
    period_end = StringField(
        "Period to (included)",
        description="For example, 31 March 2026",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the last day of the period")],
    )
    amount = StringField(
        "Amount in pounds",
        description="For example, 1,250.00",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the amount in pounds")],
    )
    submit = SubmitField("Add investment", widget=GovSubmitInput())


def _organisations() -> list[Organisation]:
    statement = select(Organisation).order_by(Organisation.name)
    if not (current_user.is_admin or current_user.is_centre_coordinator):
        statement = statement.where(Organisation.id.in_(coordinated_organisation_ids(current_user)))
    return list(db.session.scalars(statement))


def _date(field: StringField) -> date | None:
    day = parse_date(field.data or "")
    if day is None:
        field.errors = [*field.errors, "Enter a date like 1 April 2025"]
    return day


def _page(
    form: InvestmentForm, organisations: list[Organisation], status: int = 200
) -> ResponseReturnValue:
    ids = [o.id for o in organisations]
    entries = db.session.scalars(
        select(InvestmentEntry)
        .where(InvestmentEntry.organisation_id.in_(ids))
        .order_by(InvestmentEntry.period_start.desc(), InvestmentEntry.id.desc())
        .limit(200)
    ).all()
    names = {o.id: o.name for o in organisations}
    return (
        render_template(
            "investment/index.html",
            form=form,
            entries=entries,
            names=names,
            categories=CATEGORIES,
        ),
        status,
    )


@bp.route("", methods=["GET", "POST"])
@role_required("admin", "centre_coordinator", "org_coordinator")
def index() -> ResponseReturnValue:
    organisations = _organisations()
    if not organisations:
        abort(403)
    form = InvestmentForm()
    form.organisation.choices = [(str(o.id), o.name) for o in organisations]
    if request.method == "GET":
        form.key.data = uuid.uuid4().hex  # a fresh one-time key each time the form is shown
        return _page(form, organisations)
    if not form.validate_on_submit():
        return _page(form, organisations, 400)
    organisation = next((o for o in organisations if str(o.id) == form.organisation.data), None)
    if organisation is None:
        abort(403)
    start, end = _date(form.period_start), _date(form.period_end)
    pence = None
    try:
        pence = parse_pounds(form.amount.data or "")
    except ValueError as error:
        form.amount.errors = [*form.amount.errors, str(error).replace("amount ", "The amount ", 1)]
    if start is None or end is None or pence is None:
        return _page(form, organisations, 400)
    try:
        entry = add_entry(
            organisation_id=organisation.id,
            period_start=start,
            period_end=end,
            category=form.category.data or "",
            amount_pence=pence,
            entered_by=current_user,
            key=form.key.data or None,
        )
    except AlreadyDone as error:  # the same form sent again (a double click)
        db.session.rollback()
        flash(error.message, "info")
        return redirect(url_for("investment.index"))
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _page(form, organisations, 400)
    audit(
        "investment.added",
        actor=current_user,
        target=entry,
        details={"organisation": organisation.name, "category": entry.category, "pence": pence},
    )
    db.session.commit()
    flash(
        f"Added £{pence / 100:,.2f} of {CATEGORIES[entry.category].lower()} for "
        f"{organisation.name}.",
        "success",
    )
    return redirect(url_for("investment.index"))
