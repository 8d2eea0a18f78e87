"""Time banks, their settings and coordinators; joining; the member's home page and the
coordinator's: recording, approving and suspending members."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from volunteer_hub.accounts.models import User
from volunteer_hub.core.forms import FlaskForm, perform
from volunteer_hub.extensions import db
from volunteer_hub.timebank import queries, services
from volunteer_hub.timebank.forms import (
    ApproveForm,
    CoordinatorForm,
    JoinForm,
    MemberForm,
    ReverseForm,
    SuspendForm,
    TimeBankForm,
)
from volunteer_hub.timebank.ledger import hours_text
from volunteer_hub.timebank.views import (
    bp,
    form_page,
    load_bank,
    load_coordinated,
    load_member,
    posted_id,
    save_form,
)

# --- time banks and members -------------------------------------------------------------------


@bp.get("/timebanks")
@login_required
def index() -> ResponseReturnValue:
    banks = queries.all_timebanks()
    mine = {b.id: queries.account_of(current_user, b) for b in banks}
    coordinated = {b.id for b in queries.coordinated_timebanks(current_user)}
    return render_template("timebank/index.html", banks=banks, mine=mine, coordinated=coordinated)


@bp.route("/timebanks/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    if not current_user.is_admin:
        abort(404)
    form = TimeBankForm()
    if form.validate_on_submit():
        done = save_form(
            form,
            lambda: services.create_timebank(
                actor=current_user,
                name=form.name.data or "",
                terms=form.terms.data or "",
                min_hours=form.min_hours.data or "0",
                max_hours=form.max_hours.data or "",
                requires_dbs=bool(form.requires_dbs.data),
            ),
            lambda timebank: (
                "Time bank created. Name its coordinators in its settings.",
                url_for("timebank.settings", timebank_id=timebank.id),
            ),
        )
        if done is not None:
            return done
    return form_page("timebank/form.html", form, timebank=None)


@bp.route("/timebanks/<int:timebank_id>/settings", methods=["GET", "POST"])
@login_required
def settings(timebank_id: int) -> ResponseReturnValue:
    timebank = load_bank(timebank_id)
    if not (current_user.is_admin or queries.coordinates(current_user, timebank)):
        abort(404)
    form = TimeBankForm(obj=timebank)
    if request.method == "GET":
        form.min_hours.data = hours_text(timebank.min_balance_minutes)
        form.max_hours.data = (
            hours_text(timebank.max_balance_minutes) if timebank.max_balance_minutes else ""
        )
    if form.validate_on_submit():
        done = save_form(
            form,
            lambda: services.update_settings(
                actor=current_user,
                timebank=timebank,
                terms=form.terms.data or "",
                min_hours=form.min_hours.data or "0",
                max_hours=form.max_hours.data or "",
                requires_dbs=bool(form.requires_dbs.data),
            ),
            lambda _: ("Settings saved.", url_for("timebank.settings", timebank_id=timebank.id)),
        )
        if done is not None:
            return done
    return form_page(
        "timebank/form.html",
        form,
        timebank=timebank,
        staff=queries.active_staff() if current_user.is_admin else [],
        coordinators=queries.coordinators_of(timebank),
        button=FlaskForm(),
    )


@bp.post("/timebanks/<int:timebank_id>/coordinators")
@login_required
def add_coordinator(timebank_id: int) -> ResponseReturnValue:
    timebank = load_bank(timebank_id)
    form = CoordinatorForm()
    if not current_user.is_admin or not form.validate_on_submit():
        abort(400 if current_user.is_admin and form.user.errors else 404)
    user_id = posted_id(form.user)
    user = db.session.get(User, user_id) if user_id is not None else None
    back = url_for("timebank.settings", timebank_id=timebank.id)
    if user is None:
        flash("Choose a person", "error")
        return redirect(back)
    return perform(
        lambda: services.add_coordinator(actor=current_user, timebank=timebank, user=user),
        done=f"{user.name} now coordinates {timebank.name}.",
        back=back,
    )


@bp.route("/timebanks/<int:timebank_id>/join", methods=["GET", "POST"])
@login_required
def join(timebank_id: int) -> ResponseReturnValue:
    timebank = load_bank(timebank_id)
    home = url_for("timebank.home", timebank_id=timebank.id)
    if queries.account_of(current_user, timebank) is not None:
        return redirect(home)
    form = JoinForm()
    if form.validate_on_submit():
        done = save_form(
            form,
            lambda: services.join(
                user=current_user,
                timebank=timebank,
                area=form.area.data or "",
                accepted_terms=bool(form.accept.data),
            ),
            lambda _: (
                "Thank you for applying. A coordinator will contact you to meet and to ask for "
                "references.",
                home,
            ),
            already=home,
        )
        if done is not None:
            return done
    return form_page("timebank/join.html", form, timebank=timebank)


@bp.get("/timebanks/<int:timebank_id>")
@login_required
def home(timebank_id: int) -> ResponseReturnValue:
    timebank = load_bank(timebank_id)
    account = queries.account_of(current_user, timebank)
    coordinator = queries.coordinates(current_user, timebank)
    if account is None and coordinator:
        return redirect(url_for("timebank.coordinate", timebank_id=timebank.id))
    if account is None:
        return redirect(url_for("timebank.join", timebank_id=timebank.id))
    return render_template(
        "timebank/home.html",
        timebank=timebank,
        account=account,
        coordinator=coordinator,
        to_confirm=queries.pending_for(account),
        waiting=queries.awaiting_other(account),
        lines=queries.statement(account, limit=5),
        button=FlaskForm(),
    )


@bp.get("/timebanks/<int:timebank_id>/coordinate")
@login_required
def coordinate(timebank_id: int) -> ResponseReturnValue:
    timebank = load_coordinated(timebank_id)
    accounts = queries.members(timebank)
    return render_template(
        "timebank/coordinate.html",
        timebank=timebank,
        accounts=accounts,
        pot=services.pot_of(timebank),
        pending=[a for a in accounts if a.status == "pending"],
        inactive=queries.inactive(timebank, date.today()),
    )


@bp.route("/timebanks/<int:timebank_id>/members/new", methods=["GET", "POST"])
@login_required
def add_member(timebank_id: int) -> ResponseReturnValue:
    timebank = load_coordinated(timebank_id)
    form = MemberForm()
    if form.validate_on_submit():
        done = save_form(
            form,
            lambda: services.add_member(
                actor=current_user,
                timebank=timebank,
                kind=form.kind.data or "",
                name=form.name.data or "",
                email=form.email.data or "",
                phone=form.phone.data or "",
                area=form.area.data or "",
            ),
            lambda account: (
                "Member recorded: approve them after the interview and references.",
                url_for("timebank.member", timebank_id=timebank.id, account_id=account.id),
            ),
        )
        if done is not None:
            return done
    return form_page("timebank/member_form.html", form, timebank=timebank)


@bp.route("/timebanks/<int:timebank_id>/members/<int:account_id>", methods=["GET", "POST"])
@login_required
def member(timebank_id: int, account_id: int) -> ResponseReturnValue:
    timebank, account = load_member(timebank_id, account_id)
    here = url_for("timebank.member", timebank_id=timebank.id, account_id=account.id)
    form = ApproveForm()
    if form.validate_on_submit():
        done = save_form(
            form,
            lambda: services.approve(
                actor=current_user,
                account=account,
                interviewed_on=form.interviewed_on.data,
                references_ok=bool(form.references_ok.data),
                today=date.today(),
            ),
            lambda _: (f"{account.name} is approved.", here),
            already=here,
        )
        if done is not None:
            return done
    return form_page(
        "timebank/member.html",
        form,
        timebank=timebank,
        account=account,
        lines=queries.statement(account),
        reversed_ids=queries.reversed_ids(timebank),
        reverse_form=ReverseForm(),
        button=FlaskForm(),
    )


@bp.post("/timebanks/<int:timebank_id>/members/<int:account_id>/suspend")
@login_required
def suspend(timebank_id: int, account_id: int) -> ResponseReturnValue:
    timebank, account = load_member(timebank_id, account_id)
    form = SuspendForm()
    if not form.validate_on_submit():
        abort(400 if form.suspend.errors else 404)
    suspended = form.suspend.data == "1"
    return perform(
        lambda: services.suspend(actor=current_user, account=account, suspended=suspended),
        done=f"{account.name} is {'suspended' if suspended else 'reinstated'}.",
        back=url_for("timebank.member", timebank_id=timebank.id, account_id=account.id),
    )
