"""`flask hours ...`"""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import text

from volunteer_hub.core import formatting
from volunteer_hub.core.errors import DomainError
from volunteer_hub.extensions import db
from volunteer_hub.hours.imports import import_hours

hours = AppGroup("hours", help="Volunteer hours.")

#: After an import this large, statistics are refreshed at once rather than left to autovacuum.
REFRESH_STATISTICS_AFTER = 10_000


def refresh_statistics() -> None:
    """PostgreSQL: VACUUM (ANALYZE) so reports get index-only scans and good plans straight after
    a big import; SQLite: ``PRAGMA optimize``."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM (ANALYZE) hours_record")
            )
        else:
            connection.execute(text("PRAGMA optimize"))
            connection.commit()


@hours.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--create-missing",
    is_flag=True,
    help="Create unknown volunteers (without a sign-in), organisations and roles.",
)
def import_command(file: Path, create_missing: bool) -> None:
    """Import approved hours from CSV or XLSX (header: ref,volunteer_email,volunteer_name,
    organisation,role,soc_code,date,hours,employer_time). All rows or none."""
    started = time.monotonic()

    def progress(stage: str, rows: int) -> None:
        click.echo(f"… {rows:,} rows {stage} ({time.monotonic() - started:.0f} s)", err=True)

    try:
        result = import_hours(file, create_missing=create_missing, progress=progress)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo("Committing…", err=True)
    db.session.commit()
    if result.imported >= REFRESH_STATISTICS_AFTER:
        click.echo("Refreshing the database's statistics for reports…", err=True)
        refresh_statistics()
    click.echo(
        f"Imported {formatting.plural(result.imported, 'hour record')} "
        f"({formatting.hours(result.total_hours, 'hours')}); "
        f"skipped {result.skipped:,} already imported. "
        f"Created {formatting.plural(result.created_volunteers, 'volunteer')}, "
        f"{formatting.plural(result.created_organisations, 'organisation')}, "
        f"{formatting.plural(result.created_roles, 'role')}. {time.monotonic() - started:.1f} s."
    )
