"""/investment: coordinators enter what their organisation spends on volunteering."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from volunteer_hub.accounts.permissions import role_required
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import attach_error, choices
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.investment.forms import InvestmentForm
from volunteer_hub.investment.models import CATEGORIES
from volunteer_hub.investment.queries import organisations_for, recent_entries
from volunteer_hub.investment.services import enter_investment
from volunteer_hub.organisations.models import Organisation

bp = Blueprint("investment", __name__, url_prefix="/investment")


def _page(
    form: InvestmentForm, organisations: list[Organisation], status: int = 200
) -> ResponseReturnValue:
    return (
        render_template(
            "investment/index.html",
            form=form,
            entries=recent_entries([o.id for o in organisations]),
            names={o.id: o.name for o in organisations},
            categories=CATEGORIES,
        ),
        status,
    )


@bp.route("", methods=["GET", "POST"])
@role_required("admin", "centre_coordinator", "org_coordinator")
def index() -> ResponseReturnValue:
    organisations = organisations_for(current_user)
    if not organisations:
        abort(403)
    form = InvestmentForm()
    form.organisation.choices = choices((str(o.id), o.name) for o in organisations)
    if request.method == "GET":
        form.key.data = uuid.uuid4().hex  # a fresh one-time key each time the form is shown
        return _page(form, organisations)
    if not form.validate_on_submit():
        return _page(form, organisations, 400)
    organisation = next((o for o in organisations if str(o.id) == form.organisation.data), None)
    if organisation is None:
        abort(403)
    (start, end), pence = form.period(), form.pence()
    if start is None or end is None or pence is None:
        return _page(form, organisations, 400)
    try:
        entry = enter_investment(
            actor=current_user,
            organisation=organisation,
            period_start=start,
            period_end=end,
            category=form.category.data or "",
            amount_pence=pence,
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
    db.session.commit()
    flash(
        f"Added £{pence / 100:,.2f} of {CATEGORIES[entry.category].lower()} for "
        f"{organisation.name}.",
        "success",
    )
    return redirect(url_for("investment.index"))
