"""Navigation links for accounts and administration."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.core.navigation import NavLink, anonymous_only, register_link, signed_in


def register_navigation(app: Flask) -> None:
    for link in (
        NavLink("Register", "accounts.register", anonymous_only, order=80, primary=anonymous_only),
        NavLink("Sign in", "accounts.sign_in", anonymous_only, order=90, primary=anonymous_only),
        NavLink(
            "What needs you",
            "dashboard.index",
            lambda u: u.is_authenticated and u.is_staff,
            order=5,
            primary=lambda u: u.is_authenticated and u.is_staff,
            group="Approvals and follow-up",
        ),
        NavLink("Your account", "accounts.account", signed_in, order=70),
        NavLink(
            "Users",
            "admin.users",
            lambda u: u.is_authenticated and u.is_admin,
            order=60,
            group="Administration",
        ),
        NavLink(
            "Audit log",
            "admin.audit_log",
            lambda u: u.is_authenticated and u.is_admin,
            order=61,
            group="Administration",
        ),
        NavLink(
            "Privacy requests",
            "privacy.requests",
            lambda u: u.is_authenticated and u.is_admin,
            order=63,
            group="Administration",
        ),
    ):
        register_link(app, link)
