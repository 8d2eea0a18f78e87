"""Navigation link for reports."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.accounts.permissions import has_any_role
from volunteer_hub.core.navigation import NavLink, register_link


def register_navigation(app: Flask) -> None:
    register_link(
        app,
        NavLink(
            "Reports",
            "reports.value",
            lambda u: has_any_role(u, "admin", "centre_coordinator", "partner", "org_coordinator"),
            order=50,
            primary=lambda u: has_any_role(u, "partner"),
            group="Reports",
        ),
    )
