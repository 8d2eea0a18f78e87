"""Milestones of approved hours and their certificates.

Rules:
- milestones are 50, 100, 250, 500 and 1,000 hours;
- they count every approved hour record of the volunteer (every organisation, employer time
  included), and nothing submitted or rejected;
- a milestone is reached on the date of the approved record that took the total to it, records
  taken in order of date, then of entry;
- only the volunteer sees and downloads their own certificates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app, render_template
from sqlalchemy import select

from volunteer_hub.config import ROOT
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord, HourStatus
from volunteer_hub.organisations.models import Organisation, OrganisationKind
from volunteer_hub.volunteers.models import Volunteer

MILESTONES = (50, 100, 250, 500, 1000)


@dataclass
class Progress:
    """A volunteer's approved total and the milestones it has reached."""

    total_seconds: int = 0
    #: Milestone (hours) → the date it was reached, for those reached.
    reached: dict[int, date] = field(default_factory=dict)

    @property
    def next_milestone(self) -> int | None:
        return next((m for m in MILESTONES if m not in self.reached), None)

    @property
    def seconds_to_go(self) -> int:
        milestone = self.next_milestone
        return 0 if milestone is None else milestone * 3600 - self.total_seconds


def progress(volunteer_id: int) -> Progress:
    result = Progress()
    rows = db.session.execute(
        select(HourRecord.date, HourRecord.seconds)
        .where(
            HourRecord.volunteer_id == volunteer_id,
            HourRecord.status == HourStatus.APPROVED.value,
        )
        .order_by(HourRecord.date, HourRecord.id)
    )
    for day, seconds in rows:
        result.total_seconds += int(seconds)
        for milestone in MILESTONES:
            if milestone not in result.reached and result.total_seconds >= milestone * 3600:
                result.reached[milestone] = day
    return result


def certificate_context(volunteer: Volunteer, milestone: int) -> dict[str, Any] | None:
    """What the certificate says, or None when ``milestone`` is not one or is not reached."""
    if milestone not in MILESTONES:
        return None
    reached_on = progress(volunteer.id).reached.get(milestone)
    if reached_on is None:
        return None
    organisations = list(
        db.session.scalars(
            select(Organisation.name)
            .where(
                Organisation.id.in_(
                    select(HourRecord.organisation_id).where(
                        HourRecord.volunteer_id == volunteer.id,
                        HourRecord.status == HourStatus.APPROVED.value,
                    )
                )
            )
            .order_by(Organisation.name)
        )
    )
    centre = db.session.scalar(
        select(Organisation.name).where(
            Organisation.kind == OrganisationKind.VOLUNTEER_CENTRE.value
        )
    )
    return {
        "name": volunteer.name,
        "milestone": milestone,
        "reached_on": reached_on,
        "organisations": organisations,
        "centre": centre or current_app.config["CENTRE_NAME"],
    }


def certificate_pdf(context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_template("hours/certificate_pdf.html", **context)
    return bytes(HTML(string=html, base_url=str(ROOT)).write_pdf())
