"""Navigation links: a volunteer's shifts and the coordinators' rota."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.accounts.permissions import is_staff_role, is_volunteer_role
from volunteer_hub.core.navigation import NavLink, register_link


def register_navigation(app: Flask) -> None:
    for link in (
        NavLink("My shifts", "scheduling.mine", is_volunteer_role, order=22, group="Volunteering"),
        NavLink(
            "Rota", "scheduling.rotas", is_staff_role, order=44, group="Approvals and follow-up"
        ),
    ):
        register_link(app, link)
