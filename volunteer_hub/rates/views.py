"""/admin/rates: administrators add a rate or supersede one; rates are never edited."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from volunteer_hub.accounts.permissions import role_required
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import long_date
from volunteer_hub.core.forms import attach_error
from volunteer_hub.core.inputs import to_id
from volunteer_hub.extensions import db
from volunteer_hub.rates.forms import RateForm
from volunteer_hub.rates.queries import all_rates
from volunteer_hub.rates.services import add_rate_by

bp = Blueprint("rates", __name__, url_prefix="/admin/rates")


def _page(form: RateForm, status: int = 200) -> ResponseReturnValue:
    rates = all_rates()
    form.set_choices(rates)
    return render_template("rates/index.html", form=form, rates=rates, today=date.today()), status


@bp.get("")
@role_required("admin")
def index() -> ResponseReturnValue:
    return _page(RateForm())


@bp.post("")
@role_required("admin")
def create() -> ResponseReturnValue:
    form = RateForm()
    form.set_choices(all_rates())
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        rate = add_rate_by(
            actor=current_user,
            raw={**form.raw(), "currency": "GBP"},
            supersedes_id=to_id(form.supersedes.data) if form.supersedes.data else None,
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
