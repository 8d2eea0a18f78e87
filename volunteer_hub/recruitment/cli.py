"""`flask recruitment ...`: loading outward codes for distance search."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from volunteer_hub.core.geo import centroid, load_outcodes
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Role

#: ``flask recruitment remind`` (documented, so kept working) is registered on this group by
#: ``volunteer_hub.cli``: it runs ``flask reminders send``, which owns every reminder.
recruitment = AppGroup("recruitment", help="Recruitment: outward codes for distance search.")


@recruitment.command("load-outcodes")
@click.argument("file", type=click.Path(path_type=Path))
def load_outcodes_command(file: Path) -> None:
    """Load outward-code centroids (header outcode,latitude,longitude), e.g. from the ONS
    Postcode Directory, then place every role on the map again."""
    try:
        count = load_outcodes(file)
    except (ValueError, OSError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    located = 0
    for role in db.session.scalars(select(Role)):
        point = centroid(role.postcode)
        role.latitude, role.longitude = point if point else (None, None)
        located += point is not None
    db.session.commit()
    click.echo(f"Loaded {count:,} outward codes; {located:,} roles placed on the map.")
