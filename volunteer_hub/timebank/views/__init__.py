"""Time bank pages: joining, offers and requests, exchanges, the pot, statements, and the
coordinator's view. One blueprint in three modules (:mod:`.members`, :mod:`.listings`,
:mod:`.exchanges`); every page loads its objects and checks who may see them through the
loaders here (404 for anyone else), validates a form, calls one service and commits once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import Field

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import FlaskForm, attach_error
from volunteer_hub.core.inputs import to_id
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.timebank import queries
from volunteer_hub.timebank.forms import member_choices
from volunteer_hub.timebank.ledger import Duplicate
from volunteer_hub.timebank.models import Account, Listing, TimeBank

bp = Blueprint("timebank", __name__)
T = TypeVar("T")

# --- loading and permissions: one place -------------------------------------------------------


def load(model: type[T], object_id: int) -> T:
    found = db.session.get(model, object_id)
    if found is None:
        abort(404)
    return found


def load_bank(timebank_id: int) -> TimeBank:
    return load(TimeBank, timebank_id)


def load_coordinated(timebank_id: int) -> TimeBank:
    """A time bank the current user coordinates (404 for anyone else)."""
    timebank = load_bank(timebank_id)
    if not queries.coordinates(current_user, timebank):
        abort(404)
    return timebank


def load_membership(timebank_id: int) -> tuple[TimeBank, Account]:
    """A time bank and the current user's account in it (any status; 404 without one)."""
    timebank = load_bank(timebank_id)
    account = queries.account_of(current_user, timebank)
    if account is None:
        abort(404)
    return timebank, account


def load_member(timebank_id: int, account_id: int) -> tuple[TimeBank, Account]:
    """A member's page: the time bank's coordinators only, the account in that time bank."""
    timebank = load_coordinated(timebank_id)
    account = queries.account_in(timebank, account_id)
    if account is None:
        abort(404)
    return timebank, account


def load_listing(listing_id: int) -> tuple[Listing, TimeBank, Account | None, bool]:
    """A listing, for the time bank's members and coordinators: with the user's account there
    (if any) and whether they coordinate it."""
    listing = load(Listing, listing_id)
    timebank = load_bank(listing.timebank_id)
    account = queries.account_of(current_user, timebank)
    coordinator = queries.coordinates(current_user, timebank)
    if account is None and not coordinator:
        abort(404)
    return listing, timebank, account, coordinator


def posted_form(form: FlaskForm) -> FlaskForm:
    """A button's small form, valid or 400 (a field with control characters: 400 too)."""
    if not form.validate_on_submit():
        abort(400)
    return form


def posted_id(field: Field) -> int | None:
    """A posted id: None when empty, 400 when it is not one."""
    if not field.data:
        return None
    value = to_id(field.data)
    if value is None:
        abort(400)
    return value


# --- saving a form ----------------------------------------------------------------------------


def save_form(
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


def save_keyed(
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


def form_page(template: str, form: FlaskForm, **context: Any) -> ResponseReturnValue:
    """A form's page: 400 when it is shown again with errors."""
    return render_template(template, form=form, **context), (400 if form.errors else 200)


def keyed_page(template: str, form: FlaskForm, **context: Any) -> ResponseReturnValue:
    """A form that records under an idempotency key: a fresh key for each form shown (kept when
    it is shown again with errors)."""
    if not form.key.data:
        form.key.data = uuid.uuid4().hex
    return form_page(template, form, **context)


def member_pairs(timebank: TimeBank, exclude: int | None = None) -> list[tuple[str, str]]:
    """The approved members as (value, label) pairs for a hand-written select."""
    return [(c.value, c.label) for c in member_choices(queries.approved_members(timebank, exclude))]


from volunteer_hub.timebank.views import exchanges, listings, members  # noqa: E402  (routes)

__all__ = ["bp", "exchanges", "listings", "members"]
