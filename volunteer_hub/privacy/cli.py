"""`flask privacy export | erase` and `flask retention purge`: a stable contract for admins."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from volunteer_hub.accounts import audit
from volunteer_hub.core.formatting import plural
from volunteer_hub.extensions import db
from volunteer_hub.privacy import people, retention
from volunteer_hub.privacy.erasure import ErasureResult, erase

privacy = AppGroup("privacy", help="Subject access exports and erasure.")
retention_group = AppGroup("retention", help="The retention schedule.")


@privacy.command("export")
@click.option("--email", required=True, help="The person's email address.")
@click.option(
    "--output", required=True, type=click.Path(path_type=Path, dir_okay=False), help="JSON file."
)
def export_command(email: str, output: Path) -> None:
    """Write everything held about a person (the full export, confidential notes included, for
    an administrator to review before release) as JSON."""
    from volunteer_hub.privacy.export import build_export

    user, volunteers = people.every_record_of(email)
    if user is None and not volunteers:
        raise click.ClickException(f"privacy export: no one with email {email!r} is held")
    data = build_export(user=user, volunteer=volunteers[0] if volunteers else None, full=True)
    output.write_text(
        json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    audit.record(
        "privacy.exported",
        target=user if user is not None else volunteers[0],
        details={"via": "command line", "full": True},
    )
    db.session.commit()
    click.echo(f"Wrote {output}")


def _report(result: ErasureResult) -> None:
    who = f"volunteer {result.volunteer_id}" if result.volunteer_id else f"user {result.user_id}"
    state = " (already erased: nothing identifying was left)" if result.already_erased else ""
    click.echo(f"Erased {who} as {result.placeholder!r}{state}")
    for line in result.erased:
        click.echo(f"  - {line}")
    if result.replaced:
        click.echo(f"  - {plural(result.replaced, 'other value')} mentioning them replaced")
    if result.holds:
        click.echo("Kept under a legal hold:")
        for hold in result.holds:
            click.echo(f"  - {hold.line()}")
    else:
        click.echo("Nothing kept under a legal hold.")


@privacy.command("erase")
@click.option("--email", required=True, help="The person's email address.")
@click.option("--yes", is_flag=True, help="Confirm: erasure cannot be undone.")
def erase_command(email: str, yes: bool) -> None:
    """Erase a person: anonymise everything identifying, keep anonymous figures, hold what the
    law requires. Running it again is harmless."""
    if not yes:
        raise click.ClickException("privacy erase: add --yes to confirm (erasure cannot be undone)")
    user, volunteers = people.every_record_of(email)
    if user is None and not volunteers:
        raise click.ClickException(
            f"privacy erase: no one with email {email!r} is held (unknown, or already erased)"
        )
    today = date.today()
    results: list[ErasureResult] = []
    try:
        if user is not None:
            own = next((v for v in volunteers if v.user_id == user.id), None)
            results.append(erase(actor=None, user=user, volunteer=own, today=today))
            volunteers = [v for v in volunteers if v is not own]
        for volunteer in volunteers:
            results.append(erase(actor=None, volunteer=volunteer, today=today))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for result in results:
        _report(result)


@retention_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Show what would be purged; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Apply the retention schedule (safe to re-run; schedule it daily)."""
    settings = retention.schedule()
    try:
        counts = retention.purge(date.today(), dry_run=dry_run)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if dry_run:
        click.echo("dry run: nothing was changed")
    for kind, count in counts:
        months = settings[kind]
        if months is None:
            click.echo(f"{kind}: kept (no retention limit set)")
            continue
        verb = retention.VERBS[kind]
        click.echo(f"{kind}: {count} {'would be ' if dry_run else ''}{verb}")
    click.echo(f"retention: {sum(count for _kind, count in counts)} records")
