"""Jinja set-up: the app's templates plus the GOV.UK Frontend macro packages."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping, MutableMapping
from typing import Any

from flask import Blueprint, Flask, current_app, get_flashed_messages
from flask.blueprints import BlueprintSetupState
from flask.templating import Environment as FlaskEnvironment
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from volunteer_hub.core import formatting

#: Flash categories and the notification banner type each maps to.
BANNER_TYPES = {"success": "success", "info": None, "message": None, "error": None}


class TemplateGlobals(ChainMap[str, Any]):
    """A template's globals (its own over the environment's), as Jinja makes them, with
    ``keys()`` a plain set of the keys at the time of the call.

    Jinja checks, at every ``{% import %}`` and ``{% from … import %}`` (the GOV.UK macros
    run several inside every component call, so a page runs hundreds), whether the importing
    template has globals the imported one lacks: ``set - globals.keys()``. On a ChainMap's
    keys view that is a Python-level membership test per key through every map, about 60 µs
    an import with this app's globals: 10–20% of drawing a page (profiled on the sign-in page,
    the claim page and the search). A set makes it one C-level set difference. The answer
    is the same; Jinja asks that globals are not changed once templates are loaded, and
    this app adds them only while it is created."""

    def keys(self) -> set[str]:  # type: ignore[override]
        return set().union(*self.maps)


class Environment(FlaskEnvironment):
    """Flask's Jinja environment, its templates' globals a :class:`TemplateGlobals`."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return TemplateGlobals({} if d is None else d, self.globals)


def notification_banners() -> list[dict[str, Any]]:
    """Flashed messages as parameters for ``govukNotificationBanner``."""
    banners = []
    flashed: list[tuple[str, str]] = get_flashed_messages(with_categories=True)  # type: ignore[assignment]
    for category, message in flashed:
        banner_type = BANNER_TYPES.get(category)
        params: dict[str, Any] = {"text": message}
        if banner_type == "success":
            params["type"] = "success"
            params["titleText"] = "Success"
            params["attributes"] = {"role": "alert"}
        elif category == "error":
            params["titleText"] = "There is a problem"
        banners.append(params)
    return banners


def register_labels(bp: Blueprint, **labels: Mapping[str, str]) -> None:
    """Make a domain's labels for its codes (``stage_labels={'applied': 'Applied', ...}``)
    template globals, for ``{{ application.stage | label(stage_labels) }}``. A domain calls it
    beside its blueprint, so core knows no domain."""

    def _register(state: BlueprintSetupState) -> None:
        state.app.jinja_env.globals.update(labels)

    bp.record_once(_register)


def init_app(app: Flask) -> None:
    assert app.jinja_loader is not None
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    WTFormsHelpers(app)
    # Everything people read goes through these (see core/formatting.py): no ISO dates,
    # "(s)" plurals or raw codes on a page, a PDF or in an email.
    app.jinja_env.filters.update(formatting.FILTERS)
    app.jinja_env.tests.update(formatting.TESTS)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "service_name": current_app.config["SERVICE_NAME"],
            "centre_name": current_app.config["CENTRE_NAME"],
            "notification_banners": notification_banners,
        }
