"""Jinja set-up: the app's templates plus the GOV.UK Frontend macro packages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, current_app, get_flashed_messages
from flask.blueprints import BlueprintSetupState
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from volunteer_hub.core import formatting

#: Flash categories and the notification banner type each maps to.
BANNER_TYPES = {"success": "success", "info": None, "message": None, "error": None}


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
