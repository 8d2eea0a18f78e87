"""`flask expenses ...`: import, the annual mileage report and bank-key rotation."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import plural, pounds
from volunteer_hub.core.tabular import write_csv
from volunteer_hub.expenses import bank, figures
from volunteer_hub.expenses.imports import import_expenses
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation

expenses = AppGroup("expenses", help="Volunteers' expenses.")


@expenses.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--create-missing", is_flag=True, help="Create unknown volunteers and organisations.")
def import_command(file: Path, create_missing: bool) -> None:
    """Import claims from CSV or XLSX (header: ref,volunteer_email,volunteer_name,organisation,
    date,type,miles,amount,status,paid_on,description). All rows or none."""
    try:
        result = import_expenses(file, create_missing=create_missing)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(
        f"Imported {plural(result.imported, 'claim')} ({pounds(result.total_pence)}); "
        f"skipped {result.skipped:,} already imported. Created "
        f"{plural(result.created_volunteers, 'volunteer')}, "
        f"{plural(result.created_organisations, 'organisation')}."
    )


@expenses.command("mileage-report")
@click.option(
    "--tax-year",
    "tax_year",
    type=click.IntRange(1990, 2100),
    required=True,
    help="The tax year by its first year: 2025 is 6 April 2025 to 5 April 2026.",
)
@click.option("--format", "output", type=click.Choice(["json", "csv"]), default="json")
@click.option("--organisation", default=None, help="Only this organisation's volunteers.")
def mileage_report_command(tax_year: int, output: str, organisation: str | None) -> None:
    """Per volunteer: miles, mileage paid, tax-free amount and taxable profit."""
    found = None
    if organisation is not None:
        key = " ".join(organisation.split()).casefold()
        found = next(
            (
                o
                for o in db.session.scalars(select(Organisation))
                if " ".join(o.name.split()).casefold() == key
            ),
            None,
        )
        if found is None:
            raise click.ClickException(f"organisation {organisation!r} is not known")
    report = figures.mileage_report(tax_year, found)
    if output == "json":
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(write_csv(figures.report_csv_rows(report)), nl=False)


@expenses.command("rotate-keys")
def rotate_keys_command() -> None:
    """Re-encrypt stored bank details with the first key in BANK_DETAILS_KEYS."""
    try:
        count = bank.rotate()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Re-encrypted {plural(count, 'set')} of bank details with the first key.")
