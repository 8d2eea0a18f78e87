"""Exchanges (recorded by a member or for both by a coordinator), confirming and declining,
the community pot, reversals and statements."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from volunteer_hub.config import ROOT
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import FlaskForm, perform
from volunteer_hub.core.inputs import arg_int
from volunteer_hub.core.redirects import local_target
from volunteer_hub.core.tabular import write_csv
from volunteer_hub.extensions import db
from volunteer_hub.timebank import queries, services
from volunteer_hub.timebank.forms import (
    BothForm,
    ExchangeForm,
    PotForm,
    ReverseForm,
    member_choices,
)
from volunteer_hub.timebank.models import (
    Exchange,
    TimeBank,
    Transfer,
)
from volunteer_hub.timebank.rules import hours_to_minutes
from volunteer_hub.timebank.views import (
    bp,
    keyed_page,
    load,
    load_bank,
    load_coordinated,
    load_membership,
    save_keyed,
)

# --- exchanges, the pot, reversals ------------------------------------------------------------


@bp.route("/timebanks/<int:timebank_id>/exchanges/new", methods=["GET", "POST"])
@login_required
def record(timebank_id: int) -> ResponseReturnValue:
    timebank, account = load_membership(timebank_id)
    form = ExchangeForm()
    form.member.choices = member_choices(queries.approved_members(timebank, exclude=account.id))
    if form.validate_on_submit():
        other = queries.account_in(timebank, form.member.data)

        def record_it() -> None:
            if other is None:
                raise DomainError("Choose the other member", field="member")
            services.record_exchange(
                user=current_user,
                timebank=timebank,
                other=other,
                i_gave=form.direction.data == "gave",
                done_on=form.done_on.data,
                minutes=hours_to_minutes(form.hours.data),
                description=form.description.data or "",
                key=form.key.data or "",
                today=date.today(),
            )

        done = save_keyed(
            form,
            record_it,
            done=f"Recorded. {other.name if other else ''} is asked to confirm it.",
            duplicate="This exchange was already recorded.",
            back=url_for("timebank.home", timebank_id=timebank.id),
        )
        if done is not None:
            return done
    return keyed_page("timebank/exchange.html", form, timebank=timebank)


@bp.route("/timebanks/<int:timebank_id>/exchanges/both", methods=["GET", "POST"])
@login_required
def record_both(timebank_id: int) -> ResponseReturnValue:
    timebank = load_coordinated(timebank_id)
    form = BothForm()
    form.giver.choices = form.receiver.choices = member_choices(queries.approved_members(timebank))
    if form.validate_on_submit():
        giver = queries.account_in(timebank, form.giver.data)
        receiver = queries.account_in(timebank, form.receiver.data)

        def record_it() -> None:
            if giver is None or receiver is None:
                raise DomainError("Choose both members", field="giver")
            services.record_for_both(
                actor=current_user,
                timebank=timebank,
                giver=giver,
                receiver=receiver,
                done_on=form.done_on.data,
                minutes=hours_to_minutes(form.hours.data),
                description=form.description.data or "",
                key=form.key.data or "",
                today=date.today(),
            )

        done = save_keyed(
            form,
            record_it,
            done="Exchange recorded and confirmed.",
            duplicate="This exchange was already recorded.",
            back=url_for("timebank.coordinate", timebank_id=timebank.id),
        )
        if done is not None:
            return done
    return keyed_page("timebank/both.html", form, timebank=timebank)


@bp.post("/exchanges/<int:exchange_id>/<choice>")
@login_required
def decide(exchange_id: int, choice: str) -> ResponseReturnValue:
    exchange = db.session.get(Exchange, exchange_id)
    if choice not in ("confirm", "decline") or exchange is None:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(404)
    timebank_id = exchange.timebank_id
    action = services.confirm if choice == "confirm" else services.decline
    return perform(
        lambda: action(user=current_user, exchange=exchange),
        done="Confirmed: the hours are in both statements." if choice == "confirm" else "Declined.",
        back=url_for("timebank.home", timebank_id=timebank_id),
    )


def _pot_move(form: PotForm, timebank: TimeBank, kind: str) -> None:
    """Donate the form's hours to the pot, or grant them from it to the chosen member."""
    minutes = hours_to_minutes(form.hours.data)
    key = form.key.data or ""
    if kind == "donate":
        services.donate(
            user=current_user, timebank=timebank, minutes=minutes, key=key, today=date.today()
        )
        return
    account = queries.account_in(timebank, form.member.data)
    if account is None:
        raise DomainError("Choose the member", field="member")
    services.grant(
        actor=current_user,
        timebank=timebank,
        account=account,
        minutes=minutes,
        reason=form.reason.data or "",
        key=key,
        today=date.today(),
    )


@bp.route("/timebanks/<int:timebank_id>/pot/<kind>", methods=["GET", "POST"])
@login_required
def pot(timebank_id: int, kind: str) -> ResponseReturnValue:
    timebank = load_bank(timebank_id)
    if kind not in ("donate", "grant"):
        abort(404)
    if kind == "grant":
        load_coordinated(timebank_id)
    elif queries.account_of(current_user, timebank) is None:
        abort(404)
    form = PotForm()
    form.member.choices = member_choices(queries.approved_members(timebank))
    if form.validate_on_submit():
        done = save_keyed(
            form,
            lambda: _pot_move(form, timebank, kind),
            done="Thank you: donated to the community pot." if kind == "donate" else "Granted.",
            duplicate="This was already recorded.",
            back=url_for(
                "timebank.home" if kind == "donate" else "timebank.coordinate",
                timebank_id=timebank.id,
            ),
        )
        if done is not None:
            return done
    return keyed_page(
        "timebank/pot.html", form, timebank=timebank, kind=kind, pot=services.pot_of(timebank)
    )


@bp.post("/transfers/<int:transfer_id>/reverse")
@login_required
def reverse(transfer_id: int) -> ResponseReturnValue:
    transfer = load(Transfer, transfer_id)
    timebank = load_coordinated(transfer.timebank_id)
    form = ReverseForm()
    valid = form.validate_on_submit()
    if form.back.errors:
        abort(400)
    back = local_target(
        form.back.data or "",
        url_for("timebank.coordinate", timebank_id=timebank.id),
        under="/timebanks/",
    )
    if not valid:
        flash("Say why the transfer is reversed", "error")
        return redirect(back)
    return perform(
        lambda: services.reverse(
            actor=current_user, transfer=transfer, reason=form.reason.data or "", today=date.today()
        ),
        done="Reversed: a linked reversal is recorded.",
        back=back,
    )


# --- statements -------------------------------------------------------------------------------


def _attachment(body: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


@bp.get("/timebanks/<int:timebank_id>/accounts/<int:account_id>/statement")
@bp.get("/timebanks/<int:timebank_id>/accounts/<int:account_id>/statement.<fmt>")
@login_required
def statement(timebank_id: int, account_id: int, fmt: str = "html") -> ResponseReturnValue:
    timebank = load_bank(timebank_id)
    account = queries.account_in(timebank, account_id)
    if account is None or fmt not in ("html", "csv", "pdf"):
        abort(404)
    own = account.user_id == current_user.id
    if not (own or queries.coordinates(current_user, timebank)):
        abort(404)
    filename = f"timebank-statement-{account.id}.{fmt}"
    if fmt == "csv":
        return _attachment(write_csv(queries.statement_rows(account)), "text/csv", filename)
    if fmt == "pdf":
        from weasyprint import HTML

        html = render_template(
            "timebank/statement_pdf.html",
            timebank=timebank,
            account=account,
            lines=list(reversed(queries.statement(account, limit=None))),
            today=date.today(),
        )
        pdf = HTML(string=html, base_url=str(ROOT)).write_pdf()
        return _attachment(pdf, "application/pdf", filename)
    lines = queries.statement(account, before=arg_int("before"))
    return render_template(
        "timebank/statement.html",
        timebank=timebank,
        account=account,
        lines=lines,
        more=len(lines) == queries.STATEMENT_PAGE,
    )
