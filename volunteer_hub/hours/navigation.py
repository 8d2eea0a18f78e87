"""Navigation links for a volunteer's hours and the staff's approval queue."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.accounts.permissions import is_staff_role, is_volunteer_role, volunteer_only
from volunteer_hub.core.navigation import NavLink, register_link


def register_navigation(app: Flask) -> None:
    for link in (
        NavLink(
            "Your hours",
            "hours.mine",
            is_volunteer_role,
            order=22,
            primary=volunteer_only,
            group="Volunteering",
        ),
        NavLink(
            "Approve hours",
            "hours.queue",
            is_staff_role,
            order=43,
            primary=is_staff_role,
            group="Approvals and follow-up",
        ),
    ):
        register_link(app, link)
