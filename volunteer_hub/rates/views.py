"""/admin/rates: administrators add a rate or supersede one; rates are never edited."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Optional

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.permissions import role_required
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import long_date, money
from volunteer_hub.core.forms import FlaskForm, attach_error
from volunteer_hub.core.inputs import to_id
from volunteer_hub.extensions import db
from volunteer_hub.rates.models import Rate
from volunteer_hub.rates.services import RATE_HEADER, add_rate

bp = Blueprint("rates", __name__, url_prefix="/admin/rates")


class RateForm(FlaskForm):
    supersedes = SelectField(
        "Replaces",
        description="Choose the rate this one replaces from its start date, or none for a new rate",
        choices=[],
        widget=GovSelect(),
        validators=[Optional()],
    )
    key = StringField(
        "Key",
        description="Lower-case letters, digits and underscores, like the keys in the table above",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the rate's key")],
    )
    amount = StringField(
        "Amount in pounds an hour",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the amount")],
    )
    basis = StringField(
        "What the figure is",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter what the figure is")],
    )
    geography = StringField(
        "Geography",
        description="e.g. UK",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the geography")],
    )
    reference_date = StringField(
        "Reference date",
        description="The date or period the figure describes, as published, e.g. April 2026",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the reference date")],
    )
    source = StringField(
        "Source",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the source")],
    )
    effective_from = StringField(
        "In force from",
        description="For example, 1 April 2026",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the date the rate comes into force")],
    )
    effective_to = StringField(
        "In force until (optional)", widget=GovTextInput(), validators=[Optional()]
    )
    soc_code = StringField(
        "Occupation code (SOC 2020, optional)",
        description="Only for occupation (specialist) rates",
        widget=GovTextInput(),
        validators=[Optional()],
    )
    submit = SubmitField("Add rate", widget=GovSubmitInput())


def _rates() -> list[Rate]:
    return list(db.session.scalars(select(Rate).order_by(Rate.soc_code.is_not(None), Rate.key)))


def _page(form: RateForm, status: int = 200) -> ResponseReturnValue:
    rates = _rates()
    form.supersedes.choices = [("", "None: a new rate")] + [
        (str(r.id), f"{r.basis} ({money(r.amount)} an hour, from {long_date(r.effective_from)})")
        for r in rates
        if r.effective_to is None
    ]
    return render_template("rates/index.html", form=form, rates=rates, today=date.today()), status


@bp.get("")
@role_required("admin")
def index() -> ResponseReturnValue:
    return _page(RateForm())


@bp.post("")
@role_required("admin")
def create() -> ResponseReturnValue:
    form = RateForm()
    _page(form)  # fills the choices
    if not form.validate_on_submit():
        return _page(form, 400)
    raw = {
        name: (getattr(form, name).data or "").strip() for name in RATE_HEADER if name != "currency"
    }
    old = None
    if form.supersedes.data:
        old_id = to_id(form.supersedes.data)
        old = db.session.get(Rate, old_id) if old_id is not None else None
        if old is None or old.effective_to is not None:
            form.supersedes.errors = ["Choose a rate that is still open"]
            return _page(form, 400)
    try:
        rate = add_rate({**raw, "currency": "GBP"}, supersedes=old)
        audit(
            "rate.added",
            actor=current_user,
            target=rate,
            details={
                "key": rate.key,
                "amount": str(rate.amount),
                "supersedes": old.key if old else None,
            },
        )
        db.session.commit()
    except IntegrityError:  # the same rate sent twice at once: added once
        db.session.rollback()
        flash("This rate has just been added.", "info")
        return redirect(url_for("rates.index"))
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _page(form, 400)
    flash(f"Rate added: {rate.basis}, in force from {long_date(rate.effective_from)}.", "success")
    return redirect(url_for("rates.index"))
