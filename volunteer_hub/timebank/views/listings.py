"""Offers and requests: searching, posting, responding, brokered matches and closing."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from volunteer_hub.core.forms import FlaskForm, perform
from volunteer_hub.extensions import db
from volunteer_hub.timebank import queries, services
from volunteer_hub.timebank.forms import (
    BrokerForm,
    ListingForm,
    RespondForm,
)
from volunteer_hub.timebank.models import (
    CATEGORIES,
    Match,
)
from volunteer_hub.timebank.views import (
    bp,
    form_page,
    load_bank,
    load_listing,
    load_membership,
    member_pairs,
    posted_form,
    posted_id,
    save_form,
)

# --- offers, requests and matches -------------------------------------------------------------


@bp.get("/timebanks/<int:timebank_id>/listings")
@login_required
def listings(timebank_id: int) -> ResponseReturnValue:
    timebank = load_bank(timebank_id)
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
    timebank, _account = load_membership(timebank_id)
    form = ListingForm()
    if not form.key.data:
        form.key.data = uuid.uuid4().hex  # a fresh one-time key each time the form is shown
    if form.validate_on_submit():
        done = save_form(
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
    return form_page("timebank/listing_form.html", form, timebank=timebank)


@bp.get("/listings/<int:listing_id>")
@login_required
def listing(listing_id: int) -> ResponseReturnValue:
    found, timebank, account, coordinator = load_listing(listing_id)
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
        members=member_pairs(timebank, exclude=found.account_id) if coordinator else [],
        button=FlaskForm(),
    )


@bp.post("/listings/<int:listing_id>/respond")
@login_required
def respond(listing_id: int) -> ResponseReturnValue:
    found = load_listing(listing_id)[0]
    message = posted_form(RespondForm()).message.data or ""
    return perform(
        lambda: services.respond(user=current_user, listing=found, message=message),
        done="Sent. Your details are shared only once they agree.",
        back=url_for("timebank.listing", listing_id=found.id),
    )


@bp.post("/listings/<int:listing_id>/broker")
@login_required
def broker(listing_id: int) -> ResponseReturnValue:
    found, timebank, _account, coordinator = load_listing(listing_id)
    form = BrokerForm()
    if not coordinator or not form.validate_on_submit():
        abort(400 if coordinator and form.member.errors else 404)
    other = queries.account_in(timebank, posted_id(form.member))
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
    found = load_listing(listing_id)[0]
    posted_form(FlaskForm())
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
