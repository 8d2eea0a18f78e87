"""`flask users ...` and `flask outbox ...` commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from volunteer_hub.accounts import outbox, services
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import plural
from volunteer_hub.extensions import db

users = AppGroup("users", help="Manage user accounts.")
outbox_group = AppGroup("outbox", help="The email outbox.")


@users.command("create-admin")
@click.option("--email", required=True, help="The administrator's email address.")
@click.option("--name", default="Administrator", show_default=True)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="VOLUNTEER_HUB_ADMIN_PASSWORD",
    help="Prompted for when not given (or read from VOLUNTEER_HUB_ADMIN_PASSWORD).",
)
def create_admin(email: str, name: str, password: str) -> None:
    """Create the first administrator (they set up two-factor sign-in when they first sign in)."""
    try:
        user = services.create_admin(email=email, name=name, password=password)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Administrator {user.email} created. Sign in and set up two-factor sign-in.")


@outbox_group.command("send")
@click.option("--retry-failed", is_flag=True, help="Give failed messages another round first.")
def send(retry_failed: bool) -> None:
    """Send due emails (SMTP settings from the environment; printed here in development)."""
    if retry_failed:
        count = outbox.requeue_failed()
        db.session.commit()
        click.echo(f"{plural(count, 'failed message')} queued again.")
    result = outbox.send_due()
    click.echo(f"Sent {result.sent}, will retry {result.retrying}, failed {result.failed}.")


@outbox_group.command("work")
@click.option(
    "--interval", default=2.0, show_default=True, help="Seconds between rounds of sending."
)
@click.option(
    "--exit-with-parent",
    is_flag=True,
    help="Stop when the process that started this one stops (make run uses it).",
)
def work(interval: float, exit_with_parent: bool) -> None:
    """Keep sending due emails until stopped (in development: print them here, with links)."""
    click.echo(f"Email worker: sending due emails every {plural(f'{interval:g}', 'second')}.")
    outbox.work(interval=max(0.2, interval), exit_with_parent=exit_with_parent)
