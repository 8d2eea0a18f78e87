"""Navigation link for a volunteer's placements."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.accounts.permissions import is_volunteer_role, volunteer_only
from volunteer_hub.core.navigation import NavLink, register_link


def register_navigation(app: Flask) -> None:
    register_link(
        app,
        NavLink(
            "My volunteering",
            "placements.mine",
            is_volunteer_role,
            order=20,
            primary=volunteer_only,
            group="Volunteering",
        ),
    )
