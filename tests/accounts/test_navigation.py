"""The service navigation: a few main links per person in the top bar (one row on a desktop;
the page walk checks that in a browser), every other link they may see on the menu page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.accounts.conftest import Personas
from volunteer_hub.accounts.models import User
from volunteer_hub.core.navigation import TOP_ITEMS


def _top_bar(html: str) -> list[str]:
    nav = html.split('aria-label="Main menu"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(
        r'class="govuk-service-navigation__link"[^>]*>(.*?)</(?:a|button)>', nav, re.S
    )
    texts = [" ".join(re.sub(r"<[^>]+>", " ", link).split()) for link in links]
    return [text for text in texts if text != "Sign out"]


def _menu(html: str) -> list[str]:
    main = html.split('id="main-content"', 1)[1]
    return re.findall(r'<li><a class="govuk-link" href="[^"]+">([^<]+)</a></li>', main)


@pytest.mark.parametrize(
    ("persona", "top"),
    [
        ("volunteer", ["Find opportunities", "My volunteering", "Your hours", "Inbox", "More"]),
        ("coordinator_a", ["What needs you", "Roles", "Approve hours", "Expenses", "More"]),
        ("centre", ["What needs you", "Centre", "Roles", "Approve hours", "More"]),
        ("partner", ["Reports", "More"]),
        ("admin", ["What needs you", "Centre", "Roles", "Approve hours", "More"]),
    ],
)
def test_top_bar_holds_each_persons_main_links_and_a_menu(
    personas: Personas, login: Callable[[User], FlaskClient], persona: str, top: list[str]
) -> None:
    client = login(personas.get(persona))
    assert _top_bar(client.get("/account").get_data(as_text=True)) == top
    assert len(top) <= TOP_ITEMS + 1


def test_menu_lists_every_link_the_person_may_see(
    personas: Personas, login: Callable[[User], FlaskClient]
) -> None:
    menu = _menu(login(personas.admin).get("/menu").get_data(as_text=True))
    for text in (
        "Reports",
        "Users",
        "Audit log",
        "Privacy requests",
        "Rates",
        "API tokens",
        "Your account",
        "Supervision",
        "Approve roles",
        "Organisations",
        "Time bank",
    ):
        assert text in menu, text
    volunteer_menu = _menu(login(personas.volunteer).get("/menu").get_data(as_text=True))
    assert "Profile" in volunteer_menu and "Training" in volunteer_menu
    assert "Expenses" in volunteer_menu
    assert "Users" not in volunteer_menu and "Reports" not in volunteer_menu


def test_signed_out_top_bar_has_no_menu(client: FlaskClient) -> None:
    assert _top_bar(client.get("/").get_data(as_text=True)) == [
        "Home",
        "Find opportunities",
        "Register",
        "Sign in",
    ]
    assert client.get("/menu").status_code == 302  # sign in first


def test_a_count_that_cannot_be_read_leaves_the_link_plain(
    app, personas: Personas, login: Callable[..., FlaskClient]
) -> None:
    """A link's count (the Inbox's unread messages, on the menu page): if the database cannot
    answer it, the page still draws, with the plain link."""
    from dataclasses import replace

    from sqlalchemy.exc import OperationalError

    def broken(_user: object) -> int:
        raise OperationalError("SELECT count(*)", {}, Exception("the database went away"))

    links = app.extensions["vh_navigation"]
    inbox = next(link for link in links if link.endpoint == "messaging.inbox")
    links[links.index(inbox)] = replace(inbox, count=broken)
    response = login(personas.volunteer).get("/menu")  # where counts are shown
    assert response.status_code == 200
    assert "Inbox" in _menu(response.get_data(as_text=True))
