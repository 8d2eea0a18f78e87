"""Navigation link for the administrators' list of privacy requests."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.core.navigation import NavLink, register_link


def register_navigation(app: Flask) -> None:
    register_link(
        app,
        NavLink(
            "Privacy requests",
            "privacy.requests",
            lambda u: u.is_authenticated and u.is_admin,
            order=63,
            group="Administration",
        ),
    )
