"""The service navigation: each domain registers its links with who may see them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, request, url_for
from flask_login import current_user


@dataclass(frozen=True)
class NavLink:
    text: str
    endpoint: str
    visible: Callable[[Any], bool]
    order: int = 100


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


def navigation_items(app: Flask) -> list[NavItem]:
    links: list[NavLink] = sorted(
        app.extensions.get("vh_navigation", []), key=lambda link: link.order
    )
    endpoint = request.endpoint or ""
    return [
        NavItem(link.text, url_for(link.endpoint), endpoint == link.endpoint)
        for link in links
        if link.visible(current_user)
    ]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["navigation_items"] = lambda: navigation_items(app)


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for emails, always on ``BASE_URL`` (never the request's Host header),
    inside a request or from a command."""
    from flask import current_app, has_request_context

    base = str(current_app.config["BASE_URL"]).rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context(base_url=base):
        return base + url_for(endpoint, **values)
