"""The email outbox: messages are written in the action's transaction and sent afterwards."""

from __future__ import annotations

import json
import logging
import os
import re
import smtplib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import click
from flask import current_app, render_template
from sqlalchemy import select, update

from volunteer_hub.accounts.models import OutboxMessage, OutboxStatus, User
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db

log = logging.getLogger(__name__)

#: Minutes to wait after the n-th failed attempt (then the last value again).
BACKOFF_MINUTES = [1, 5, 15, 60, 240, 720]
#: A sender takes a message for this long before delivering it (longer than an SMTP attempt can
#: last); if it stops before recording the outcome, the message is due again after it.
CLAIM_MINUTES = 10
#: Links in an email's text: up to the first space, minus closing punctuation.
LINK_RE = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def links_in(text: str) -> list[str]:
    """The links in an email's text, in order, each once."""
    return list(dict.fromkeys(LINK_RE.findall(text)))


#: Headers a caller may add; the rest (From, To, Subject, Message-ID) are the outbox's own.
ALLOWED_HEADERS = frozenset({"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Reply-To"})


@dataclass(frozen=True)
class Attachment:
    """A text attachment, such as an ``.ics`` invitation (``text/calendar; method=REQUEST``)."""

    filename: str
    content_type: str
    content: str


def queue_email(
    *,
    kind: str,
    to: str,
    subject: str,
    user: User | None = None,
    headers: Mapping[str, str] | None = None,
    attachments: Sequence[Attachment] = (),
    **context: Any,
) -> OutboxMessage:
    """Render ``templates/email/<kind>.txt`` and ``.html`` into the outbox (no sending here),
    with any extra ``headers`` (from :data:`ALLOWED_HEADERS`) and text ``attachments``."""
    for name, value in (headers or {}).items():
        if name not in ALLOWED_HEADERS:
            raise ValueError(f"The outbox does not set the {name} header")
        if "\n" in value or "\r" in value:
            raise ValueError(f"The {name} header has a line break")
    context = {"subject": subject, "user": user, **context}
    message = OutboxMessage(
        headers_json=json.dumps(dict(headers)) if headers else None,
        attachments_json=(
            json.dumps(
                [
                    {"filename": a.filename, "content_type": a.content_type, "content": a.content}
                    for a in attachments
                ]
            )
            if attachments
            else None
        ),
        to_address=to,
        user_id=user.id if user is not None else None,
        kind=kind,
        subject=subject,
        body_text=render_template(f"email/{kind}.txt", **context),
        body_html=render_template(f"email/{kind}.html", **context),
        status=OutboxStatus.PENDING.value,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    return message


def _as_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    for name, value in json.loads(message.headers_json or "{}").items():
        email[name] = value
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    for attachment in json.loads(message.attachments_json or "[]"):
        maintype, _, rest = attachment["content_type"].partition("/")
        subtype, _, params = rest.partition(";")
        email.add_attachment(
            attachment["content"].encode(),
            maintype=maintype,
            subtype=subtype.strip(),
            filename=attachment["filename"],
            params=dict(part.strip().split("=", 1) for part in params.split(";") if "=" in part),
        )
    return email


def _deliver(message: OutboxMessage) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        # Development: print to the console instead of sending, its links apart to click.
        links = links_in(message.body_text)
        click.echo(
            f"--- email to {message.to_address}: {message.subject}\n{message.body_text}\n"
            + "".join(f"Link: {link}\n" for link in links)
            + "---"
        )
        return
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=20) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(_as_email(message))


@dataclass
class SendResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _claim(message_id: int) -> bool:
    """Take a due message for this sender, committed before it is delivered: its next attempt
    moves past the time a delivery can take, so another sender running at the same moment (two
    ``flask outbox send`` at once) finds it not due and leaves it. False: someone else has it."""
    now = utcnow()
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.PENDING.value,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + timedelta(minutes=CLAIM_MINUTES))
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    db.session.commit()
    return bool(claimed)


def send_due(*, limit: int = 500) -> SendResult:
    """Send every message that is due. Each message is claimed and then sent in its own
    transactions, so one failure never loses or blocks another, re-running is safe, and two
    senders running at once send each message once."""
    result = SendResult()
    max_attempts = int(current_app.config["MAIL_MAX_ATTEMPTS"])
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING.value,
            OutboxMessage.next_attempt_at <= utcnow(),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    for message_id in ids:
        if not _claim(message_id):
            continue
        message = db.session.get(OutboxMessage, message_id)
        if message is None or message.status != OutboxStatus.PENDING.value:
            continue
        try:
            _deliver(message)
        except (OSError, smtplib.SMTPException) as error:
            message.attempts += 1
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= max_attempts:
                message.status = OutboxStatus.FAILED.value
                result.failed += 1
                log.error(
                    "Outbox message %s failed %s times; kept as failed",
                    message.id,
                    message.attempts,
                )
            else:
                wait = BACKOFF_MINUTES[min(message.attempts, len(BACKOFF_MINUTES)) - 1]
                message.next_attempt_at = utcnow() + timedelta(minutes=wait)
                result.retrying += 1
                log.warning(
                    "Outbox message %s not sent (%s); retry in %s min", message.id, error, wait
                )
        else:
            message.attempts += 1
            message.status = OutboxStatus.SENT.value
            message.sent_at = utcnow()
            message.last_error = None
            result.sent += 1
        db.session.commit()
    return result


def work(
    *, interval: float = 2.0, exit_with_parent: bool = False, rounds: int | None = None
) -> None:
    """Keep sending due messages, every ``interval`` seconds, until stopped (or for ``rounds``).

    Each round is :func:`send_due`, so running this beside ``flask outbox send`` or a second
    worker still sends each message once. With ``exit_with_parent`` it stops when the process
    that started it has gone (``make run`` starts it beside the web server).
    """
    parent = os.getppid()
    done = 0
    while rounds is None or done < rounds:
        if exit_with_parent and os.getppid() != parent:
            return
        try:
            send_due()
        except Exception:  # a database hiccup: log it and try again next round
            db.session.rollback()
            log.exception("Outbox round failed; trying again in %s s", interval)
        finally:
            db.session.remove()
        done += 1
        if rounds is None or done < rounds:
            time.sleep(interval)


def recent(limit: int = 50) -> list[OutboxMessage]:
    """The newest messages first, for the development email page."""
    return list(
        db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit))
    )


def requeue_failed() -> int:
    """Give failed messages another round of attempts."""
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED.value)
    ).all()
    for message in messages:
        message.status = OutboxStatus.PENDING.value
        message.attempts = 0
        message.next_attempt_at = utcnow()
    db.session.flush()
    return len(messages)
