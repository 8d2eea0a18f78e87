"""The jobs domain's menu link: the administrators' page of background jobs."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.core.navigation import NavLink, register_link


def register_navigation(app: Flask) -> None:
    register_link(
        app,
        NavLink(
            "Background jobs",
            "jobs.index",
            lambda u: u.is_authenticated and u.is_admin,
            order=64,
            group="Administration",
        ),
    )
