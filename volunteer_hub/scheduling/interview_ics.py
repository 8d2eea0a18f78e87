"""The ``.ics`` invitations of interview bookings (RFC 5545/5546, built with ``icalendar``).

One event per booking: its ``UID`` is the booking's own (stable through moves), ``SEQUENCE``
goes up on every move and on cancelling, times are UTC. Each reader gets their own copy: the
applicant's names the role and organisation only; the coordinators' also names the applicant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parseaddr

import icalendar
from flask import current_app

from volunteer_hub.scheduling.models import InterviewBooking, InterviewSlot

PRODID = "-//Volunteer Hub//Interviews//EN"


@dataclass(frozen=True)
class Invitation:
    """What one reader's copy of a booking's event says."""

    uid: str
    sequence: int
    slot: InterviewSlot
    summary: str
    description: str
    cancelled: bool = False


def for_booking(
    booking: InterviewBooking, *, slot: InterviewSlot | None = None, staff: bool, link: str = ""
) -> Invitation:
    slot = slot or booking.slot
    role = slot.role
    who = f" with {booking.volunteer.name}" if staff else ""
    where = slot.video_url or slot.place or ""
    return Invitation(
        uid=booking.uid,
        sequence=booking.sequence,
        slot=slot,
        summary=f"Interview{who}: {role.title}, {role.organisation.name}",
        description="\n".join(part for part in (f"Where: {where}", link) if part),
        cancelled=booking.status != "booked",
    )


def event(invitation: Invitation, *, stamp: datetime | None = None) -> icalendar.Event:
    slot = invitation.slot
    item = icalendar.Event()
    item.add("uid", invitation.uid)
    item.add("sequence", invitation.sequence)
    item.add("dtstamp", (stamp or datetime.now(UTC)).astimezone(UTC))
    item.add("dtstart", slot.starts_at.astimezone(UTC))
    item.add("dtend", slot.ends_at.astimezone(UTC))
    item.add("summary", invitation.summary)
    item.add("description", invitation.description)
    item.add("location", slot.place or slot.video_url or "")
    if slot.video_url:
        item.add("url", slot.video_url)
    item.add("status", "CANCELLED" if invitation.cancelled else "CONFIRMED")
    item.add("transp", "OPAQUE")
    return item


def calendar(invitation: Invitation, *, stamp: datetime | None = None) -> str:
    """The whole ``.ics`` file: ``METHOD:REQUEST`` for a booking or move, ``METHOD:CANCEL``."""
    method = "CANCEL" if invitation.cancelled else "REQUEST"
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    item = event(invitation, stamp=stamp)
    sender = (
        parseaddr(current_app.config.get("MAIL_FROM", ""))[1] or "no-reply@volunteerhub.invalid"
    )
    organizer = icalendar.vCalAddress(f"mailto:{sender}")
    organizer.params["cn"] = icalendar.vText("Volunteer Hub")
    item.add("organizer", organizer)
    cal.add_component(item)
    return cal.to_ical().decode()


def method_of(invitation: Invitation) -> str:
    return "CANCEL" if invitation.cancelled else "REQUEST"
