"""Matching tests: a small world around the shared personas.

- Alice applied to Organisation A's gardening role (connected to A); she likes gardening, drives,
  speaks Welsh, is free on Saturday mornings and lives in NB1.
- Bob applied to a role of Organisation B (connected to B only).
- Carol is connected to nobody but agreed to be found by partner organisations.
- Dave is connected to nobody and agreed to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import UserFactory
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.services import give_consent
from volunteer_hub.extensions import db
from volunteer_hub.matching.reach import FINDABLE
from volunteer_hub.organisations.models import Role
from volunteer_hub.recruitment.models import Application, Stage
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import volunteer_for


def make_volunteer(email: str, name: str, **profile: Any) -> tuple[User, Volunteer]:
    user = UserFactory(email=email, name=name)
    volunteer = volunteer_for(user)
    for key, value in profile.items():
        setattr(volunteer, key, value)
    db.session.flush()
    return user, volunteer


def connect(volunteer: Volunteer, role: Role, stage: Stage = Stage.APPLIED) -> Application:
    application = Application(
        volunteer_id=volunteer.id,
        role_id=role.id,
        organisation_id=role.organisation_id,
        stage=stage.value,
    )
    db.session.add(application)
    db.session.flush()
    return application


@dataclass
class World:
    garden: Role
    kitchen: Role
    alice: Volunteer
    bob: Volunteer
    carol: Volunteer
    dave: Volunteer
    alice_user: User
    carol_user: User
    dave_user: User


@pytest.fixture
def world(personas: Any, publish: Any, categories: Any) -> World:
    garden = publish(
        personas.org_a,
        "Community garden helper",
        purpose="Grow vegetables with neighbours in the community garden.",
        activities="Gardening, weeding and watering.",
        skills="Driving the van to the allotment is a bonus.",
        days_and_times="Saturday mornings",
        postcode="NB1 3XY",
    )
    kitchen = publish(
        personas.org_b,
        "Lunch club cook",
        purpose="Cook lunch for older neighbours.",
        activities="Cooking and serving.",
        days_and_times="Weekday afternoons",
        postcode="NB2 1AA",
    )
    alice_user, alice = make_volunteer(
        "alice@example.test",
        "Alice Invented",
        skills="Driving, first aid",
        interests="Gardening, cooking",
        languages="English, Welsh",
        availability=["sat_morning", "sun_morning"],
        postcode="NB1 2AA",
    )
    _, bob = make_volunteer(
        "bob@example.test",
        "Bob Invented",
        skills="Cooking",
        interests="Food and cooking",
        availability=["mon_afternoon"],
        postcode="NB2 2BB",
    )
    carol_user, carol = make_volunteer(
        "carol@example.test",
        "Carol Invented",
        skills="Driving",
        interests="Gardening and wildlife",
        availability=["sat_morning"],
        postcode="NB1 9ZZ",
    )
    dave_user, dave = make_volunteer(
        "dave@example.test",
        "Dave Invented",
        skills="Driving",
        interests="Gardening",
        availability=["sat_morning"],
        postcode="NB1 5QQ",
    )
    connect(alice, garden)
    connect(bob, kitchen)
    give_consent(carol_user, FINDABLE, "test")
    db.session.commit()
    return World(garden, kitchen, alice, bob, carol, dave, alice_user, carol_user, dave_user)
