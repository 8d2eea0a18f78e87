"""Time bank pages: joining, offers and requests, exchanges, the pot, statements, and the
coordinator's view."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from sqlalchemy import select
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from volunteer_hub.accounts.models import User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import FlaskForm, GovDateField, attach_error, perform
from volunteer_hub.core.inputs import arg_int, form_id, form_text, to_id
from volunteer_hub.core.redirects import local_target
from volunteer_hub.core.tabular import write_csv
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.timebank import services
from volunteer_hub.timebank.ledger import Duplicate, hours_text
from volunteer_hub.timebank.models import (
    CATEGORIES,
    Account,
    Exchange,
    Listing,
    Match,
    TimeBank,
    Transfer,
)

bp = Blueprint("timebank", __name__)
ROOT = Path(__file__).resolve().parents[2]


class TimeBankForm(FlaskForm):
    name = StringField(
        "Name", widget=GovTextInput(), validators=[InputRequired(message="Enter the name")]
    )
    terms = TextAreaField(
        "Terms members accept",
        description="Leave empty for the standard terms (credits are never bought or sold)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000)],
    )
    min_hours = StringField("Minimum balance (hours)", default="-10", widget=GovTextInput())
    max_hours = StringField(
        "Maximum balance (hours, optional)", widget=GovTextInput(), validators=[Optional()]
    )
    requires_dbs = BooleanField("Members must have a clear DBS check", widget=GovCheckboxInput())
    submit = SubmitField("Save", widget=GovSubmitInput())


class JoinForm(FlaskForm):
    area = StringField(
        "Your postcode district (optional)",
        description="The first part of your postcode, like SE15. We never show your address.",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=8)],
    )
    accept = BooleanField("I accept the time bank's terms", widget=GovCheckboxInput())
    submit = SubmitField("Apply to join", widget=GovSubmitInput())


class MemberForm(FlaskForm):
    kind = RadioField(
        "Who is joining",
        choices=[
            ("person", "A person"),
            ("organisation", "An organisation (a care home, a centre)"),
        ],
        default="person",
        widget=GovRadioInput(),
    )
    name = StringField("Name", widget=GovTextInput(), validators=[InputRequired("Enter the name")])
    email = StringField("Email (optional)", widget=GovTextInput(), validators=[Optional()])
    phone = StringField("Phone (optional)", widget=GovTextInput(), validators=[Optional()])
    area = StringField(
        "Postcode district (optional)", widget=GovTextInput(), validators=[Optional()]
    )
    submit = SubmitField("Record the member", widget=GovSubmitInput())


class ApproveForm(FlaskForm):
    interviewed_on = GovDateField("Date of the interview", validators=[Optional()])
    references_ok = BooleanField("References are satisfactory", widget=GovCheckboxInput())
    submit = SubmitField("Approve the member", widget=GovSubmitInput())


class ListingForm(FlaskForm):
    #: The form's one-time key, so the same form sent twice posts one listing.
    key = HiddenField(validators=[Optional(), Length(max=32)])
    kind = RadioField(
        "Is this an offer or a request?",
        choices=[("offer", "I can offer help"), ("request", "I need help")],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose an offer or a request")],
    )
    category = SelectField(
        "Category", choices=[("", "Choose a category"), *CATEGORIES.items()], widget=GovSelect()
    )
    title = StringField(
        "Title",
        description="For example, Help with shopping on Tuesdays",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter a title"), Length(max=120)],
    )
    description = TextAreaField(
        "Description", widget=GovTextArea(), validators=[Optional(), Length(max=2000)]
    )
    area = StringField(
        "Postcode district",
        description="Like SE15 — never an address",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=8)],
    )
    availability = StringField(
        "When", widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    submit = SubmitField("Post it", widget=GovSubmitInput())


class ExchangeForm(FlaskForm):
    key = HiddenField()
    direction = RadioField(
        "What happened",
        choices=[("gave", "I gave help"), ("received", "I received help")],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose whether you gave or received help")],
    )
    member = SelectField("The other member", choices=[], widget=GovSelect(), validate_choice=False)
    done_on = GovDateField("Date", validators=[Optional()])
    hours = StringField(
        "Hours",
        description="In quarter hours, like 1.5 or 0.75",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the hours")],
    )
    description = StringField(
        "What was done",
        widget=GovTextInput(),
        validators=[InputRequired(message="Say what was done"), Length(max=500)],
    )
    submit = SubmitField("Record the exchange", widget=GovSubmitInput())


class BothForm(FlaskForm):
    key = HiddenField()
    giver = SelectField("Who gave help", choices=[], widget=GovSelect(), validate_choice=False)
    receiver = SelectField("Who received it", choices=[], widget=GovSelect(), validate_choice=False)
    done_on = GovDateField("Date", validators=[Optional()])
    hours = StringField(
        "Hours", widget=GovTextInput(), validators=[InputRequired(message="Enter the hours")]
    )
    description = StringField(
        "What was done",
        widget=GovTextInput(),
        validators=[InputRequired(message="Say what was done"), Length(max=500)],
    )
    submit = SubmitField("Record for both members", widget=GovSubmitInput())


class PotForm(FlaskForm):
    key = HiddenField()
    member = SelectField("Member", choices=[], widget=GovSelect(), validate_choice=False)
    hours = StringField(
        "Hours", widget=GovTextInput(), validators=[InputRequired(message="Enter the hours")]
    )
    reason = StringField("Why", widget=GovTextInput(), validators=[Optional(), Length(max=500)])
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class ReverseForm(FlaskForm):
    reason = StringField(
        "Why it is reversed",
        widget=GovTextInput(),
        validators=[InputRequired(message="Say why"), Length(max=500)],
    )
    submit = SubmitField("Reverse", widget=GovSubmitInput())


def _bank(timebank_id: int) -> TimeBank:
    timebank = db.session.get(TimeBank, timebank_id)
    if timebank is None:
        abort(404)
    return timebank


def _coordinator_only(timebank: TimeBank) -> None:
    if not services.coordinates(current_user, timebank):
        abort(404)


def _new_key(form: FlaskForm) -> None:
    """A fresh idempotency key for each form shown (kept when it is shown again with errors)."""
    key = form.key
    if not key.data:
        key.data = uuid.uuid4().hex


def _submit_keyed(
    form: FlaskForm,
    action: Callable[[], object],
    *,
    done: str,
    duplicate: str,
    back: str,
) -> ResponseReturnValue | None:
    """Run a service that records under the form's idempotency key and commit. A repeat of the
    same form goes back as if it had worked; a DomainError rolls back and is shown on the form
    (None: render the form again)."""
    try:
        action()
    except Duplicate:
        flash(duplicate, "success")
        return redirect(back)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return None
    db.session.commit()
    flash(done, "success")
    return redirect(back)


def _member_choices(timebank: TimeBank, exclude: int | None = None) -> list[tuple[str, str]]:
    return [("", "Choose a member")] + [
        (str(a.id), a.name + (f" ({a.area})" if a.area else ""))
        for a in services.members(timebank)
        if a.kind != "pot" and a.status == "approved" and a.id != exclude
    ]


def _account_in(timebank: TimeBank, raw: str | int | None) -> Account | None:
    account_id = to_id(raw)
    if account_id is None:
        return None
    account = db.session.get(Account, account_id)
    return account if account is not None and account.timebank_id == timebank.id else None


@bp.get("/timebanks")
@login_required
def index() -> ResponseReturnValue:
    banks = list(db.session.scalars(select(TimeBank).order_by(TimeBank.name)))
    mine = {b.id: services.account_of(current_user, b) for b in banks}
    coordinated = {b.id for b in services.coordinated_timebanks(current_user)}
    return render_template("timebank/index.html", banks=banks, mine=mine, coordinated=coordinated)


@bp.route("/timebanks/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    if not current_user.is_admin:
        abort(404)
    form = TimeBankForm()
    if form.validate_on_submit():
        try:
            timebank = services.create_timebank(
                actor=current_user,
                name=form.name.data or "",
                terms=form.terms.data or "",
                min_hours=form.min_hours.data or "0",
                max_hours=form.max_hours.data or "",
                requires_dbs=bool(form.requires_dbs.data),
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Time bank created. Name its coordinators in its settings.", "success")
            return redirect(url_for("timebank.settings", timebank_id=timebank.id))
    return render_template("timebank/form.html", form=form, timebank=None), (
        400 if form.errors else 200
    )


@bp.route("/timebanks/<int:timebank_id>/settings", methods=["GET", "POST"])
@login_required
def settings(timebank_id: int) -> ResponseReturnValue:
    timebank = _bank(timebank_id)
    if not (current_user.is_admin or services.coordinates(current_user, timebank)):
        abort(404)
    form = TimeBankForm(obj=timebank)
    if request.method == "GET":
        form.min_hours.data = hours_text(timebank.min_balance_minutes)
        form.max_hours.data = (
            hours_text(timebank.max_balance_minutes) if timebank.max_balance_minutes else ""
        )
    if form.validate_on_submit():
        try:
            services.update_settings(
                actor=current_user,
                timebank=timebank,
                terms=form.terms.data or "",
                min_hours=form.min_hours.data or "0",
                max_hours=form.max_hours.data or "",
                requires_dbs=bool(form.requires_dbs.data),
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Settings saved.", "success")
            return redirect(url_for("timebank.settings", timebank_id=timebank.id))
    staff = (
        list(db.session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.name)))
        if current_user.is_admin
        else []
    )
    return render_template(
        "timebank/form.html",
        form=form,
        timebank=timebank,
        staff=[u for u in staff if u.is_staff],
        coordinators=services.coordinators_of(timebank),
        button=FlaskForm(),
    ), (400 if form.errors else 200)


@bp.post("/timebanks/<int:timebank_id>/coordinators")
@login_required
def add_coordinator(timebank_id: int) -> ResponseReturnValue:
    timebank = _bank(timebank_id)
    if not current_user.is_admin or not FlaskForm().validate_on_submit():
        abort(404)
    user_id = form_id("user")
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
    timebank = _bank(timebank_id)
    if services.account_of(current_user, timebank) is not None:
        return redirect(url_for("timebank.home", timebank_id=timebank.id))
    form = JoinForm()
    if form.validate_on_submit():
        try:
            services.join(
                user=current_user,
                timebank=timebank,
                area=form.area.data or "",
                accepted_terms=bool(form.accept.data),
            )
        except AlreadyDone as error:
            db.session.rollback()
            flash(error.message, "info")
            return redirect(url_for("timebank.home", timebank_id=timebank.id))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(
                "Thank you for applying. A coordinator will contact you to meet and to ask for "
                "references.",
                "success",
            )
            return redirect(url_for("timebank.home", timebank_id=timebank.id))
    return render_template("timebank/join.html", form=form, timebank=timebank), (
        400 if form.errors else 200
    )


@bp.get("/timebanks/<int:timebank_id>")
@login_required
def home(timebank_id: int) -> ResponseReturnValue:
    timebank = _bank(timebank_id)
    account = services.account_of(current_user, timebank)
    coordinator = services.coordinates(current_user, timebank)
    if account is None and coordinator:
        return redirect(url_for("timebank.coordinate", timebank_id=timebank.id))
    if account is None:
        return redirect(url_for("timebank.join", timebank_id=timebank.id))
    return render_template(
        "timebank/home.html",
        timebank=timebank,
        account=account,
        coordinator=coordinator,
        to_confirm=services.pending_for(account),
        waiting=services.awaiting_other(account),
        lines=services.statement(account, limit=5),
        button=FlaskForm(),
    )


@bp.get("/timebanks/<int:timebank_id>/coordinate")
@login_required
def coordinate(timebank_id: int) -> ResponseReturnValue:
    timebank = _bank(timebank_id)
    _coordinator_only(timebank)
    accounts = services.members(timebank)
    return render_template(
        "timebank/coordinate.html",
        timebank=timebank,
        accounts=accounts,
        pot=services.pot_of(timebank),
        pending=[a for a in accounts if a.status == "pending"],
        inactive=services.inactive(timebank, date.today()),
    )


@bp.route("/timebanks/<int:timebank_id>/members/new", methods=["GET", "POST"])
@login_required
def add_member(timebank_id: int) -> ResponseReturnValue:
    timebank = _bank(timebank_id)
    _coordinator_only(timebank)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            account = services.add_member(
                actor=current_user,
                timebank=timebank,
                kind=form.kind.data or "",
                name=form.name.data or "",
                email=form.email.data or "",
                phone=form.phone.data or "",
                area=form.area.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Member recorded: approve them after the interview and references.", "success")
            return redirect(
                url_for("timebank.member", timebank_id=timebank.id, account_id=account.id)
            )
    return render_template("timebank/member_form.html", form=form, timebank=timebank), (
        400 if form.errors else 200
    )


@bp.route("/timebanks/<int:timebank_id>/members/<int:account_id>", methods=["GET", "POST"])
@login_required
def member(timebank_id: int, account_id: int) -> ResponseReturnValue:
    timebank = _bank(timebank_id)
    _coordinator_only(timebank)
    account = _account_in(timebank, str(account_id))
    if account is None:
        abort(404)
    form = ApproveForm()
    if form.validate_on_submit():
        try:
            services.approve(
                actor=current_user,
                account=account,
                interviewed_on=form.interviewed_on.data,
                references_ok=bool(form.references_ok.data),
                today=date.today(),
            )
        except AlreadyDone as error:
            db.session.rollback()
            flash(error.message, "info")
            return redirect(
                url_for("timebank.member", timebank_id=timebank.id, account_id=account.id)
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"{account.name} is approved.", "success")
            return redirect(
                url_for("timebank.member", timebank_id=timebank.id, account_id=account.id)
            )
    return render_template(
        "timebank/member.html",
        timebank=timebank,
        account=account,
        form=form,
        lines=services.statement(account),
        reversed_ids=services.reversed_ids(timebank),
        reverse_form=ReverseForm(),
        button=FlaskForm(),
    ), (400 if form.errors else 200)


@bp.post("/timebanks/<int:timebank_id>/members/<int:account_id>/suspend")
@login_required
def suspend(timebank_id: int, account_id: int) -> ResponseReturnValue:
    timebank = _bank(timebank_id)
    _coordinator_only(timebank)
    account = _account_in(timebank, account_id)
    if account is None or not FlaskForm().validate_on_submit():
        abort(404)
    suspended = request.form.get("suspend") == "1"
    return perform(
        lambda: services.suspend(actor=current_user, account=account, suspended=suspended),
        done=f"{account.name} is {'suspended' if suspended else 'reinstated'}.",
        back=url_for("timebank.member", timebank_id=timebank.id, account_id=account.id),
    )


@bp.get("/timebanks/<int:timebank_id>/listings")
@login_required
def listings(timebank_id: int) -> ResponseReturnValue:
    timebank = _bank(timebank_id)
    account = services.account_of(current_user, timebank)
    if account is None and not services.coordinates(current_user, timebank):
        abort(404)
    args = {k: request.args.get(k, "")[:100] for k in ("kind", "category", "q", "area")}
    found = services.search(
        timebank, kind=args["kind"], category=args["category"], text=args["q"], area=args["area"]
    )
    return render_template(
        "timebank/listings.html",
        timebank=timebank,
        listings=found,
        args=args,
        categories=CATEGORIES,
        account=account,
    )


@bp.route("/timebanks/<int:timebank_id>/listings/new", methods=["GET", "POST"])
@login_required
def new_listing(timebank_id: int) -> ResponseReturnValue:
    timebank = _bank(timebank_id)
    if services.account_of(current_user, timebank) is None:
        abort(404)
    form = ListingForm()
    if not form.key.data:
        form.key.data = uuid.uuid4().hex  # a fresh one-time key each time the form is shown
    if form.validate_on_submit():
        try:
            listing = services.post_listing(
                user=current_user,
                timebank=timebank,
                values={f.name: f.data for f in form if f.name not in ("csrf_token", "submit")},
            )
        except AlreadyDone as error:
            db.session.rollback()
            flash(error.message, "info")
            return redirect(url_for("timebank.listings", timebank_id=timebank.id))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Posted.", "success")
            return redirect(url_for("timebank.listing", listing_id=listing.id))
    return render_template("timebank/listing_form.html", form=form, timebank=timebank), (
        400 if form.errors else 200
    )


def _listing(listing_id: int) -> tuple[Listing, TimeBank, Account | None, bool]:
    listing = db.session.get(Listing, listing_id)
    if listing is None:
        abort(404)
    timebank = _bank(listing.timebank_id)
    account = services.account_of(current_user, timebank)
    coordinator = services.coordinates(current_user, timebank)
    if account is None and not coordinator:
        abort(404)
    return listing, timebank, account, coordinator


@bp.get("/listings/<int:listing_id>")
@login_required
def listing(listing_id: int) -> ResponseReturnValue:
    found, timebank, account, coordinator = _listing(listing_id)
    matches = list(db.session.scalars(select(Match).where(Match.listing_id == found.id)))
    own = account is not None and account.id == found.account_id
    visible = [m for m in matches if own or coordinator or (account and m.account_id == account.id)]
    return render_template(
        "timebank/listing.html",
        listing=found,
        timebank=timebank,
        account=account,
        own=own,
        coordinator=coordinator,
        matches=visible,
        responded=any(account and m.account_id == account.id for m in matches),
        members=_member_choices(timebank, exclude=found.account_id) if coordinator else [],
        button=FlaskForm(),
    )


@bp.post("/listings/<int:listing_id>/respond")
@login_required
def respond(listing_id: int) -> ResponseReturnValue:
    found, _timebank, _account, _coordinator = _listing(listing_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    message = form_text("message", multiline=True)
    return perform(
        lambda: services.respond(user=current_user, listing=found, message=message),
        done="Sent. Your details are shared only once they agree.",
        back=url_for("timebank.listing", listing_id=found.id),
    )


@bp.post("/listings/<int:listing_id>/broker")
@login_required
def broker(listing_id: int) -> ResponseReturnValue:
    found, timebank, _account, coordinator = _listing(listing_id)
    if not coordinator or not FlaskForm().validate_on_submit():
        abort(404)
    other = _account_in(timebank, form_id("member"))
    back = url_for("timebank.listing", listing_id=found.id)
    if other is None:
        flash("Choose a member of this time bank", "error")
        return redirect(back)
    return perform(
        lambda: services.broker(actor=current_user, listing=found, account=other),
        done="Match suggested: both members are asked to agree.",
        back=back,
    )


@bp.post("/listings/<int:listing_id>/close")
@login_required
def close(listing_id: int) -> ResponseReturnValue:
    found, _timebank, _account, _coordinator = _listing(listing_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: services.close_listing(user=current_user, listing=found),
        done="Closed.",
        back=url_for("timebank.listing", listing_id=found.id),
    )


@bp.post("/matches/<int:match_id>/<choice>")
@login_required
def agree(match_id: int, choice: str) -> ResponseReturnValue:
    match = db.session.get(Match, match_id)
    if choice not in ("agree", "decline") or match is None or not FlaskForm().validate_on_submit():
        abort(404)
    return perform(
        lambda: services.agree(user=current_user, match=match, agreed=choice == "agree"),
        done="Thank you." if choice == "agree" else "Declined.",
        back=url_for("timebank.listing", listing_id=match.listing_id),
    )


@bp.route("/timebanks/<int:timebank_id>/exchanges/new", methods=["GET", "POST"])
@login_required
def record(timebank_id: int) -> ResponseReturnValue:
    timebank = _bank(timebank_id)
    account = services.account_of(current_user, timebank)
    if account is None:
        abort(404)
    form = ExchangeForm()
    form.member.choices = _member_choices(timebank, exclude=account.id)
    if form.validate_on_submit():
        other = _account_in(timebank, form.member.data)

        def record_it() -> None:
            if other is None:
                raise DomainError("Choose the other member", field="member")
            services.record_exchange(
                user=current_user,
                timebank=timebank,
                other=other,
                i_gave=form.direction.data == "gave",
                done_on=form.done_on.data,
                minutes=services.hours_to_minutes(form.hours.data),
                description=form.description.data or "",
                key=form.key.data or "",
                today=date.today(),
            )

        done = _submit_keyed(
            form,
            record_it,
            done=f"Recorded. {other.name if other else ''} is asked to confirm it.",
            duplicate="This exchange was already recorded.",
            back=url_for("timebank.home", timebank_id=timebank.id),
        )
        if done is not None:
            return done
    _new_key(form)
    return render_template("timebank/exchange.html", form=form, timebank=timebank), (
        400 if form.errors else 200
    )


@bp.route("/timebanks/<int:timebank_id>/exchanges/both", methods=["GET", "POST"])
@login_required
def record_both(timebank_id: int) -> ResponseReturnValue:
    timebank = _bank(timebank_id)
    _coordinator_only(timebank)
    form = BothForm()
    form.giver.choices = form.receiver.choices = _member_choices(timebank)
    if form.validate_on_submit():
        giver = _account_in(timebank, form.giver.data)
        receiver = _account_in(timebank, form.receiver.data)

        def record_it() -> None:
            if giver is None or receiver is None:
                raise DomainError("Choose both members", field="giver")
            services.record_for_both(
                actor=current_user,
                timebank=timebank,
                giver=giver,
                receiver=receiver,
                done_on=form.done_on.data,
                minutes=services.hours_to_minutes(form.hours.data),
                description=form.description.data or "",
                key=form.key.data or "",
                today=date.today(),
            )

        done = _submit_keyed(
            form,
            record_it,
            done="Exchange recorded and confirmed.",
            duplicate="This exchange was already recorded.",
            back=url_for("timebank.coordinate", timebank_id=timebank.id),
        )
        if done is not None:
            return done
    _new_key(form)
    return render_template("timebank/both.html", form=form, timebank=timebank), (
        400 if form.errors else 200
    )


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


@bp.route("/timebanks/<int:timebank_id>/pot/<kind>", methods=["GET", "POST"])
@login_required
def pot(timebank_id: int, kind: str) -> ResponseReturnValue:
    timebank = _bank(timebank_id)
    if kind not in ("donate", "grant"):
        abort(404)
    if kind == "grant":
        _coordinator_only(timebank)
    elif services.account_of(current_user, timebank) is None:
        abort(404)
    form = PotForm()
    form.member.choices = _member_choices(timebank)
    if form.validate_on_submit():

        def move() -> None:
            minutes = services.hours_to_minutes(form.hours.data)
            if kind == "donate":
                services.donate(
                    user=current_user,
                    timebank=timebank,
                    minutes=minutes,
                    key=form.key.data or "",
                    today=date.today(),
                )
                return
            account = _account_in(timebank, form.member.data)
            if account is None:
                raise DomainError("Choose the member", field="member")
            services.grant(
                actor=current_user,
                timebank=timebank,
                account=account,
                minutes=minutes,
                reason=form.reason.data or "",
                key=form.key.data or "",
                today=date.today(),
            )

        done = _submit_keyed(
            form,
            move,
            done="Thank you: donated to the community pot." if kind == "donate" else "Granted.",
            duplicate="This was already recorded.",
            back=url_for(
                "timebank.home" if kind == "donate" else "timebank.coordinate",
                timebank_id=timebank.id,
            ),
        )
        if done is not None:
            return done
    _new_key(form)
    return render_template(
        "timebank/pot.html", form=form, timebank=timebank, kind=kind, pot=services.pot_of(timebank)
    ), (400 if form.errors else 200)


@bp.post("/transfers/<int:transfer_id>/reverse")
@login_required
def reverse(transfer_id: int) -> ResponseReturnValue:
    transfer = db.session.get(Transfer, transfer_id)
    if transfer is None:
        abort(404)
    timebank = _bank(transfer.timebank_id)
    _coordinator_only(timebank)
    form = ReverseForm()
    back = local_target(
        form_text("back"),
        url_for("timebank.coordinate", timebank_id=timebank.id),
        under="/timebanks/",
    )
    if not form.validate_on_submit():
        flash("Say why the transfer is reversed", "error")
        return redirect(back)
    return perform(
        lambda: services.reverse(
            actor=current_user, transfer=transfer, reason=form.reason.data or "", today=date.today()
        ),
        done="Reversed: a linked reversal is recorded.",
        back=back,
    )


@bp.get("/timebanks/<int:timebank_id>/accounts/<int:account_id>/statement")
@bp.get("/timebanks/<int:timebank_id>/accounts/<int:account_id>/statement.<fmt>")
@login_required
def statement(timebank_id: int, account_id: int, fmt: str = "html") -> ResponseReturnValue:
    timebank = _bank(timebank_id)
    account = _account_in(timebank, account_id)
    if account is None or fmt not in ("html", "csv", "pdf"):
        abort(404)
    own = account.user_id == current_user.id
    if not (own or services.coordinates(current_user, timebank)):
        abort(404)
    if fmt == "csv":
        rows = [["date", "what", "with", "hours", "balance"]] + [
            [
                line.done_on.isoformat(),
                line.description or line.kind,
                line.counterpart,
                hours_text(line.minutes),
                hours_text(line.balance_after),
            ]
            for line in reversed(services.statement(account, limit=None))
        ]
        return Response(
            write_csv(rows),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f"attachment; filename=timebank-statement-{account.id}.csv"
            },
        )
    if fmt == "pdf":
        from weasyprint import HTML

        html = render_template(
            "timebank/statement_pdf.html",
            timebank=timebank,
            account=account,
            lines=list(reversed(services.statement(account, limit=None))),
            today=date.today(),
        )
        return Response(
            HTML(string=html, base_url=str(ROOT)).write_pdf(),
            mimetype="application/pdf",
            headers={
                "Content-Disposition": f"attachment; filename=timebank-statement-{account.id}.pdf"
            },
        )
    lines = services.statement(account, before=arg_int("before"))
    return render_template(
        "timebank/statement.html",
        timebank=timebank,
        account=account,
        lines=lines,
        more=len(lines) == services.STATEMENT_PAGE,
    )
