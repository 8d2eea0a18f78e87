"""The uploads domain's menu link: imports from the browser, for the staff (a time bank's
coordinators who are not staff find it on the time bank's pages)."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.accounts.permissions import is_staff_role
from volunteer_hub.core.navigation import NavLink, register_link


def register_navigation(app: Flask) -> None:
    register_link(
        app,
        NavLink(
            "Import a file",
            "uploads.index",
            is_staff_role,
            order=47,
            group="Approvals and follow-up",
        ),
    )
