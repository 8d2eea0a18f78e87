"""Navigation links for a volunteer's training and the staff's expiry list."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.accounts.permissions import is_staff_role, is_volunteer_role
from volunteer_hub.core.navigation import NavLink, register_link


def register_navigation(app: Flask) -> None:
    for link in (
        NavLink("Training", "training.mine", is_volunteer_role, order=23, group="Volunteering"),
        NavLink(
            "Training",
            "training.expiries",
            is_staff_role,
            order=45,
            group="Approvals and follow-up",
        ),
    ):
        register_link(app, link)
