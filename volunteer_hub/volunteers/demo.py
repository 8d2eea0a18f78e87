"""Invented, optional equality answers for the demo volunteers (some skipped, some "prefer not to
say"), so the demo report's equality profile has something to show."""

from __future__ import annotations

import random

from sqlalchemy import select

from volunteer_hub.extensions import db
from volunteer_hub.volunteers.equality import PREFER_NOT_TO_SAY, QUESTIONS, EqualityAnswers
from volunteer_hub.volunteers.models import Volunteer

DEMO_DOMAIN = "@demo.volunteerhub.invalid"


def seed() -> list[str]:
    volunteers = list(
        db.session.scalars(
            select(Volunteer).where(Volunteer.email.like(f"%{DEMO_DOMAIN}")).order_by(Volunteer.id)
        )
    )
    ids = [v.id for v in volunteers]
    if not ids or db.session.scalar(
        select(EqualityAnswers.id).where(EqualityAnswers.volunteer_id.in_(ids)).limit(1)
    ):
        return []  # seeded before (some demo volunteers skip the questions, on purpose)
    rng = random.Random(2027)  # noqa: S311 - deterministic invented demo data
    before = db.session.scalar(select(db.func.count(EqualityAnswers.id))) or 0
    _equality_answers(rng, volunteers)
    db.session.flush()
    added = (db.session.scalar(select(db.func.count(EqualityAnswers.id))) or 0) - before
    return [f"Demo equality answers: {added} volunteers."] if added else []


def _equality_answers(rng: random.Random, volunteers: list[Volunteer]) -> None:
    """Invented, optional answers (some skipped, some "prefer not to say") for the demo profile."""
    have = set(db.session.scalars(select(EqualityAnswers.volunteer_id)))
    for volunteer in volunteers:
        if volunteer.id in have or rng.random() < 0.2:
            continue
        answers: dict[str, str | None] = {}
        for question, (_label, options) in QUESTIONS.items():
            roll = rng.random()
            if roll < 0.05:
                answers[question] = PREFER_NOT_TO_SAY
            elif roll < 0.1:
                answers[question] = None
            else:
                answers[question] = rng.choice(options)[0]
        db.session.add(EqualityAnswers(volunteer_id=volunteer.id, **answers))
