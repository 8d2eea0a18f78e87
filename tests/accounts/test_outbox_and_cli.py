"""The email outbox against a real SMTP server, and the accounts commands."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from freezegun import freeze_time
from sqlalchemy import select

from tests.accounts.conftest import Personas
from tests.accounts.test_authentication import user_by_email
from tests.helpers import post_form
from volunteer_hub.accounts import outbox
from volunteer_hub.accounts.models import AuditEvent, OutboxMessage
from volunteer_hub.accounts.passwords import verify_password
from volunteer_hub.extensions import db


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _queue(app, to: str = "someone@example.org") -> int:
    with app.test_request_context():
        message = outbox.queue_email(
            kind="reset_password",
            to=to,
            subject="Reset your password",
            user=None,
            reset_url="http://127.0.0.1:5000/password/reset/abc",
        )
    db.session.commit()
    return message.id


def test_outbox_sends_through_smtp(app, smtp_server) -> None:
    inbox, port = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    message_id = _queue(app)
    result = outbox.send_due()
    assert (result.sent, result.retrying, result.failed) == (1, 0, 0)
    assert len(inbox.messages) == 1
    _sender, recipients, content = inbox.messages[0]
    assert recipients == ["someone@example.org"]
    email = message_from_bytes(content)
    assert email["Subject"] == "Reset your password"
    assert email.is_multipart()
    assert {part.get_content_type() for part in email.walk()} >= {"text/plain", "text/html"}
    db.session.expire_all()
    stored = db.session.get(OutboxMessage, message_id)
    assert stored.status == "sent" and stored.sent_at is not None
    assert outbox.send_due().sent == 0  # re-running sends nothing twice


ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


def test_extra_headers_and_an_ics_attachment_reach_the_smtp_server(app, smtp_server) -> None:
    inbox, port = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.test_request_context():
        outbox.queue_email(
            kind="reset_password",
            to="someone@example.org",
            subject="With extras",
            headers={
                "List-Unsubscribe": "<https://example.org/u/abc>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            attachments=[outbox.Attachment("invite.ics", "text/calendar; method=REQUEST", ICS)],
            reset_url="http://127.0.0.1:5000/password/reset/abc",
        )
    db.session.commit()
    assert outbox.send_due().sent == 1
    email = message_from_bytes(inbox.messages[0][2])
    assert email["List-Unsubscribe"] == "<https://example.org/u/abc>"
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parts = {part.get_content_type(): part for part in email.walk()}
    calendar = parts["text/calendar"]
    assert calendar.get_filename() == "invite.ics"
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_payload(decode=True).decode() == ICS
    assert {"text/plain", "text/html"} <= set(parts)


@pytest.mark.parametrize(
    "headers",
    [{"From": "someone@else.example"}, {"List-Unsubscribe": "<https://x>\r\nBcc: a@b.example"}],
)
def test_the_outbox_refuses_headers_it_does_not_own_or_that_break_lines(app, headers) -> None:
    with app.test_request_context(), pytest.raises(ValueError):
        outbox.queue_email(
            kind="reset_password",
            to="someone@example.org",
            subject="x",
            headers=headers,
            reset_url="http://127.0.0.1:5000/password/reset/abc",
        )


def test_mail_server_down_keeps_the_message_and_retries_later(app, smtp_server) -> None:
    inbox, port = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())  # nothing listens there
    with freeze_time("2026-06-01 09:00:00") as clock:
        message_id = _queue(app)
        result = outbox.send_due()
        assert (result.sent, result.retrying) == (0, 1)
        db.session.expire_all()
        stored = db.session.get(OutboxMessage, message_id)
        assert stored.status == "pending" and stored.attempts == 1 and stored.last_error
        assert outbox.send_due().retrying == 0  # not due yet: backoff
        app.config["MAIL_PORT"] = port  # the server comes back
        clock.tick(timedelta(minutes=2))
        assert outbox.send_due().sent == 1
    assert len(inbox.messages) == 1


def test_messages_that_keep_failing_are_kept_and_can_be_requeued(app, runner) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port(), MAIL_MAX_ATTEMPTS=2)
    with freeze_time("2026-06-01 09:00:00") as clock:
        message_id = _queue(app)
        outbox.send_due()
        clock.tick(timedelta(hours=1))
        assert outbox.send_due().failed == 1
        db.session.expire_all()
        assert db.session.get(OutboxMessage, message_id).status == "failed"
        result = runner.invoke(args=["outbox", "send", "--retry-failed"])
        assert "1 failed message queued again" in result.output
        db.session.expire_all()
        assert db.session.get(OutboxMessage, message_id).status == "pending"


def test_development_prints_instead_of_sending(app, runner) -> None:
    _queue(app, to="printed@example.org")
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0
    assert "email to printed@example.org" in result.output
    assert "Sent 1" in result.output


def test_an_email_is_written_in_the_same_transaction_as_its_action(
    client, personas: Personas
) -> None:
    # A failed action (bad password) writes no email; a successful one writes exactly one.
    post_form(
        client,
        "/register",
        {"name": "A", "email": "a@example.org", "password": "short", "privacy": "y"},
    )
    assert db.session.scalar(select(OutboxMessage)) is None
    post_form(
        client,
        "/register",
        {
            "name": "A",
            "email": "a@example.org",
            "password": "a fine long passphrase",
            "privacy": "y",
        },
    )
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_create_admin_command(runner) -> None:
    result = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "First.Admin@Example.org",
            "--name",
            "First Admin",
        ],
        input="a long admin passphrase\na long admin passphrase\n",
    )
    assert result.exit_code == 0, result.output
    user = user_by_email("first.admin@example.org")
    assert user.is_admin and user.email_verified_at is not None
    assert verify_password(user.password_hash, "a long admin passphrase")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "admin_created"))
    again = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "first.admin@example.org",
            "--password",
            "a long admin passphrase",
        ]
    )
    assert again.exit_code != 0 and "already has an account" in again.output


def test_create_admin_refuses_a_weak_password(runner) -> None:
    result = runner.invoke(
        args=["users", "create-admin", "--email", "a@example.org", "--password", "password1"]
    )
    assert result.exit_code != 0
    assert "10 characters" in result.output or "too common" in result.output


def test_demo_seed_prints_the_demo_sign_ins(runner) -> None:
    result = runner.invoke(args=["demo", "seed"])
    assert "admin@demo.volunteerhub.invalid" in result.output
    assert "volunteer-hub-demo" in result.output
