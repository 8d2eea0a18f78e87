"""Time bank pages: joining, offers and requests, exchanges, the pot, statements, and the
coordinator's view. Every page loads its objects and checks who may see them through the
loaders below (404 for anyone else), validates a form, calls one service and commits once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from wtforms import Field

from volunteer_hub.accounts.models import User
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import FlaskForm, attach_error, perform
from volunteer_hub.core.inputs import arg_int, to_id
from volunteer_hub.core.redirects import local_target
from volunteer_hub.core.tabular import write_csv
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.timebank import queries, services
from volunteer_hub.timebank.forms import (
    ApproveForm,
    BothForm,
    BrokerForm,
    CoordinatorForm,
    ExchangeForm,
    JoinForm,
    ListingForm,
    MemberForm,
    PotForm,
    RespondForm,
    ReverseForm,
    SuspendForm,
    TimeBankForm,
    member_choices,
)
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
from volunteer_hub.timebank.rules import hours_to_minutes

bp = Blueprint("timebank", __name__)
ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")

# --- loading and permissions: one place -------------------------------------------------------


def _get(model: type[T], object_id: int) -> T:
    found = db.session.get(model, object_id)
    if found is None:
        abort(404)
    return found


def _bank(timebank_id: int) -> TimeBank:
    return _get(TimeBank, timebank_id)


def _coordinated(timebank_id: int) -> TimeBank:
    """A time bank the current user coordinates (404 for anyone else)."""
    timebank = _bank(timebank_id)
    if not queries.coordinates(current_user, timebank):
        abort(404)
    return timebank


def _member_of(timebank_id: int) -> tuple[TimeBank, Account]:
    """A time bank and the current user's account in it (any status; 404 without one)."""
    timebank = _bank(timebank_id)
    account = queries.account_of(current_user, timebank)
    if account is None:
        abort(404)
    return timebank, account


def _coordinated_member(timebank_id: int, account_id: int) -> tuple[TimeBank, Account]:
    """A member's page: the time bank's coordinators only, the account in that time bank."""
    timebank = _coordinated(timebank_id)
    account = queries.account_in(timebank, account_id)
    if account is None:
        abort(404)
    return timebank, account


def _listing(listing_id: int) -> tuple[Listing, TimeBank, Account | None, bool]:
    """A listing, for the time bank's members and coordinators: with the user's account there
    (if any) and whether they coordinate it."""
    listing = _get(Listing, listing_id)
    timebank = _bank(listing.timebank_id)
    account = queries.account_of(current_user, timebank)
    coordinator = queries.coordinates(current_user, timebank)
    if account is None and not coordinator:
        abort(404)
    return listing, timebank, account, coordinator


def _posted(form: FlaskForm) -> FlaskForm:
    """A button's small form, valid or 400 (a field with control characters: 400 too)."""
    if not form.validate_on_submit():
        abort(400)
    return form


def _posted_id(field: Field) -> int | None:
    """A posted id: None when empty, 400 when it is not one."""
    if not field.data:
        return None
    value = to_id(field.data)
    if value is None:
        abort(400)
    return value


# --- saving a form ----------------------------------------------------------------------------


def _saved(
    form: FlaskForm,
    action: Callable[[], T],
    after: Callable[[T], tuple[str, str]],
    *,
    already: str | None = None,
) -> ResponseReturnValue | None:
    """Call one service and commit; ``after`` says what to flash and where to go. A DomainError
    rolls back and is shown on the form (None: render the form again); with ``already``, an
    AlreadyDone (a double click) is said politely and goes there instead."""
    try:
        result = action()
    except AlreadyDone as error:
        db.session.rollback()
        if already is None:
            attach_error(form, error)
            return None
        flash(error.message, "info")
        return redirect(already)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return None
    db.session.commit()
    message, back = after(result)
    flash(message, "success")
    return redirect(back)


def _submit_keyed(
    form: FlaskForm, action: Callable[[], object], *, done: str, duplicate: str, back: str
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


def _page(template: str, form: FlaskForm, **context: Any) -> ResponseReturnValue:
    """A form's page: 400 when it is shown again with errors."""
    return render_template(template, form=form, **context), (400 if form.errors else 200)


def _keyed_page(template: str, form: FlaskForm, **context: Any) -> ResponseReturnValue:
    """A form that records under an idempotency key: a fresh key for each form shown (kept when
    it is shown again with errors)."""
    if not form.key.data:
        form.key.data = uuid.uuid4().hex
    return _page(template, form, **context)


def _members(timebank: TimeBank, exclude: int | None = None) -> list[tuple[str, str]]:
    """The approved members as (value, label) pairs for a hand-written select."""
    return [(c.value, c.label) for c in member_choices(queries.approved_members(timebank, exclude))]


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
        done = _saved(
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
    return _page("timebank/form.html", form, timebank=None)


@bp.route("/timebanks/<int:timebank_id>/settings", methods=["GET", "POST"])
@login_required
def settings(timebank_id: int) -> ResponseReturnValue:
    timebank = _bank(timebank_id)
    if not (current_user.is_admin or queries.coordinates(current_user, timebank)):
        abort(404)
    form = TimeBankForm(obj=timebank)
    if request.method == "GET":
        form.min_hours.data = hours_text(timebank.min_balance_minutes)
        form.max_hours.data = (
            hours_text(timebank.max_balance_minutes) if timebank.max_balance_minutes else ""
        )
    if form.validate_on_submit():
        done = _saved(
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
    return _page(
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
    timebank = _bank(timebank_id)
    form = CoordinatorForm()
    if not current_user.is_admin or not form.validate_on_submit():
        abort(400 if current_user.is_admin and form.user.errors else 404)
    user_id = _posted_id(form.user)
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
    home = url_for("timebank.home", timebank_id=timebank.id)
    if queries.account_of(current_user, timebank) is not None:
        return redirect(home)
    form = JoinForm()
    if form.validate_on_submit():
        done = _saved(
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
    return _page("timebank/join.html", form, timebank=timebank)


@bp.get("/timebanks/<int:timebank_id>")
@login_required
def home(timebank_id: int) -> ResponseReturnValue:
    timebank = _bank(timebank_id)
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
    timebank = _coordinated(timebank_id)
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
    timebank = _coordinated(timebank_id)
    form = MemberForm()
    if form.validate_on_submit():
        done = _saved(
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
    return _page("timebank/member_form.html", form, timebank=timebank)


@bp.route("/timebanks/<int:timebank_id>/members/<int:account_id>", methods=["GET", "POST"])
@login_required
def member(timebank_id: int, account_id: int) -> ResponseReturnValue:
    timebank, account = _coordinated_member(timebank_id, account_id)
    here = url_for("timebank.member", timebank_id=timebank.id, account_id=account.id)
    form = ApproveForm()
    if form.validate_on_submit():
        done = _saved(
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
    return _page(
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
    timebank, account = _coordinated_member(timebank_id, account_id)
    form = SuspendForm()
    if not form.validate_on_submit():
        abort(400 if form.suspend.errors else 404)
    suspended = form.suspend.data == "1"
    return perform(
        lambda: services.suspend(actor=current_user, account=account, suspended=suspended),
        done=f"{account.name} is {'suspended' if suspended else 'reinstated'}.",
        back=url_for("timebank.member", timebank_id=timebank.id, account_id=account.id),
    )


# --- offers, requests and matches -------------------------------------------------------------


@bp.get("/timebanks/<int:timebank_id>/listings")
@login_required
def listings(timebank_id: int) -> ResponseReturnValue:
    timebank = _bank(timebank_id)
    account = queries.account_of(current_user, timebank)
    if account is None and not queries.coordinates(current_user, timebank):
        abort(404)
    args = {k: request.args.get(k, "")[:100] for k in ("kind", "category", "q", "area")}
    found = queries.search(
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
    timebank, _account = _member_of(timebank_id)
    form = ListingForm()
    if not form.key.data:
        form.key.data = uuid.uuid4().hex  # a fresh one-time key each time the form is shown
    if form.validate_on_submit():
        done = _saved(
            form,
            lambda: services.post_listing(
                user=current_user,
                timebank=timebank,
                values={f.name: f.data for f in form if f.name not in ("csrf_token", "submit")},
            ),
            lambda listing: ("Posted.", url_for("timebank.listing", listing_id=listing.id)),
            already=url_for("timebank.listings", timebank_id=timebank.id),
        )
        if done is not None:
            return done
    return _page("timebank/listing_form.html", form, timebank=timebank)


@bp.get("/listings/<int:listing_id>")
@login_required
def listing(listing_id: int) -> ResponseReturnValue:
    found, timebank, account, coordinator = _listing(listing_id)
    matches = queries.matches_of(found)
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
        members=_members(timebank, exclude=found.account_id) if coordinator else [],
        button=FlaskForm(),
    )


@bp.post("/listings/<int:listing_id>/respond")
@login_required
def respond(listing_id: int) -> ResponseReturnValue:
    found = _listing(listing_id)[0]
    message = _posted(RespondForm()).message.data or ""
    return perform(
        lambda: services.respond(user=current_user, listing=found, message=message),
        done="Sent. Your details are shared only once they agree.",
        back=url_for("timebank.listing", listing_id=found.id),
    )


@bp.post("/listings/<int:listing_id>/broker")
@login_required
def broker(listing_id: int) -> ResponseReturnValue:
    found, timebank, _account, coordinator = _listing(listing_id)
    form = BrokerForm()
    if not coordinator or not form.validate_on_submit():
        abort(400 if coordinator and form.member.errors else 404)
    other = queries.account_in(timebank, _posted_id(form.member))
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
    found = _listing(listing_id)[0]
    _posted(FlaskForm())
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


# --- exchanges, the pot, reversals ------------------------------------------------------------


@bp.route("/timebanks/<int:timebank_id>/exchanges/new", methods=["GET", "POST"])
@login_required
def record(timebank_id: int) -> ResponseReturnValue:
    timebank, account = _member_of(timebank_id)
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

        done = _submit_keyed(
            form,
            record_it,
            done=f"Recorded. {other.name if other else ''} is asked to confirm it.",
            duplicate="This exchange was already recorded.",
            back=url_for("timebank.home", timebank_id=timebank.id),
        )
        if done is not None:
            return done
    return _keyed_page("timebank/exchange.html", form, timebank=timebank)


@bp.route("/timebanks/<int:timebank_id>/exchanges/both", methods=["GET", "POST"])
@login_required
def record_both(timebank_id: int) -> ResponseReturnValue:
    timebank = _coordinated(timebank_id)
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

        done = _submit_keyed(
            form,
            record_it,
            done="Exchange recorded and confirmed.",
            duplicate="This exchange was already recorded.",
            back=url_for("timebank.coordinate", timebank_id=timebank.id),
        )
        if done is not None:
            return done
    return _keyed_page("timebank/both.html", form, timebank=timebank)


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
    timebank = _bank(timebank_id)
    if kind not in ("donate", "grant"):
        abort(404)
    if kind == "grant":
        _coordinated(timebank_id)
    elif queries.account_of(current_user, timebank) is None:
        abort(404)
    form = PotForm()
    form.member.choices = member_choices(queries.approved_members(timebank))
    if form.validate_on_submit():
        done = _submit_keyed(
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
    return _keyed_page(
        "timebank/pot.html", form, timebank=timebank, kind=kind, pot=services.pot_of(timebank)
    )


@bp.post("/transfers/<int:transfer_id>/reverse")
@login_required
def reverse(transfer_id: int) -> ResponseReturnValue:
    transfer = _get(Transfer, transfer_id)
    timebank = _coordinated(transfer.timebank_id)
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
    timebank = _bank(timebank_id)
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
