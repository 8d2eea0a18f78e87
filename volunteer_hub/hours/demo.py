"""Invented demo hours: two financial years across the demo organisations, plus investment."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert, select

from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.organisations.models import Organisation, Role
from volunteer_hub.rates.services import ensure_default_rates
from volunteer_hub.volunteers.models import Volunteer

FIRST = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Femi",
    "Grace",
    "Hamza",
    "Isla",
    "Jonah",
    "Kiran",
    "Lena",
    "Marek",
    "Nia",
    "Owen",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tess",
]
LAST = [
    "Adeyemi",
    "Brook",
    "Carver",
    "Doyle",
    "Evans",
    "Fenwick",
    "Gill",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kowalski",
    "Lloyd",
    "Mensah",
    "Nolan",
    "Okoro",
    "Patel",
]
ROLES: dict[str, list[tuple[str, str | None]]] = {
    "Riverside Befriending Network": [("Befriender", "6135"), ("Telephone befriender", "6135")],
    "Greenway Community Garden": [("Garden volunteer", "5113"), ("Trustee", None)],
    "Northbridge Food Share": [("Warehouse volunteer", "9252"), ("Delivery driver", "8214")],
    "Northbridge Volunteer Centre": [("Office support", "4159")],
}


def financial_year_start(day: date) -> date:
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def demo_span(today: date) -> tuple[date, date]:
    """From the start of the financial year two years ago up to yesterday, so every recent
    financial year and quarter has figures, whenever the demo is seeded."""
    return financial_year_start(today - timedelta(days=730)), today - timedelta(days=1)


def seed() -> list[str]:
    ensure_default_rates()
    if db.session.scalar(select(HourRecord.id).where(HourRecord.ref.like("demo-%")).limit(1)):
        return []
    rng = random.Random(2026)  # noqa: S311 - deterministic invented demo data
    organisations = {o.name: o for o in db.session.scalars(select(Organisation))}
    roles: list[Role] = []
    for org_name, titles in ROLES.items():
        organisation = organisations.get(org_name)
        if organisation is None:
            continue
        for title, soc in titles:
            role = db.session.scalar(
                select(Role).where(Role.organisation_id == organisation.id, Role.title == title)
            )
            if role is None:
                role = Role(organisation_id=organisation.id, title=title, soc_code=soc)
                db.session.add(role)
            roles.append(role)
    db.session.flush()
    volunteers = []
    for n in range(120):
        email = f"volunteer{n:03d}@demo.volunteerhub.invalid"
        volunteer = db.session.scalar(select(Volunteer).where(Volunteer.email == email))
        if volunteer is None:
            volunteer = Volunteer(email=email, name=f"{rng.choice(FIRST)} {rng.choice(LAST)}")
            db.session.add(volunteer)
        volunteers.append(volunteer)
    db.session.flush()
    rows = []
    start, end = demo_span(date.today())
    now = utcnow()
    for n, volunteer in enumerate(volunteers):
        role = rng.choice(roles)
        joined = start + timedelta(days=rng.randrange(0, 600))
        left = min(end, joined + timedelta(days=rng.randrange(60, 730)))
        step = rng.choice([7, 7, 14, 30])
        day = joined
        i = 0
        while day <= left:
            rows.append(
                {
                    "ref": f"demo-{n}-{i}",
                    "volunteer_id": volunteer.id,
                    "organisation_id": role.organisation_id,
                    "role_id": role.id,
                    "date": day,
                    "seconds": rng.choice([2, 2.5, 3, 3, 4]) * 3600,
                    "status": "approved",
                    "source": "imported",
                    "employer_time": n % 25 == 0,
                    "soc_code": role.soc_code,
                    "approved_at": now,
                    "created_at": now,
                }
            )
            day += timedelta(days=step)
            i += 1
    for chunk in range(0, len(rows), 2000):
        db.session.execute(insert(HourRecord), rows[chunk : chunk + 2000])
    db.session.flush()
    return [f"Demo hours: {len(rows):,} approved records from {start} to {end}."]


def seed_logged() -> list[str]:
    """Two months of hours the demo volunteer logged on their garden placement: approved, one
    rejected, and some waiting for the garden coordinator's approval."""
    from volunteer_hub.accounts.models import User
    from volunteer_hub.placements.models import Placement

    demo = db.session.scalar(
        select(User).where(User.email == "volunteer@demo.volunteerhub.invalid")
    )
    if demo is None:
        return []
    placement = db.session.scalar(
        select(Placement)
        .join(Volunteer, Volunteer.id == Placement.volunteer_id)
        .where(Volunteer.user_id == demo.id)
    )
    if placement is None or db.session.scalar(
        select(HourRecord.id).where(HourRecord.placement_id == placement.id).limit(1)
    ):
        return []
    today = date.today()
    start = placement.start_date
    count = 0
    for week in range(9):
        day = start + timedelta(days=7 * week + 5)  # Saturdays, roughly
        if day >= today:
            break
        status = "approved" if week < 6 else ("rejected" if week == 6 else "submitted")
        db.session.add(
            HourRecord(
                volunteer_id=placement.volunteer_id,
                organisation_id=placement.organisation_id,
                role_id=placement.role_id,
                placement_id=placement.id,
                soc_code=placement.role.soc_code,
                date=day,
                seconds=3 * 3600,
                status=status,
                source="logged",
                approved_by_id=placement.supervisor_id if status != "submitted" else None,
                approved_at=utcnow() if status != "submitted" else None,
                decision_reason="The session was cancelled for rain"
                if status == "rejected"
                else None,
                note="Saturday garden session",
            )
        )
        count += 1
    db.session.flush()
    return [f"Demo logged hours: {count} sessions for the demo volunteer."]
