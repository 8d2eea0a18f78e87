"""Navigation links for opportunities and roles."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.accounts.permissions import has_any_role
from volunteer_hub.core.navigation import NavLink, register_link


def register_navigation(app: Flask) -> None:
    for link in (
        NavLink("Find opportunities", "recruitment.opportunities", lambda u: True, order=10),
        NavLink(
            "My volunteering",
            "placements.mine",
            lambda u: has_any_role(u, "volunteer"),
            order=20,
        ),
        NavLink("Profile", "volunteers.profile", lambda u: has_any_role(u, "volunteer"), order=21),
        NavLink("Your hours", "hours.mine", lambda u: has_any_role(u, "volunteer"), order=22),
        NavLink(
            "Time bank",
            "timebank.index",
            lambda u: has_any_role(
                u, "volunteer", "admin", "centre_coordinator", "org_coordinator"
            ),
            order=25,
        ),
        NavLink("Training", "training.mine", lambda u: has_any_role(u, "volunteer"), order=23),
        NavLink("Expenses", "expenses.mine", lambda u: has_any_role(u, "volunteer"), order=24),
        NavLink(
            "Expenses",
            "expenses.approvals",
            lambda u: has_any_role(u, "admin", "centre_coordinator", "org_coordinator"),
            order=46,
        ),
        NavLink(
            "Training",
            "training.expiries",
            lambda u: has_any_role(u, "admin", "centre_coordinator", "org_coordinator"),
            order=45,
        ),
        NavLink(
            "Supervision",
            "supervision.overdue",
            lambda u: has_any_role(u, "admin", "centre_coordinator", "org_coordinator"),
            order=44,
        ),
        NavLink(
            "Approve hours",
            "hours.queue",
            lambda u: has_any_role(u, "admin", "centre_coordinator", "org_coordinator"),
            order=43,
        ),
        NavLink(
            "Centre",
            "recruitment.centre",
            lambda u: has_any_role(u, "admin", "centre_coordinator"),
            order=30,
        ),
        NavLink(
            "Roles",
            "organisations.my_roles",
            lambda u: has_any_role(u, "admin", "centre_coordinator", "org_coordinator"),
            order=40,
        ),
        NavLink(
            "Organisations",
            "organisations.organisations",
            lambda u: has_any_role(u, "admin", "centre_coordinator"),
            order=42,
        ),
        NavLink(
            "Approve roles",
            "organisations.review",
            lambda u: has_any_role(u, "admin", "centre_coordinator"),
            order=41,
        ),
    ):
        register_link(app, link)
