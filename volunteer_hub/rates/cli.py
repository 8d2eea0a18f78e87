"""`flask rates ...`"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import plural
from volunteer_hub.extensions import db
from volunteer_hub.rates import services

rates = AppGroup("rates", help="Reference rates used to value volunteer time.")


@rates.command("import")
@click.argument("file", type=click.Path(path_type=Path))
def import_command(file: Path) -> None:
    """Import rates from CSV or XLSX (header: key,amount,currency,basis,geography,reference_date,
    source,effective_from,effective_to,soc_code)."""
    try:
        result = services.import_rates(file)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Imported {plural(result.added, 'rate')}; {result.skipped:,} already held.")


@rates.command("defaults")
def defaults_command() -> None:
    """Add any missing shipped default rate."""
    added = services.ensure_default_rates()
    db.session.commit()
    click.echo(f"Added {plural(added, 'default rate')}.")
