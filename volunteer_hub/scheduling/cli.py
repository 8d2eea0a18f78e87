"""`flask shifts import | import-signups | roster` (a stable contract)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import plural
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.tabular import write_csv
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.scheduling import queries
from volunteer_hub.scheduling.imports import import_shifts, import_signups

shifts = AppGroup("shifts", help="Shifts and rotas: import shifts and sign-ups, the roster.")

ROSTER_KEYS = (
    "ref",
    "organisation",
    "role",
    "start",
    "end",
    "capacity",
    "confirmed",
    "waiting",
    "attended",
    "no_show",
)


@shifts.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--create-missing", is_flag=True, help="Create unknown organisations and roles.")
def import_command(file: Path, create_missing: bool) -> None:
    """Import shifts (header: ref,organisation,role,start,end,capacity,location; start and end
    as YYYY-MM-DDTHH:MM in UK time). All rows or none; refs imported before are skipped."""
    try:
        result = import_shifts(file, create_missing=create_missing)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(
        f"Imported {plural(result.imported, 'shift')}; skipped {result.skipped:,} already "
        f"imported. Created {plural(result.created_organisations, 'organisation')}, "
        f"{plural(result.created_roles, 'role')}."
    )


@shifts.command("import-signups")
@click.argument("file", type=click.Path(path_type=Path))
def import_signups_command(file: Path) -> None:
    """Import sign-ups from an older rota (header: shift_ref,volunteer_email,status with status
    confirmed, attended or no_show). All rows or none; confirmed rows beyond a shift's capacity
    join its waiting list in file order; attendance records approved hours once."""
    try:
        result = import_signups(file, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(
        f"Imported {plural(result.imported, 'sign-up')} ({result.confirmed:,} confirmed, "
        f"{result.waiting:,} waiting, {result.attended:,} attended, {result.no_show:,} no-show); "
        f"skipped {result.skipped:,} already recorded."
    )


@shifts.command("roster")
@click.option("--start", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--end", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--organisation", "organisation_name", help="Only this organisation's shifts.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
def roster_command(start: date, end: date, organisation_name: str | None, fmt: str) -> None:
    """Shifts starting from --start to --end (UK days, both included) with who is confirmed,
    waiting (in order), attended and did not attend (volunteer emails)."""
    first, last = start.date(), end.date()  # type: ignore[attr-defined]
    if last < first:
        raise click.ClickException("--end must be on or after --start")
    organisation_id = None
    if organisation_name:
        organisation_id = db.session.scalar(
            select(Organisation.id).where(
                func.lower(Organisation.name) == organisation_name.strip().lower()
            )
        )
        if organisation_id is None:
            raise click.ClickException(f"No organisation is called {organisation_name!r}")
    rows = [queries.roster_row(s) for s in queries.shifts_between(first, last, organisation_id)]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    lines = [ROSTER_KEYS] + [
        tuple(";".join(v) if isinstance(v, list) else v for v in row.values()) for row in rows
    ]
    sys.stdout.write(write_csv(lines))
