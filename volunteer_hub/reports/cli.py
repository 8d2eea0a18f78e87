"""`flask report value ...`: the stable command-line contract for value reports."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from volunteer_hub.core.errors import DomainError
from volunteer_hub.organisations.queries import by_name
from volunteer_hub.reports import exports
from volunteer_hub.reports.disclosure import AuditFailed, NotPublished, publish
from volunteer_hub.reports.value import build_value_report

report = AppGroup("report", help="Reports for partners.")


def _date(value: str, name: str) -> date:
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise click.ClickException(f"{name} {value!r} is not a date like 2025-04-01") from None


@report.command("value")
@click.option("--start", required=True, help="First day, YYYY-MM-DD.")
@click.option("--end", required=True, help="Last day, YYYY-MM-DD (included).")
@click.option("--organisation", default=None, help="Limit to one organisation (its name).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "xlsx", "pdf"]),
    default="json",
    show_default=True,
)
@click.option("--output", type=click.Path(path_type=Path), default=None, help="File to write.")
@click.option(
    "--published",
    is_flag=True,
    help="As partners receive it (the API's JSON): disclosure control and its audit applied; "
    "exits 1 if it would not be released.",
)
def value_command(
    start: str,
    end: str,
    organisation: str | None,
    fmt: str,
    output: Path | None,
    published: bool,
) -> None:
    """The value-of-volunteering report (JSON on standard output by default)."""
    start_date, end_date = _date(start, "--start"), _date(end, "--end")
    if end_date < start_date:
        raise click.ClickException("--end is before --start")
    chosen = None
    if organisation is not None:
        chosen = by_name(organisation)
        if chosen is None:
            raise click.ClickException(f"no organisation is called {organisation!r}")
    try:
        data: dict[str, Any] = build_value_report(
            start=start_date, end=end_date, organisation=chosen
        )
        if published:
            data = publish(data)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    except AuditFailed as failure:
        raise click.ClickException(f"not published: {failure.reason}") from None
    except NotPublished as refusal:
        raise click.ClickException(f"not published: {refusal}") from None
    if fmt == "json":
        content: str | bytes = exports.to_json(data)
    elif fmt == "csv":
        content = exports.to_csv(data)
    elif fmt == "xlsx":
        content = exports.to_xlsx(data)
    else:
        from volunteer_hub.reports.charts import value_charts

        content = exports.to_pdf(data, charts=value_charts(data, for_pdf=True))
    if output is not None:
        if isinstance(content, str):
            output.write_text(content, encoding="utf-8")
        else:
            output.write_bytes(content)
        click.echo(f"Wrote {output}", err=True)
    elif isinstance(content, bytes):
        if sys.stdout.isatty():
            raise click.ClickException(f"--format {fmt} is binary: give --output FILE")
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        click.echo(content, nl=False)


@report.command("send-quarterly")
@click.option(
    "--today",
    default=None,
    help="Act as if today were this day, YYYY-MM-DD (default: today in Europe/London).",
)
def send_quarterly_command(today: str | None) -> None:
    """Email subscribed partners the last closed quarter's report (a link to its PDF), once each:
    safe to run every day, or twice at once."""
    from zoneinfo import ZoneInfo

    from volunteer_hub.extensions import db
    from volunteer_hub.reports.subscriptions import last_closed_quarter, send_closed_quarter

    day = _date(today, "--today") if today else datetime.now(ZoneInfo("Europe/London")).date()
    try:
        queued = send_closed_quarter(day)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    quarter = last_closed_quarter(day)
    click.echo(f"{quarter.label}: queued {queued} email{'' if queued == 1 else 's'}.")
