"""Sessions: loading the signed-in user, session versions and idle timeouts."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user

from volunteer_hub.accounts.models import User
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db, login_manager

#: Endpoints a signed-in administrator without two-factor may still reach.
TWO_FACTOR_SETUP_ENDPOINTS = {
    "accounts.two_factor_setup",
    "accounts.sign_out",
    "static",
    "core.healthz",
    "core.accessibility",
    "core.privacy",
}


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """``session_id`` is ``"<user id>:<session version>"``; an old version is a dead session."""
    try:
        user_id, version = (int(part) for part in session_id.split(":", 1))
    except ValueError:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or user.session_version != version:
        return None
    return user


def idle_timeout(user: User) -> timedelta:
    minutes = (
        current_app.config["IDLE_TIMEOUT_STAFF_MINUTES"]
        if user.is_staff
        else current_app.config["IDLE_TIMEOUT_VOLUNTEER_MINUTES"]
    )
    return timedelta(minutes=int(minutes))


def _check_session() -> ResponseReturnValue | None:
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = utcnow()
    last_seen = session.get("last_seen")
    if (
        last_seen is not None
        and now.timestamp() - float(last_seen) > idle_timeout(current_user).total_seconds()
    ):
        logout_user()
        session.clear()
        flash("You were signed out because you had not done anything for a while.", "info")
        return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))
    session["last_seen"] = now.timestamp()
    if (
        current_user.is_admin
        and not current_user.totp_enabled
        and request.endpoint not in TWO_FACTOR_SETUP_ENDPOINTS
    ):
        flash("Administrators must set up two-factor sign-in before going on.", "info")
        return redirect(url_for("accounts.two_factor_setup"))
    return None


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(_check_session)
