"""Navigation links for the staff dashboard and the administration screens."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.core.navigation import NavLink, register_link


def register_navigation(app: Flask) -> None:
    for link in (
        NavLink(
            "What needs you",
            "dashboard.index",
            lambda u: u.is_authenticated and u.is_staff,
            order=5,
            primary=lambda u: u.is_authenticated and u.is_staff,
            group="Approvals and follow-up",
        ),
        NavLink(
            "Users",
            "admin.users",
            lambda u: u.is_authenticated and u.is_admin,
            order=60,
            group="Administration",
        ),
        NavLink(
            "Audit log",
            "admin.audit_log",
            lambda u: u.is_authenticated and u.is_admin,
            order=61,
            group="Administration",
        ),
    ):
        register_link(app, link)
