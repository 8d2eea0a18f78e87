"""The service navigation: each domain registers its links with who may see them. The bar at the
top of every page holds a person's few main links (those marked ``primary`` for them, at most
:data:`TOP_ITEMS`, so it stays one row on a desktop) and, when they may see more, a "More" link
(not "Menu": on a phone the bar itself folds behind a "Menu" button) to a page listing every
link they may see, under headings (``group``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


def never(user: Any) -> bool:
    return False


@dataclass(frozen=True)
class NavLink:
    text: str
    endpoint: str
    visible: Callable[[Any], bool]
    order: int = 100
    #: In the top bar for these users (the first :data:`TOP_ITEMS` by order); the menu page
    #: lists every visible link either way.
    primary: Callable[[Any], bool] = never
    #: The heading the link is listed under on the menu page.
    group: str = "Your account"
    #: Things waiting for this person there (unread messages): shown as "(2 new)" after the
    #: text on the menu page when there are any. Not in the top bar: a volunteer's four main
    #: links fill its one row at 1280 px (the page walk found "Inbox (1 new)" wrapped it).
    count: Callable[[Any], int] | None = None


#: Main links in the top bar, besides "More" and "Sign out": more would wrap onto two rows at
#: 1280 px (the page walk checks one row for every persona).
TOP_ITEMS = 4

#: Headings of the menu page, in order.
GROUPS = (
    "Volunteering",
    "Recruitment and roles",
    "Approvals and follow-up",
    "Reports",
    "Administration",
    "Your account",
)


@dataclass(frozen=True)
class NavItem:
    text: str
    href: str
    active: bool


def anonymous_only(user: Any) -> bool:
    return not user.is_authenticated


def signed_in(user: Any) -> bool:
    return bool(user.is_authenticated)


def register_link(app: Flask, link: NavLink) -> None:
    app.extensions.setdefault("vh_navigation", []).append(link)


def _visible_links(app: Flask) -> list[NavLink]:
    links: list[NavLink] = sorted(
        app.extensions.get("vh_navigation", []), key=lambda link: link.order
    )
    return [link for link in links if link.visible(current_user)]


def _waiting(link: NavLink) -> int:
    """The link's count; 0 when it cannot be read (a page drawn after a failed transaction, an
    error page: the menu must not turn it into a server error)."""
    if link.count is None:
        return 0
    try:
        return link.count(current_user)
    except SQLAlchemyError:
        log.warning("Navigation count for %s could not be read", link.endpoint, exc_info=True)
        return 0


def _item(link: NavLink, *, counted: bool = False) -> NavItem:
    waiting = _waiting(link) if counted else 0
    text = f"{link.text} ({waiting:,} new)" if waiting else link.text
    return NavItem(text, url_for(link.endpoint), (request.endpoint or "") == link.endpoint)


def navigation_items(app: Flask) -> list[NavItem]:
    """The top bar: the person's main links, then "More" if they may see more."""
    visible = _visible_links(app)
    top = [link for link in visible if link.primary(current_user)][:TOP_ITEMS]
    items = [_item(link) for link in top]
    if len(top) < len(visible):
        items.append(NavItem("More", url_for("core.menu"), request.endpoint == "core.menu"))
    return items


def menu_groups(app: Flask) -> list[tuple[str, list[NavItem]]]:
    """Every link the person may see, under the menu page's headings."""
    visible = _visible_links(app)
    groups = [
        (g, [_item(link, counted=True) for link in visible if link.group == g]) for g in GROUPS
    ]
    others = [_item(link, counted=True) for link in visible if link.group not in GROUPS]
    if others:
        groups.append(("More", others))
    return [(name, items) for name, items in groups if items]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["navigation_items"] = lambda: navigation_items(app)
    app.jinja_env.globals["menu_groups"] = lambda: menu_groups(app)


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for emails, always on ``BASE_URL`` (never the request's Host header),
    inside a request or from a command."""
    from flask import current_app, has_request_context

    base = str(current_app.config["BASE_URL"]).rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context(base_url=base):
        return base + url_for(endpoint, **values)
