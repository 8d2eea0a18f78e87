"""Navigation links for opportunities and roles."""

from __future__ import annotations

from typing import Any

from flask import Flask

from volunteer_hub.accounts.permissions import has_any_role
from volunteer_hub.core.navigation import NavLink, register_link

STAFF = ("admin", "centre_coordinator", "org_coordinator")


def is_staff(user: Any) -> bool:
    return has_any_role(user, *STAFF)


def volunteer_only(user: Any) -> bool:
    """A volunteer who is not also staff or a partner: their own links come first."""
    return has_any_role(user, "volunteer") and not has_any_role(user, *STAFF, "partner")


def _volunteer(user: Any) -> bool:
    return has_any_role(user, "volunteer")


def _centre(user: Any) -> bool:
    return has_any_role(user, "admin", "centre_coordinator")


def _finder(user: Any) -> bool:
    return not user.is_authenticated or volunteer_only(user)


def register_navigation(app: Flask) -> None:
    volunteering, recruiting, follow_up = (
        "Volunteering",
        "Recruitment and roles",
        "Approvals and follow-up",
    )
    for link in (
        NavLink(
            "Find opportunities",
            "recruitment.opportunities",
            lambda u: True,
            order=10,
            primary=_finder,
            group=volunteering,
        ),
        NavLink(
            "My volunteering",
            "placements.mine",
            _volunteer,
            order=20,
            primary=volunteer_only,
            group=volunteering,
        ),
        NavLink("Profile", "volunteers.profile", _volunteer, order=21, group=volunteering),
        NavLink(
            "Your hours",
            "hours.mine",
            _volunteer,
            order=22,
            primary=volunteer_only,
            group=volunteering,
        ),
        NavLink(
            "Time bank",
            "timebank.index",
            lambda u: has_any_role(u, "volunteer", *STAFF),
            order=25,
            group=volunteering,
        ),
        NavLink("Training", "training.mine", _volunteer, order=23, group=volunteering),
        NavLink("Expenses", "expenses.mine", _volunteer, order=24, group=volunteering),
        NavLink(
            "Expenses",
            "expenses.approvals",
            is_staff,
            order=46,
            primary=is_staff,
            group=follow_up,
        ),
        NavLink("Training", "training.expiries", is_staff, order=45, group=follow_up),
        NavLink("Supervision", "supervision.overdue", is_staff, order=44, group=follow_up),
        NavLink(
            "Approve hours",
            "hours.queue",
            is_staff,
            order=43,
            primary=is_staff,
            group=follow_up,
        ),
        NavLink(
            "Centre",
            "recruitment.centre",
            _centre,
            order=30,
            primary=_centre,
            group=recruiting,
        ),
        NavLink(
            "Roles",
            "organisations.my_roles",
            is_staff,
            order=40,
            primary=is_staff,
            group=recruiting,
        ),
        NavLink(
            "Organisations", "organisations.organisations", _centre, order=42, group=recruiting
        ),
        NavLink("Approve roles", "organisations.review", _centre, order=41, group=recruiting),
    ):
        register_link(app, link)
