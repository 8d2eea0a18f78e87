"""Public opportunity search and role pages."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from volunteer_hub.organisations.models import DbsLevel
from volunteer_hub.organisations.roles import active_categories, latest_version
from volunteer_hub.recruitment.queries import SORTS, SearchFilters, search, visible_role

bp = Blueprint("recruitment", __name__)


def _flag(name: str) -> bool:
    return request.args.get(name) in {"1", "yes", "on", "true"}


def _page() -> int:
    raw = request.args.get("page", "1")
    return max(1, min(int(raw), 10_000)) if raw.isdigit() else 1


@bp.get("/opportunities")
def opportunities() -> ResponseReturnValue:
    categories = active_categories()
    keys = {c.key for c in categories}
    category = request.args.get("category", "")
    filters = SearchFilters(
        keyword=(request.args.get("q") or "").strip()[:200],
        category=category if category in keys else "",
        commitment=request.args.get("commitment", "")
        if request.args.get("commitment") in {"regular", "one_off"}
        else "",
        remote=_flag("remote"),
        under_18=_flag("under_18"),
        starting_soon=_flag("starting_soon"),
        sort=request.args.get("sort", "newest") if request.args.get("sort") in SORTS else "newest",
        page=_page(),
    )
    results = search(filters, date.today())
    query = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "recruitment/search.html",
        filters=filters,
        results=results,
        categories=categories,
        sorts=SORTS,
        query=query,
    )


@bp.get("/opportunities/<slug>")
def opportunity(slug: str) -> ResponseReturnValue:
    role = visible_role(slug, date.today())
    if role is None:
        abort(404)
    version = latest_version(role)
    if version is None:
        abort(404)
    content = version.content
    dbs_label = DbsLevel(content.get("dbs_level") or "none").label
    return render_template(
        "recruitment/opportunity.html",
        role=role,
        version=version,
        task=content,
        dbs_label=dbs_label,
    )
