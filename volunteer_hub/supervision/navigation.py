"""Navigation link for overdue supervision."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.accounts.permissions import is_staff_role
from volunteer_hub.core.navigation import NavLink, register_link


def register_navigation(app: Flask) -> None:
    register_link(
        app,
        NavLink(
            "Supervision",
            "supervision.overdue",
            is_staff_role,
            order=44,
            group="Approvals and follow-up",
        ),
    )
