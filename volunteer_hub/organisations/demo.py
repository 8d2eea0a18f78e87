"""Invented demo organisations (no real bodies or people): the organisations, their profiles
and checks, and 30+ task descriptions (roles) published for the demo's recruitment."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from volunteer_hub.accounts.queries import find_user_by_email
from volunteer_hub.core.geo import ensure_bundled_outcodes
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Category, Organisation, OrganisationKind, Role
from volunteer_hub.organisations.roles import (
    approve_role,
    ensure_default_categories,
    save_role,
    submit_role,
)
from volunteer_hub.organisations.services import get_or_create_organisation

DEMO_ORGANISATIONS: list[tuple[str, OrganisationKind]] = [
    ("Northbridge Volunteer Centre", OrganisationKind.VOLUNTEER_CENTRE),
    ("Riverside Befriending Network", OrganisationKind.VCO),
    ("Greenway Community Garden", OrganisationKind.VCO),
    ("Northbridge Food Share", OrganisationKind.VCO),
    ("Northbridge Borough Council", OrganisationKind.STATUTORY),
    ("Northbridge Community Health NHS Trust", OrganisationKind.STATUTORY),
]


def seed() -> list[str]:
    for name, kind in DEMO_ORGANISATIONS:
        get_or_create_organisation(name=name, kind=kind)
    return []


PROFILES: dict[str, dict[str, Any]] = {
    "Riverside Befriending Network": {"postcode": "NB1 4RT", "charity_number": "1190001"},
    "Greenway Community Garden": {"postcode": "NB3 7GG", "charity_number": "1190002"},
    "Northbridge Food Share": {"postcode": "NB2 1FS", "charity_number": "1190003"},
    "Eastfield Youth Football Club": {"postcode": "NB5 2EF", "charity_number": "1190004"},
}

#: (organisation, title, categories, commitment, hours a week, days, where, under-18s, DBS, SOC,
#:  purpose, activities)
ROLES: list[
    tuple[str, str, tuple[str, ...], str, float, str, str, bool, str, str | None, str, str]
] = [
    (
        "Riverside Befriending Network",
        "Befriender",
        ("befriending",),
        "regular",
        1.5,
        "A weekday afternoon to suit you",
        "on_site",
        False,
        "enhanced",
        "6145",
        "Older neighbours living alone tell us a weekly visit is the highlight of their week.",
        "Visit one older person at home each week for a chat, a cup of tea, perhaps a short walk.",
    ),
    (
        "Riverside Befriending Network",
        "Telephone befriender",
        ("befriending",),
        "regular",
        1,
        "Any time between 10am and 7pm",
        "remote",
        False,
        "basic",
        "6145",
        "Some neighbours cannot have visitors; a friendly call keeps them connected.",
        "Make two or three calls a week from home to people matched with you.",
    ),
    (
        "Riverside Befriending Network",
        "Lunch club host",
        ("befriending", "food"),
        "regular",
        3,
        "Wednesdays, 11am to 2pm",
        "on_site",
        True,
        "none",
        None,
        "Our lunch club brings 30 older people together every week.",
        "Welcome guests, serve lunch, chat and help clear up.",
    ),
    (
        "Riverside Befriending Network",
        "Volunteer driver",
        ("driving",),
        "regular",
        3,
        "Weekday mornings, flexible",
        "on_site",
        False,
        "enhanced",
        "8214",
        "Many members can only come to the lunch club if someone drives them.",
        "Drive members in your own car to the lunch club and appointments; mileage is repaid.",
    ),
    (
        "Riverside Befriending Network",
        "Digital buddy",
        ("digital", "befriending"),
        "regular",
        2,
        "Thursday afternoons",
        "hybrid",
        True,
        "none",
        None,
        "Helping older people get online opens up video calls with family and online shopping.",
        "Sit with members and help them use tablets and phones at our weekly drop-in.",
    ),
    (
        "Riverside Befriending Network",
        "Trustee (treasurer)",
        ("trustees",),
        "regular",
        2,
        "One evening meeting a month",
        "hybrid",
        False,
        "none",
        None,
        "A small charity needs a treasurer to keep its finances healthy.",
        "Oversee the accounts, report to the board each month and help plan the budget.",
    ),
    (
        "Greenway Community Garden",
        "Garden volunteer",
        ("environment",),
        "regular",
        3,
        "Saturday mornings, 10am to 1pm",
        "on_site",
        True,
        "none",
        "5113",
        "The garden grows food for the food share and is a calm space for the neighbourhood.",
        "Plant, weed, water and harvest alongside our friendly Saturday team.",
    ),
    (
        "Greenway Community Garden",
        "Tree planting day helper",
        ("environment", "events"),
        "one_off",
        5,
        "One Saturday in the planting season",
        "on_site",
        True,
        "none",
        None,
        "We plant 200 trees along the river each winter.",
        "Dig, plant and mulch young trees with a team; tools and gloves are provided.",
    ),
    (
        "Greenway Community Garden",
        "Beekeeping assistant",
        ("environment",),
        "regular",
        2,
        "Sunday afternoons in summer",
        "on_site",
        False,
        "none",
        None,
        "Our bees pollinate the garden and the allotments around it.",
        "Help our beekeeper check hives, record what you see and harvest honey.",
    ),
    (
        "Greenway Community Garden",
        "Garden session leader",
        ("environment", "children_young_people"),
        "regular",
        3,
        "Tuesday after-school sessions",
        "on_site",
        False,
        "enhanced",
        None,
        "Children from two local schools come to grow vegetables each week.",
        "Lead small groups of children in simple gardening activities, with staff present.",
    ),
    (
        "Greenway Community Garden",
        "Social media helper",
        ("digital", "events"),
        "regular",
        1,
        "Whenever suits you",
        "remote",
        True,
        "none",
        None,
        "More people would use the garden if they knew about it.",
        "Take photos on garden days and post about events on our social media.",
    ),
    (
        "Greenway Community Garden",
        "Trustee",
        ("trustees",),
        "regular",
        1.5,
        "Quarterly evening meetings",
        "hybrid",
        False,
        "none",
        None,
        "The garden is run by a small board of local residents.",
        "Share in decisions about the garden's future and support the coordinator.",
    ),
    (
        "Northbridge Food Share",
        "Warehouse volunteer",
        ("food",),
        "regular",
        4,
        "Monday or Friday, 9am to 1pm",
        "on_site",
        True,
        "none",
        "9252",
        "Surplus food from supermarkets reaches 40 community groups through our warehouse.",
        "Sort and pack donated food, check dates and load vans.",
    ),
    (
        "Northbridge Food Share",
        "Delivery driver",
        ("driving", "food"),
        "regular",
        4,
        "Weekday mornings",
        "on_site",
        False,
        "basic",
        "8214",
        "Our van takes food to groups who cannot collect it.",
        "Drive our van (category B licence) on a set route with a co-driver.",
    ),
    (
        "Northbridge Food Share",
        "Community fridge host",
        ("food",),
        "regular",
        2,
        "Saturday, 11am to 1pm",
        "on_site",
        True,
        "none",
        None,
        "The community fridge shares food that would otherwise go to waste.",
        "Check and restock the fridge, keep the temperature log and welcome visitors.",
    ),
    (
        "Northbridge Food Share",
        "Cook for community meals",
        ("food",),
        "regular",
        3,
        "Thursday evenings",
        "on_site",
        False,
        "none",
        None,
        "Our Thursday meal feeds 60 people and is a place to meet neighbours.",
        "Prepare and cook a hot meal with a small team; food hygiene training is provided.",
    ),
    (
        "Northbridge Food Share",
        "Fundraising event helper",
        ("events",),
        "one_off",
        4,
        "One Saturday in spring",
        "on_site",
        True,
        "none",
        None,
        "Our spring fun run pays for a year of van fuel.",
        "Marshal the route, hand out water and cheer runners on.",
    ),
    (
        "Northbridge Food Share",
        "Data entry volunteer",
        ("admin",),
        "regular",
        2,
        "Any weekday, flexible",
        "remote",
        False,
        "none",
        "4159",
        "Funders need to know how much food we save and where it goes.",
        "Enter delivery records into our spreadsheet and check totals.",
    ),
    (
        "Northbridge Volunteer Centre",
        "Office support",
        ("admin",),
        "regular",
        3,
        "Tuesday or Wednesday, 10am to 1pm",
        "on_site",
        False,
        "none",
        "4159",
        "The volunteer centre helps hundreds of people find volunteering each year.",
        "Answer enquiries, update records and help prepare volunteer fairs.",
    ),
    (
        "Northbridge Volunteer Centre",
        "Volunteer fair helper",
        ("events",),
        "one_off",
        5,
        "One Saturday in September",
        "on_site",
        True,
        "none",
        None,
        "Our annual fair introduces 40 organisations to new volunteers.",
        "Set up stalls, welcome visitors and point them to organisations.",
    ),
    (
        "Northbridge Volunteer Centre",
        "Advice line volunteer",
        ("advice",),
        "regular",
        3,
        "Monday mornings",
        "hybrid",
        False,
        "basic",
        None,
        "People ringing our advice line often just need help finding the right service.",
        "Answer calls, listen, and signpost callers using our directory; full training given.",
    ),
    (
        "Northbridge Volunteer Centre",
        "Peer mentor for young volunteers",
        ("children_young_people", "befriending"),
        "regular",
        1,
        "Fortnightly, after school",
        "on_site",
        False,
        "enhanced",
        None,
        "Young people stay in volunteering longer when someone has their back.",
        "Meet a young volunteer every two weeks to talk through how their volunteering is going.",
    ),
    (
        "Northbridge Volunteer Centre",
        "Translator (community languages)",
        ("advice",),
        "one_off",
        2,
        "As needed",
        "remote",
        False,
        "none",
        None,
        "Some residents cannot read our leaflets in English.",
        "Translate short leaflets into a language you speak fluently.",
    ),
    (
        "Northbridge Community Health NHS Trust",
        "Hospital ward companion",
        ("health_care", "befriending"),
        "regular",
        3,
        "Afternoons, two a week",
        "on_site",
        False,
        "enhanced",
        "6145",
        "Patients without visitors recover better with company.",
        "Chat with patients, read to them and help at mealtimes.",
    ),
    (
        "Northbridge Community Health NHS Trust",
        "Wayfinding guide",
        ("health_care",),
        "regular",
        3,
        "Weekday mornings at the main entrance",
        "on_site",
        True,
        "basic",
        None,
        "The hospital site is confusing for first-time visitors.",
        "Greet visitors and walk them to clinics and wards.",
    ),
    (
        "Northbridge Community Health NHS Trust",
        "Patient panel member",
        ("health_care", "advice"),
        "regular",
        1,
        "One evening meeting a month",
        "hybrid",
        False,
        "none",
        None,
        "Patients' views shape how our services change.",
        "Read papers, share your experience and comment on plans with other patients.",
    ),
    (
        "Northbridge Community Health NHS Trust",
        "Walking group leader",
        ("sport", "health_care"),
        "regular",
        1.5,
        "Wednesday mornings",
        "on_site",
        False,
        "basic",
        None,
        "Regular walks help people recovering from illness get active again.",
        "Lead a gentle hour-long walk on a set route; walk leader training given.",
    ),
    (
        "Northbridge Borough Council",
        "Library reading buddy",
        ("children_young_people",),
        "regular",
        1,
        "Saturday mornings",
        "on_site",
        True,
        "enhanced",
        None,
        "Children who read for fun do better at school.",
        "Listen to children read and share stories at the library.",
    ),
    (
        "Northbridge Borough Council",
        "Park litter picker",
        ("environment",),
        "one_off",
        2,
        "The first Sunday of the month",
        "on_site",
        True,
        "none",
        None,
        "Clean parks are safer and more welcoming for everyone.",
        "Join a monthly litter pick; equipment provided.",
    ),
    (
        "Northbridge Borough Council",
        "Heritage archive assistant",
        ("arts",),
        "regular",
        3,
        "Thursdays",
        "on_site",
        False,
        "none",
        None,
        "The borough archive holds 100 years of local photographs.",
        "Catalogue and scan photographs and write short descriptions.",
    ),
    (
        "Northbridge Borough Council",
        "Community event steward",
        ("events",),
        "one_off",
        6,
        "Summer festival weekend",
        "on_site",
        False,
        "none",
        None,
        "The summer festival brings 10,000 people to the park.",
        "Help visitors, direct the crowd and support the event team.",
    ),
    (
        "Eastfield Youth Football Club",
        "Youth football coach",
        ("sport", "children_young_people"),
        "regular",
        3,
        "Saturday mornings and one weekday evening",
        "on_site",
        False,
        "enhanced_barred",
        None,
        "Football keeps 120 local children active and part of a team.",
        "Coach an under-10s team; coaching badge course paid for by the club.",
    ),
]

COMMON: dict[str, Any] = {
    "skills": "Reliability, patience and a friendly manner. No experience needed.",
    "support_given": "An induction on your first day, a named contact, and a team to ask.",
    "supervision_every_weeks": 6,
    "training_given": "Induction, safeguarding awareness, and any role training you need.",
    "expenses_policy": "We repay travel (bus fares, or 45p a mile by car) and meals on long "
    "shifts, monthly, with receipts. No flat-rate payments.",
    "accessibility": "Step-free access and an accessible toilet. Tell us about any adjustments.",
}


def _organisations(today: date) -> dict[str, Organisation]:
    get_or_create_organisation(name="Eastfield Youth Football Club", kind=OrganisationKind.VCO)
    organisations = {o.name: o for o in db.session.scalars(select(Organisation))}
    for name, profile in PROFILES.items():
        organisation = organisations[name]
        organisation.postcode = profile["postcode"]
        organisation.charity_number = profile["charity_number"]
        organisation.contact_email = "hello@" + organisation.slug + ".demo.volunteerhub.invalid"
        organisation.description = f"{name} is an invented organisation for the demo."
        organisation.safeguarding_lead = "Safeguarding lead (invented)"
        organisation.safeguarding_review_date = today + timedelta(days=300)
        # Eastfield's insurance has lapsed: its role is not published, and its page says why.
        lapsed = name == "Eastfield Youth Football Club"
        organisation.insurance_expiry = today + timedelta(days=-10 if lapsed else 200)
    # Each demo coordinator is their organisation's safeguarding lead, so the demo journey can
    # record a DBS check and place someone in a role that needs one.
    for email, name in (
        ("befriending@demo.volunteerhub.invalid", "Riverside Befriending Network"),
        ("garden@demo.volunteerhub.invalid", "Greenway Community Garden"),
    ):
        lead = find_user_by_email(email)
        if lead is not None:
            organisations[name].safeguarding_lead_user_id = lead.id
    return organisations


def seed_roles() -> list[str]:
    """The demo organisations' profiles and 30+ task descriptions, published where the
    organisation's checks are in date (Eastfield's insurance has lapsed)."""
    if db.session.scalar(
        select(Role.id)
        .join(Organisation, Organisation.id == Role.organisation_id)
        .where(Organisation.name == "Eastfield Youth Football Club")
        .limit(1)
    ):
        return []
    ensure_default_categories()
    ensure_bundled_outcodes()
    today = date.today()
    organisations = _organisations(today)
    centre_user = find_user_by_email("centre@demo.volunteerhub.invalid")
    if centre_user is None:
        return []
    categories = {c.key: c.id for c in db.session.scalars(select(Category))}
    roles: dict[str, Role] = {}
    for n, spec in enumerate(ROLES):
        org_name, title, keys, commitment, hours, days, where, under_18, dbs, soc, purpose, does = (
            spec
        )
        organisation = organisations[org_name]
        existing = db.session.scalar(
            select(Role).where(Role.organisation_id == organisation.id, Role.title == title)
        )
        values = {
            **COMMON,
            "title": title,
            "purpose": purpose,
            "activities": does,
            "commitment": commitment,
            "hours_per_week": hours,
            "days_and_times": days,
            "location_type": where,
            "postcode": None
            if where == "remote"
            else PROFILES.get(org_name, {}).get("postcode", "NB1 1AA"),
            "under_18_welcome": under_18,
            "minimum_age": 16 if under_18 else 18,
            "dbs_level": dbs,
            "dbs_reason": None
            if dbs == "none"
            else "The role involves regular contact with people who may be vulnerable.",
            "soc_code": soc,
            "supervised_by": "Volunteer Coordinator",
            "start_date": today + timedelta(days=7 + 3 * n) if n % 4 == 0 else None,
        }
        role = save_role(
            actor=centre_user,
            organisation=organisation,
            values=values,
            category_ids=[categories[k] for k in keys],
            role=existing,
        )
        submit_role(actor=centre_user, role=role)
        if not organisation.lapsed_checks(today):
            approve_role(actor=centre_user, role=role, today=today)
        roles[title] = role
    published = sum(1 for r in roles.values() if r.version)
    return [f"Demo recruitment: {published} published roles, applicants in every stage."]
