"""Navigation links for a volunteer's claims and the staff's approvals."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.accounts.permissions import is_staff_role, is_volunteer_role
from volunteer_hub.core.navigation import NavLink, register_link


def register_navigation(app: Flask) -> None:
    for link in (
        NavLink("Expenses", "expenses.mine", is_volunteer_role, order=24, group="Volunteering"),
        NavLink(
            "Expenses",
            "expenses.approvals",
            is_staff_role,
            order=46,
            primary=is_staff_role,
            group="Approvals and follow-up",
        ),
    ):
        register_link(app, link)
