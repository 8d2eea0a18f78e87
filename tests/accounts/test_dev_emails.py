"""In development, emails are visible without a mail server: printed with their links by the
worker `make run` starts, and listed on the development email page."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from tests.accounts.conftest import Personas
from tests.accounts.test_authentication import GOOD_PASSWORD
from tests.helpers import post_form
from volunteer_hub.accounts import outbox
from volunteer_hub.accounts.models import OutboxMessage
from volunteer_hub.extensions import db


def _register(app: Flask, email: str = "newcomer@example.org") -> OutboxMessage:
    response = post_form(
        app.test_client(),
        "/register",
        {
            "name": "New Comer",
            "email": email,
            "password": GOOD_PASSWORD,
            "privacy": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == email))
    assert message is not None
    return message


def test_links_are_found_in_an_emails_text() -> None:
    text = (
        "Confirm: http://127.0.0.1:5077/verify-email/abc.def?next=%2Fopportunities%2Fx.\n"
        "Or see (https://hub.example.org/account), twice: https://hub.example.org/account"
    )
    assert outbox.links_in(text) == [
        "http://127.0.0.1:5077/verify-email/abc.def?next=%2Fopportunities%2Fx",
        "https://hub.example.org/account",
    ]


def test_the_worker_prints_each_email_with_its_links_once(
    app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    message = _register(app)
    message_id, link = message.id, outbox.links_in(message.body_text)[0]
    outbox.work(interval=0.01, rounds=3)
    printed = capsys.readouterr().out
    assert printed.count("--- email to newcomer@example.org: Confirm your email address") == 1
    assert "/verify-email/" in link
    assert f"Link: {link}\n" in printed
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message_id).status == "sent"


def test_two_workers_at_once_print_each_email_once(
    app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    _register(app, "one@example.org")
    _register(app, "two@example.org")
    # Each worker claims a message before printing it: the second finds nothing left to do.
    outbox.work(interval=0.01, rounds=1)
    outbox.work(interval=0.01, rounds=1)
    printed = capsys.readouterr().out
    assert printed.count("--- email to one@example.org") == 1
    assert printed.count("--- email to two@example.org") == 1


@pytest.mark.parametrize("app_config", [{"DEV_EMAILS_PAGE": True}])
def test_the_development_email_page_lists_emails_with_their_links(
    app: Flask, personas: Personas, login
) -> None:
    message = _register(app)
    link = outbox.links_in(message.body_text)[0]
    html = login(personas.admin).get("/admin/emails").get_data(as_text=True)
    assert "Confirm your email address" in html
    assert "newcomer@example.org" in html
    assert f'href="{link}"' in html


@pytest.mark.parametrize("app_config", [{"DEV_EMAILS_PAGE": True}])
@pytest.mark.parametrize("persona", ["volunteer", "coordinator_a", "centre", "partner"])
def test_only_administrators_see_the_development_email_page(
    app: Flask, personas: Personas, login, persona: str
) -> None:
    assert login(personas.get(persona)).get("/admin/emails").status_code in (403, 404)
    assert app.test_client().get("/admin/emails").status_code == 302  # to sign in


def test_the_development_email_page_is_off_under_test_unless_asked(
    personas: Personas, login
) -> None:
    assert login(personas.admin).get("/admin/emails").status_code == 404


@pytest.mark.parametrize(
    "app_config",
    [{"DEV_EMAILS_PAGE": True, "ENV": "production", "BASE_URL": "https://hub.example.org"}],
)
def test_the_development_email_page_never_exists_in_production(app: Flask) -> None:
    from volunteer_hub.admin.views import dev_emails_enabled

    assert dev_emails_enabled() is False
    assert app.test_client().get("/admin/emails").status_code == 404
