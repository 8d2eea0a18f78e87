"""messaging's menu links: the inbox, for everyone signed in."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.accounts.permissions import volunteer_only
from volunteer_hub.core.navigation import NavLink, register_link, signed_in


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
        ),
    )
