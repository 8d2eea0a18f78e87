"""One-to-one threads: the inbox, a thread and its reply form, starting a thread, time-bank
contact, the time bank coordinator's record of contacts, and email preferences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from volunteer_hub.accounts.permissions import get_or_404, role_required
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import FlaskForm, attach_error, perform
from volunteer_hub.core.inputs import to_id
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.messaging import queries, services
from volunteer_hub.messaging.forms import ContactForm, MessageForm, NewThreadForm, PreferenceForm
from volunteer_hub.messaging.models import MAX_BODY, Thread
from volunteer_hub.messaging.views import bp
from volunteer_hub.timebank import queries as timebank_queries
from volunteer_hub.timebank.models import Listing, TimeBank


def _send(
    form: FlaskForm, action: Callable[[], Thread | Any], where: Callable[[], str]
) -> ResponseReturnValue | None:
    """Call one service and commit; a double click (AlreadyDone) goes to ``where()`` with
    "already sent"; a DomainError is shown on the form (None: render the page again)."""
    try:
        result = action()
    except AlreadyDone as error:
        db.session.rollback()
        flash(error.message, "info")
        return redirect(where())
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return None
    db.session.commit()
    flash("Your message is sent.", "success")
    thread_id = result.id if isinstance(result, Thread) else result.thread_id
    return redirect(url_for("messaging.thread", thread_id=thread_id))


@bp.get("/inbox")
@login_required
def inbox() -> ResponseReturnValue:
    lines = queries.inbox(current_user)
    return render_template(
        "messaging/inbox.html", lines=lines, unread=sum(line.unread for line in lines)
    )


@bp.route("/messages/<int:thread_id>", methods=["GET", "POST"])
@login_required
def thread(thread_id: int) -> ResponseReturnValue:
    found = get_or_404(Thread, thread_id)
    form = ContactForm() if found.kind == "timebank" else MessageForm()
    if request.method == "POST" and form.validate_on_submit():
        done = _send(
            form,
            lambda: services.reply(
                actor=current_user,
                thread=found,
                body=form.body.data or "",
                sensitive=bool(form.sensitive.data) and found.kind != "timebank",
                key=form.key.data,
            ),
            lambda: url_for("messaging.thread", thread_id=found.id),
        )
        if done is not None:
            return done
    elif request.method == "GET":
        services.mark_read(user=current_user, thread=found)
        db.session.commit()
    messages = queries.messages_of(found)
    return render_template(
        "messaging/thread.html",
        thread=found,
        messages=[(m, queries.author_name(m, found)) for m in messages],
        with_whom=queries.other_party(current_user, found),
        about=queries.about(found),
        form=form,
        max_body=MAX_BODY,
        button=FlaskForm(),
    )


@bp.post("/messages/<int:thread_id>/unread")
@login_required
def mark_unread(thread_id: int) -> ResponseReturnValue:
    found = get_or_404(Thread, thread_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: services.mark_unread(user=current_user, thread=found),
        done="Marked as unread.",
        back=url_for("messaging.inbox"),
    )


def _attachment(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    value = to_id(raw)
    if value is None:
        abort(404)
    return value


@bp.route("/messages/new/<int:volunteer_id>", methods=["GET", "POST"])
@role_required("staff")
def new_thread(volunteer_id: int) -> ResponseReturnValue:
    """A coordinator writes first to a volunteer connected to their organisation (the centre:
    to anyone); 404 for anyone else, so nobody learns who exists."""
    volunteer = queries.volunteer_with_account(volunteer_id)
    senders = queries.senders_for(current_user, volunteer) if volunteer is not None else []
    attached = {k: _attachment(k) for k in ("application", "placement", "shift")}
    if volunteer is None or not senders:
        abort(404)
    form = NewThreadForm()
    form.set_senders(senders)
    if request.method == "POST" and form.validate_on_submit():
        key = form.key.data or ""
        done = _send(
            form,
            lambda: services.start(
                actor=current_user,
                volunteer=volunteer,
                sender=form.sender.data or "",
                subject=form.subject.data or "",
                body=form.body.data or "",
                sensitive=bool(form.sensitive.data),
                key=key,
                application_id=attached["application"],
                placement_id=attached["placement"],
                shift_id=attached["shift"],
            ),
            lambda: _after_double_click(key),
        )
        if done is not None:
            return done
    return render_template(
        "messaging/thread_new.html", form=form, volunteer=volunteer, max_body=MAX_BODY
    )


def _after_double_click(key: str) -> str:
    existing = queries.thread_by_key(key)
    if existing is None or not queries.takes_part(current_user, existing):
        return url_for("messaging.inbox")
    return url_for("messaging.thread", thread_id=existing.id)


@bp.route("/timebank/listings/<int:listing_id>/contact", methods=["GET", "POST"])
@login_required
def contact(listing_id: int) -> ResponseReturnValue:
    """A member writes to the member whose listing it is, without seeing their email."""
    listing = db.session.get(Listing, listing_id)
    if listing is None:
        abort(404)
    timebank = db.session.get(TimeBank, listing.timebank_id)
    account = timebank_queries.account_of(current_user, timebank) if timebank else None
    if account is None or account.id == listing.account_id:
        abort(404)
    existing = queries.contact_thread(listing, current_user)
    if existing is not None and request.method == "GET":
        return redirect(url_for("messaging.thread", thread_id=existing.id))
    form = ContactForm()
    if request.method == "POST" and form.validate_on_submit():
        done = _send(
            form,
            lambda: services.contact(
                actor=current_user, listing=listing, body=form.body.data or "", key=form.key.data
            ),
            lambda: url_for("messaging.contact", listing_id=listing.id),
        )
        if done is not None:
            return done
    return render_template(
        "messaging/thread_contact.html", form=form, listing=listing, max_body=MAX_BODY
    )


@bp.get("/timebanks/<int:timebank_id>/contacts")
@login_required
def contacts(timebank_id: int) -> ResponseReturnValue:
    """The time bank's coordinators see who contacted whom about which listing, and when:
    never what they wrote."""
    timebank = db.session.get(TimeBank, timebank_id)
    if timebank is None or not timebank_queries.coordinates(current_user, timebank):
        abort(404)
    return render_template(
        "messaging/thread_contacts.html", timebank=timebank, contacts=queries.contacts(timebank)
    )


@bp.route("/messages/preferences", methods=["GET", "POST"])
@login_required
def preferences() -> ResponseReturnValue:
    form = PreferenceForm()
    if request.method == "GET":
        form.email.data = queries.email_preference(current_user.id)
    elif form.validate_on_submit():
        return perform(
            lambda: services.set_preference(user=current_user, email=form.email.data or ""),
            done="Your message settings are saved.",
            back=url_for("messaging.preferences"),
        )
    return render_template("messaging/preferences.html", form=form)
