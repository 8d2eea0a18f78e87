"""matching's menu links: finding volunteers (staff); recommendations and the choices about
being found and matched (volunteers)."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.accounts.permissions import is_staff_role, is_volunteer_role
from volunteer_hub.core.navigation import NavLink, register_link


def register_navigation(app: Flask) -> None:
    for link in (
        NavLink(
            "Recommended for you",
            "matching.recommended",
            is_volunteer_role,
            order=25,
            group="Volunteering",
        ),
        NavLink(
            "Being found and matched",
            "matching.preferences",
            is_volunteer_role,
            order=26,
            group="Volunteering",
        ),
        NavLink(
            "Find volunteers",
            "matching.find",
            is_staff_role,
            order=31,
            group="Recruitment and roles",
        ),
    ):
        register_link(app, link)
