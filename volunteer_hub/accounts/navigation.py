"""Navigation links for registering, signing in and a person's own account."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.core.navigation import NavLink, anonymous_only, register_link, signed_in


def register_navigation(app: Flask) -> None:
    for link in (
        NavLink("Register", "accounts.register", anonymous_only, order=80, primary=anonymous_only),
        NavLink("Sign in", "accounts.sign_in", anonymous_only, order=90, primary=anonymous_only),
        NavLink("Your account", "accounts.account", signed_in, order=70),
    ):
        register_link(app, link)
