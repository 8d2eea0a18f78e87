"""`flask investment ...`"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from volunteer_hub.core.errors import DomainError
from volunteer_hub.extensions import db
from volunteer_hub.investment import services

investment = AppGroup("investment", help="Investment in volunteers, for the VIVA ratio.")


@investment.command("import")
@click.argument("file", type=click.Path(path_type=Path))
def import_command(file: Path) -> None:
    """Import investment from CSV or XLSX (header: organisation,period_start,period_end,category,
    amount)."""
    try:
        result = services.import_investment(file)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Imported {result.added} investment entr(ies); {result.skipped} already held.")
