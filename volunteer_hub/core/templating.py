"""Jinja set-up: the app's templates plus the GOV.UK Frontend macro packages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Flask, current_app, get_flashed_messages
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

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


def thousands(value: object) -> str:
    """'107760.00' → '107,760.00' for people to read (exports keep plain numbers)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places = -number.as_tuple().exponent if number.as_tuple().exponent < 0 else 0  # type: ignore[operator]
    return f"{number:,.{places}f}"


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
    app.jinja_env.filters["thousands"] = thousands

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "service_name": current_app.config["SERVICE_NAME"],
            "centre_name": current_app.config["CENTRE_NAME"],
            "notification_banners": notification_banners,
        }
