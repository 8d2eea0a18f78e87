"""Command-line interface: registers each domain's ``flask`` commands."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask
from flask.cli import AppGroup

from volunteer_hub.extensions import db

demo = AppGroup("demo", help="Invented demo data for trying the service.")

#: Each domain's demo seeder, in dependency order. A seeder is idempotent, flushes but never
#: commits, and returns lines to print (e.g. demo sign-ins).
DEMO_SEEDERS: list[Callable[[], list[str]]] = []


def _seeders() -> list[Callable[[], list[str]]]:
    from volunteer_hub.accounts import demo as accounts_demo
    from volunteer_hub.expenses import demo as expenses_demo
    from volunteer_hub.hours import demo as hours_demo
    from volunteer_hub.investment import demo as investment_demo
    from volunteer_hub.matching import demo as matching_demo
    from volunteer_hub.messaging import demo as messaging_demo
    from volunteer_hub.organisations import demo as organisations_demo
    from volunteer_hub.placements import demo as placements_demo
    from volunteer_hub.privacy import demo as privacy_demo
    from volunteer_hub.recruitment import demo as recruitment_demo
    from volunteer_hub.scheduling import demo as scheduling_demo
    from volunteer_hub.supervision import demo as supervision_demo
    from volunteer_hub.timebank import demo as timebank_demo
    from volunteer_hub.training import demo as training_demo
    from volunteer_hub.uploads import demo as uploads_demo
    from volunteer_hub.volunteers import demo as volunteers_demo

    return [
        organisations_demo.seed,
        accounts_demo.seed,
        hours_demo.seed,
        investment_demo.seed,
        volunteers_demo.seed,
        organisations_demo.seed_roles,
        recruitment_demo.seed,
        placements_demo.seed,
        hours_demo.seed_logged,
        supervision_demo.seed,
        training_demo.seed,
        scheduling_demo.seed,
        scheduling_demo.seed_interviews,
        expenses_demo.seed,
        timebank_demo.seed,
        privacy_demo.seed,
        uploads_demo.seed,
        matching_demo.seed,
        messaging_demo.seed,
        *DEMO_SEEDERS,
    ]


@demo.command("seed")
def seed_command() -> None:
    """Create invented but realistic demo data. Running it twice changes nothing."""
    lines: list[str] = []
    try:
        for seeder in _seeders():
            lines.extend(seeder())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo("Demo data is ready.")
    for line in lines:
        click.echo(line)


def register_commands(app: Flask) -> None:
    from volunteer_hub.accounts.cli import outbox_group, users
    from volunteer_hub.expenses.cli import expenses
    from volunteer_hub.hours.cli import hours
    from volunteer_hub.investment.cli import investment
    from volunteer_hub.jobs.cli import backup_group, jobs_group
    from volunteer_hub.privacy.cli import privacy, retention_group
    from volunteer_hub.rates.cli import rates
    from volunteer_hub.recruitment.cli import recruitment
    from volunteer_hub.reminders.cli import remind_alias, reminders
    from volunteer_hub.reports.cli import report
    from volunteer_hub.scheduling.cli import shifts
    from volunteer_hub.timebank.cli import timebank

    for group in (
        demo,
        users,
        outbox_group,
        rates,
        hours,
        investment,
        report,
        recruitment,
        reminders,
        expenses,
        timebank,
        shifts,
        privacy,
        retention_group,
        jobs_group,
        backup_group,
    ):
        app.cli.add_command(group)
    # Documented in the README: one command (`reminders send`) owns every reminder.
    recruitment.add_command(remind_alias)
