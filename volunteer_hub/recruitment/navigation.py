"""Navigation links for finding opportunities and the centre's recruitment page."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.accounts.permissions import is_centre_role, volunteer_only
from volunteer_hub.core.navigation import NavLink, register_link


def register_navigation(app: Flask) -> None:
    for link in (
        NavLink(
            "Find opportunities",
            "recruitment.opportunities",
            lambda u: True,
            order=10,
            primary=lambda u: not u.is_authenticated or volunteer_only(u),
            group="Volunteering",
        ),
        NavLink(
            "Centre",
            "recruitment.centre",
            is_centre_role,
            order=30,
            primary=is_centre_role,
            group="Recruitment and roles",
        ),
    ):
        register_link(app, link)
