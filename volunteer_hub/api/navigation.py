"""Navigation link for the partner API's tokens."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.accounts.permissions import has_any_role
from volunteer_hub.core.navigation import NavLink, register_link


def register_navigation(app: Flask) -> None:
    register_link(
        app,
        NavLink(
            "API tokens",
            "api_admin.tokens",
            lambda u: has_any_role(u, "admin"),
            order=63,
            group="Administration",
        ),
    )
