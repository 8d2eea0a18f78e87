"""messaging's menu links: the inbox, for everyone signed in, with how many messages are unread
on the menu page ("Inbox (2 new)"); the sent bulk messages, for the staff."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import is_staff_role, volunteer_only
from volunteer_hub.core.navigation import NavLink, register_link, signed_in
from volunteer_hub.messaging import queries


def _unread(user: User) -> int:
    return queries.unread_total(user)


def register_navigation(app: Flask) -> None:
    register_link(
        app,
        NavLink(
            "Inbox",
            "messaging.inbox",
            signed_in,
            order=26,
            primary=volunteer_only,
            group="Your account",
            count=_unread,
        ),
    )
    register_bulk_navigation(app)


def register_bulk_navigation(app: Flask) -> None:
    """Bulk messages: the record of what was sent, for the staff (a volunteer's received bulk
    messages are linked from the inbox by the integrator)."""
    register_link(
        app,
        NavLink(
            "Sent messages",
            "messaging.bulk_sent",
            is_staff_role,
            order=48,
            group="Approvals and follow-up",
        ),
    )
