"""Navigation link for the time bank."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.accounts.permissions import STAFF_ROLES, has_any_role
from volunteer_hub.core.navigation import NavLink, register_link


def register_navigation(app: Flask) -> None:
    register_link(
        app,
        NavLink(
            "Time bank",
            "timebank.index",
            lambda u: has_any_role(u, "volunteer", *STAFF_ROLES),
            order=25,
            group="Volunteering",
        ),
    )
