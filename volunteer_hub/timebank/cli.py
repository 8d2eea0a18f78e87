"""`flask timebank import | balances | check`."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import hours, plural
from volunteer_hub.core.tabular import write_csv
from volunteer_hub.extensions import db
from volunteer_hub.timebank import ledger
from volunteer_hub.timebank.imports import import_exchanges
from volunteer_hub.timebank.ledger import hours_text
from volunteer_hub.timebank.models import Account, TimeBank

timebank = AppGroup("timebank", help="Time banks: import exchanges, balances, ledger check.")


@timebank.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--timebank", "timebank_name", help="The time bank (needed when there are several).")
@click.option(
    "--create-missing",
    is_flag=True,
    help="Create unknown members (approved, without a sign-in) and the named time bank.",
)
def import_command(file: Path, timebank_name: str | None, create_missing: bool) -> None:
    """Import exchanges (header: ref,date,giver_email,receiver_email,hours,description). All rows
    or none; refs imported before are skipped."""
    try:
        result = import_exchanges(
            file, timebank_name=timebank_name, create_missing=create_missing, today=date.today()
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(
        f"Imported {plural(result.imported, 'exchange')} ({hours(result.minutes)}); skipped "
        f"{result.skipped:,} already imported; created {plural(result.created_members, 'member')}"
        + (" and the time bank" if result.created_timebank else "")
        + "."
    )


@timebank.command("balances")
@click.option("--timebank", "timebank_name", help="Only this time bank.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
def balances_command(timebank_name: str | None, fmt: str) -> None:
    """Each account's member (email, or the pot's name) and balance in hours."""
    statement = select(Account).join(TimeBank, TimeBank.id == Account.timebank_id)
    if timebank_name:
        found = db.session.scalar(select(TimeBank.id).where(TimeBank.name == timebank_name))
        if found is None:
            raise click.ClickException(f"There is no time bank called {timebank_name!r}")
        statement = statement.where(Account.timebank_id == found)
    rows = [
        {"member": account.email or account.name, "balance": hours_text(account.balance_minutes)}
        for account in db.session.scalars(
            statement.order_by(TimeBank.name, Account.kind == "pot", Account.email, Account.name)
        )
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = [["member", "balance"]] + [[row["member"], row["balance"]] for row in rows]
    click.echo(write_csv(table), nl=False)


@timebank.command("check")
def check_command() -> None:
    """Recompute every balance from the entries; every transfer and the ledger sum to zero."""
    result = ledger.check()
    if result.problems:
        for problem in result.problems:
            click.echo(problem)
        click.echo(f"ledger NOT balanced: {len(result.problems)} discrepancy(ies)")
        sys.exit(1)
    click.echo(f"ledger balanced: {result.entries} entries, total {hours_text(result.total)}")
