"""Volunteer Hub: volunteer centre management for a borough's Compact partners."""

from __future__ import annotations

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
    from volunteer_hub.core.templating import Environment

    # Before anything reads ``app.jinja_env`` (extensions add globals to it).
    app.jinja_environment = Environment
    ensure_secret_key(config)
    ensure_bank_details_key(config)
    app.config.from_mapping(config)
    app.testing = bool(app.config["TESTING"])
    if app.config["PROXY_FIX_X_FOR"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind N trusted proxies: the client address (rate limits, audit, logs) is the one
        # the nearest of them saw, from X-Forwarded-For; the header is ignored otherwise.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"])  # type: ignore[method-assign]
    from volunteer_hub.core import logs

    logs.init_app(app)  # first: every request gets its id before other hooks log

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
    _register_privacy_hooks()
    _register_jobs(app)

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
    from volunteer_hub.matching import models as _matching  # noqa: F401
    from volunteer_hub.messaging import models as _messaging  # noqa: F401
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
    from volunteer_hub.scheduling import models as _scheduling  # noqa: F401
    from volunteer_hub.scheduling import services as _scheduling_rules  # noqa: F401
    from volunteer_hub.supervision import models as _supervision  # noqa: F401
    from volunteer_hub.timebank import models as _timebank  # noqa: F401
    from volunteer_hub.training import models as _training  # noqa: F401
    from volunteer_hub.training import services as _training_rules  # noqa: F401
    from volunteer_hub.uploads import models as _uploads  # noqa: F401
    from volunteer_hub.volunteers import equality as _equality  # noqa: F401
    from volunteer_hub.volunteers import models as _volunteers  # noqa: F401


def _register_jobs(app: Flask) -> None:
    """Import each domain's background jobs, then give this application its queue."""
    from volunteer_hub import jobs
    from volunteer_hub.accounts import jobs as _outbox_jobs  # noqa: F401
    from volunteer_hub.matching import jobs as _matching_jobs  # noqa: F401
    from volunteer_hub.messaging import jobs as _messaging_jobs  # noqa: F401
    from volunteer_hub.privacy import jobs as _retention_jobs  # noqa: F401
    from volunteer_hub.reminders import jobs as _reminder_jobs  # noqa: F401
    from volunteer_hub.reports import jobs as _report_jobs  # noqa: F401
    from volunteer_hub.scheduling import jobs as _scheduling_jobs  # noqa: F401
    from volunteer_hub.uploads import jobs as _import_jobs  # noqa: F401

    jobs.init_app(app)


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
    from volunteer_hub.jobs.metrics import bp as metrics_bp
    from volunteer_hub.jobs.views import bp as jobs_bp
    from volunteer_hub.matching.views import bp as matching_bp
    from volunteer_hub.messaging.views import bp as messaging_bp
    from volunteer_hub.organisations.views import bp as organisations_bp
    from volunteer_hub.placements.views import bp as placements_bp
    from volunteer_hub.privacy.views import bp as privacy_bp
    from volunteer_hub.rates.views import bp as rates_bp
    from volunteer_hub.recruitment.views import bp as recruitment_bp
    from volunteer_hub.reminders.views import bp as reminders_bp
    from volunteer_hub.reports.views import bp as reports_bp
    from volunteer_hub.scheduling.views import bp as scheduling_bp
    from volunteer_hub.supervision.views import bp as supervision_bp
    from volunteer_hub.timebank.views import bp as timebank_bp
    from volunteer_hub.training.views import bp as training_bp
    from volunteer_hub.uploads.views import bp as uploads_bp
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
        scheduling_bp,
        expenses_bp,
        timebank_bp,
        uploads_bp,
        matching_bp,
        messaging_bp,
        privacy_bp,
        reminders_bp,
        jobs_bp,
        metrics_bp,
    ):
        app.register_blueprint(blueprint)

    _register_navigation(app)


def _register_privacy_hooks() -> None:
    """Each domain's privacy hooks (export, erasure, activity, retention), which ``privacy``
    walks: see ``volunteer_hub.core.privacy_hooks``."""
    from volunteer_hub.accounts import privacy as _accounts  # noqa: F401
    from volunteer_hub.api import privacy as _api  # noqa: F401
    from volunteer_hub.expenses import privacy as _expenses  # noqa: F401
    from volunteer_hub.hours import privacy as _hours  # noqa: F401
    from volunteer_hub.matching import privacy as _matching  # noqa: F401
    from volunteer_hub.messaging import privacy as _messaging  # noqa: F401
    from volunteer_hub.placements import privacy as _placements  # noqa: F401
    from volunteer_hub.privacy import erasure as _erasure  # noqa: F401
    from volunteer_hub.privacy import export as _export  # noqa: F401
    from volunteer_hub.recruitment import privacy as _recruitment  # noqa: F401
    from volunteer_hub.reminders import privacy as _reminders  # noqa: F401
    from volunteer_hub.reports import privacy as _reports  # noqa: F401
    from volunteer_hub.scheduling import privacy as _scheduling  # noqa: F401
    from volunteer_hub.supervision import privacy as _supervision  # noqa: F401
    from volunteer_hub.timebank import privacy as _timebank  # noqa: F401
    from volunteer_hub.training import privacy as _training  # noqa: F401
    from volunteer_hub.uploads import privacy as _uploads  # noqa: F401
    from volunteer_hub.volunteers import privacy as _volunteers  # noqa: F401


def _register_navigation(app: Flask) -> None:
    """Each domain registers its own menu links (``<domain>/navigation.py``). Links of equal
    order keep the order of this list (privacy requests before API tokens)."""
    from volunteer_hub.accounts import navigation as accounts_nav
    from volunteer_hub.admin import navigation as admin_nav
    from volunteer_hub.api import navigation as api_nav
    from volunteer_hub.expenses import navigation as expenses_nav
    from volunteer_hub.hours import navigation as hours_nav
    from volunteer_hub.investment import navigation as investment_nav
    from volunteer_hub.jobs import navigation as jobs_nav
    from volunteer_hub.matching import navigation as matching_nav
    from volunteer_hub.messaging import navigation as messaging_nav
    from volunteer_hub.organisations import navigation as organisations_nav
    from volunteer_hub.placements import navigation as placements_nav
    from volunteer_hub.privacy import navigation as privacy_nav
    from volunteer_hub.rates import navigation as rates_nav
    from volunteer_hub.recruitment import navigation as recruitment_nav
    from volunteer_hub.reports import navigation as reports_nav
    from volunteer_hub.scheduling import navigation as scheduling_nav
    from volunteer_hub.supervision import navigation as supervision_nav
    from volunteer_hub.timebank import navigation as timebank_nav
    from volunteer_hub.training import navigation as training_nav
    from volunteer_hub.uploads import navigation as uploads_nav
    from volunteer_hub.volunteers import navigation as volunteers_nav

    for domain in (
        accounts_nav,
        admin_nav,
        privacy_nav,
        recruitment_nav,
        placements_nav,
        volunteers_nav,
        hours_nav,
        timebank_nav,
        training_nav,
        scheduling_nav,
        expenses_nav,
        uploads_nav,
        messaging_nav,
        matching_nav,
        supervision_nav,
        organisations_nav,
        reports_nav,
        investment_nav,
        rates_nav,
        api_nav,
        jobs_nav,
    ):
        domain.register_navigation(app)
