"""Navigation link for a volunteer's profile."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.accounts.permissions import is_volunteer_role
from volunteer_hub.core.navigation import NavLink, register_link


def register_navigation(app: Flask) -> None:
    register_link(
        app,
        NavLink("Profile", "volunteers.profile", is_volunteer_role, order=21, group="Volunteering"),
    )
