"""Volunteer Hub: volunteer centre management for a borough's Compact partners."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from volunteer_hub.config import (
    ROOT,
    ConfigError,
    ensure_bank_details_key,
    ensure_secret_key,
    load_config,
)

__all__ = ["ConfigError", "create_app"]


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the application. No queries, migrations or network calls happen here; the one
    side effects are the instance key files, written on the first start of a development or
    testing instance that has no ``SECRET_KEY`` (and, for development only, no
    ``BANK_DETAILS_KEYS``; see :mod:`volunteer_hub.config`)."""
    config = load_config(overrides)
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=config["INSTANCE_PATH"],
    )
    ensure_secret_key(config)
    ensure_bank_details_key(config)
    app.config.from_mapping(config)
    app.testing = bool(app.config["TESTING"])
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    from volunteer_hub.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), compare_type=True, render_as_batch=True
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from volunteer_hub.core import error_pages, inputs, navigation, security, templating

    inputs.init_app(app)  # before any route: ``<int:...>`` is the range-checked id converter
    templating.init_app(app)
    navigation.init_app(app)
    security.init_app(app)
    error_pages.init_app(app)

    _register_models()

    from volunteer_hub.accounts import auth

    auth.init_app(app)
    _register_blueprints(app)

    from volunteer_hub.cli import register_commands

    register_commands(app)
    return app


def _register_models() -> None:
    """Import every domain's models so metadata (and Alembic) sees all tables."""
    from volunteer_hub.accounts import models as _accounts  # noqa: F401
    from volunteer_hub.api import models as _api  # noqa: F401
    from volunteer_hub.core import geo as _geo  # noqa: F401
    from volunteer_hub.expenses import models as _expenses  # noqa: F401
    from volunteer_hub.expenses import services as _expense_rules  # noqa: F401
    from volunteer_hub.hours import models as _hours  # noqa: F401
    from volunteer_hub.hours import services as _hour_rules  # noqa: F401
    from volunteer_hub.investment import models as _investment  # noqa: F401
    from volunteer_hub.organisations import models as _organisations  # noqa: F401
    from volunteer_hub.organisations import permissions as _organisation_rules  # noqa: F401
    from volunteer_hub.organisations import roles as _role_rules  # noqa: F401
    from volunteer_hub.placements import models as _placements  # noqa: F401
    from volunteer_hub.placements import services as _placement_rules  # noqa: F401
    from volunteer_hub.privacy import models as _privacy  # noqa: F401
    from volunteer_hub.rates import models as _rates  # noqa: F401
    from volunteer_hub.recruitment import models as _recruitment  # noqa: F401
    from volunteer_hub.recruitment import services as _recruitment_rules  # noqa: F401
    from volunteer_hub.reminders import models as _reminders  # noqa: F401
    from volunteer_hub.reports import models as _reports  # noqa: F401
    from volunteer_hub.supervision import models as _supervision  # noqa: F401
    from volunteer_hub.timebank import models as _timebank  # noqa: F401
    from volunteer_hub.training import models as _training  # noqa: F401
    from volunteer_hub.training import services as _training_rules  # noqa: F401
    from volunteer_hub.volunteers import equality as _equality  # noqa: F401
    from volunteer_hub.volunteers import models as _volunteers  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from volunteer_hub.accounts.views import bp as accounts_bp
    from volunteer_hub.admin.dashboard import bp as dashboard_bp
    from volunteer_hub.admin.views import bp as admin_bp
    from volunteer_hub.api.views import admin_bp as api_admin_bp
    from volunteer_hub.api.views import bp as api_bp
    from volunteer_hub.core.views import bp as core_bp
    from volunteer_hub.expenses.views import bp as expenses_bp
    from volunteer_hub.hours.views import bp as hours_bp
    from volunteer_hub.investment.views import bp as investment_bp
    from volunteer_hub.organisations.views import bp as organisations_bp
    from volunteer_hub.placements.views import bp as placements_bp
    from volunteer_hub.privacy.views import bp as privacy_bp
    from volunteer_hub.rates.views import bp as rates_bp
    from volunteer_hub.recruitment.views import bp as recruitment_bp
    from volunteer_hub.reminders.views import bp as reminders_bp
    from volunteer_hub.reports.views import bp as reports_bp
    from volunteer_hub.supervision.views import bp as supervision_bp
    from volunteer_hub.timebank.views import bp as timebank_bp
    from volunteer_hub.training.views import bp as training_bp
    from volunteer_hub.volunteers.views import bp as volunteers_bp

    for blueprint in (
        core_bp,
        accounts_bp,
        admin_bp,
        dashboard_bp,
        reports_bp,
        api_bp,
        api_admin_bp,
        rates_bp,
        investment_bp,
        organisations_bp,
        recruitment_bp,
        placements_bp,
        volunteers_bp,
        hours_bp,
        supervision_bp,
        training_bp,
        expenses_bp,
        timebank_bp,
        privacy_bp,
        reminders_bp,
    ):
        app.register_blueprint(blueprint)

    from volunteer_hub.accounts.navigation import register_navigation
    from volunteer_hub.recruitment.navigation import register_navigation as register_recruitment
    from volunteer_hub.reports.navigation import register_navigation as register_report_links

    register_navigation(app)
    register_recruitment(app)
    register_report_links(app)
