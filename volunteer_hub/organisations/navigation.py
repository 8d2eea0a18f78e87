"""Navigation links for roles (task descriptions) and organisations."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.accounts.permissions import is_centre_role, is_staff_role
from volunteer_hub.core.navigation import NavLink, register_link


def register_navigation(app: Flask) -> None:
    for link in (
        NavLink(
            "Roles",
            "organisations.my_roles",
            is_staff_role,
            order=40,
            primary=is_staff_role,
            group="Recruitment and roles",
        ),
        NavLink(
            "Approve roles",
            "organisations.review",
            is_centre_role,
            order=41,
            group="Recruitment and roles",
        ),
        NavLink(
            "Organisations",
            "organisations.organisations",
            is_centre_role,
            order=42,
            group="Recruitment and roles",
        ),
    ):
        register_link(app, link)
