"""Public pages: home, health check, accessibility statement, privacy notice; the menu."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_login import login_required
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from volunteer_hub.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
def home() -> ResponseReturnValue:
    return render_template("core/home.html")


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError as error:
        current_app.logger.error("Health check: database unavailable (%s)", type(error).__name__)
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": "unavailable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


@bp.get("/accessibility")
def accessibility() -> ResponseReturnValue:
    return render_template("core/accessibility.html")


@bp.get("/privacy")
def privacy() -> ResponseReturnValue:
    return render_template("core/privacy.html")


@bp.get("/menu")
@login_required
def menu() -> ResponseReturnValue:
    """Every page in the navigation the person may see, under headings (the top bar holds only
    their main few)."""
    return render_template("core/menu.html")
