"""Finding volunteers: the search, saved searches and a found volunteer's page."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.permissions import role_required
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import FlaskForm, attach_error, choices, perform
from volunteer_hub.core.geo import outward_code
from volunteer_hub.extensions import db
from volunteer_hub.matching import queries, services
from volunteer_hub.matching.forms import SEARCH_FIELDS, SaveSearchForm, SearchForm
from volunteer_hub.matching.reach import dbs_organisations
from volunteer_hub.matching.scoring import slot_words
from volunteer_hub.matching.views import bp

STAFF = ("admin", "centre_coordinator", "org_coordinator")


@bp.app_template_filter("outward_code")
def _outward_code(postcode: str | None) -> str:
    """'NB1 4RT' → 'NB1': the area, never the full postcode, on a coordinator's screen."""
    return outward_code(postcode) or ""


@bp.app_template_filter("availability_words")
def _availability_words(slots: list[str] | None) -> str:
    """["sat_morning", "sun_morning"] → "Saturday mornings and Sunday mornings"."""
    words = slot_words([s for s in slots or [] if isinstance(s, str)], limit=4)
    return ", ".join(words)


@bp.app_template_filter("search_query")
def _search_query(params: dict[str, Any]) -> dict[str, Any]:
    """A saved search's arguments as the search page's query string."""
    query: dict[str, Any] = {}
    for key in SEARCH_FIELDS:
        value = params.get(key)
        if value in (None, "", [], False):
            continue
        query[key] = "y" if value is True else value
    return query


def _params(form: SearchForm) -> dict[str, Any]:
    """The validated form as a saved search keeps it."""
    return {
        "skill": (form.skill.data or "").strip(),
        "interest": (form.interest.data or "").strip(),
        "language": (form.language.data or "").strip(),
        "slots": list(form.slots.data or []),
        "postcode": (form.postcode.data or "").strip(),
        "miles": form.miles.data,
        "course": form.course.data,
        "dbs": bool(form.dbs.data),
        "months": form.months.data,
        "min_hours": form.min_hours.data,
    }


def _search_form() -> SearchForm:
    form = SearchForm(formdata=request.args or None)
    form.course.choices = choices(queries.course_choices(), prompt="Any training")
    return form


@bp.get("/matching/volunteers")
@role_required(*STAFF)
def find() -> ResponseReturnValue:
    form = _search_form()
    result = None
    if form.validate():
        try:
            result = queries.run_search(
                current_user, _params(form), date.today(), page=form.page.data or 1
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            if form.dbs.data:
                audit("matching.dbs_searched", actor=current_user, details={"found": result.total})
                db.session.commit()
    query = {k: request.args.getlist(k) for k in SEARCH_FIELDS if k in request.args}
    return render_template(
        "matching/search.html",
        form=form,
        save_form=SaveSearchForm(formdata=None),
        result=result,
        query=query,
        may_search_dbs=dbs_organisations(current_user) != set(),
    ), (400 if form.errors else 200)


@bp.post("/matching/searches")
@role_required(*STAFF)
def save_search() -> ResponseReturnValue:
    form = _search_form()
    save_form = SaveSearchForm()
    query: dict[str, Any] = {k: request.args.getlist(k) for k in SEARCH_FIELDS if k in request.args}
    if not form.validate():
        return redirect(url_for("matching.find", **query))
    if save_form.validate_on_submit():
        try:
            queries.args_from(_params(form))
            saved = services.save_search(
                owner=current_user, name=save_form.name.data or "", params=_params(form)
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(save_form, error)
        else:
            db.session.commit()
            flash(f"Search saved as {saved.name!r}.", "success")
            return redirect(url_for("matching.saved_searches"))
    flash(" ".join(save_form.name.errors) or "Enter a name for the search", "error")
    return redirect(url_for("matching.find", **query))


@bp.get("/matching/searches")
@role_required(*STAFF)
def saved_searches() -> ResponseReturnValue:
    return render_template(
        "matching/saved.html",
        searches=queries.saved_searches_for(current_user),
        delete_form=FlaskForm(),
    )


@bp.post("/matching/searches/<int:saved_search_id>/delete")
@role_required(*STAFF)
def delete_search(saved_search_id: int) -> ResponseReturnValue:
    saved = queries.saved_search(saved_search_id, current_user)
    if saved is None:
        abort(404)
    if not FlaskForm().validate_on_submit():
        return redirect(url_for("matching.saved_searches"))
    name = saved.name
    return perform(
        lambda: services.delete_search(owner=current_user, saved=saved),
        done=f"Search {name!r} deleted.",
        back=url_for("matching.saved_searches"),
    )


@bp.get("/matching/volunteers/<int:volunteer_id>")
@role_required(*STAFF)
def volunteer(volunteer_id: int) -> ResponseReturnValue:
    found = queries.volunteer_in_reach(volunteer_id, current_user)
    if found is None:
        abort(404)
    profile, may_see_dbs = queries.profile_for(found, current_user, date.today())
    return render_template(
        "matching/volunteer.html",
        volunteer=found,
        profile=profile,
        may_see_dbs=may_see_dbs,
        invitations=queries.invitations_of(found.id, current_user),
    )
