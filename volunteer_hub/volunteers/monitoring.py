"""The volunteer's own equality-monitoring answers: read, save and delete (commands flush, never
commit). Kept apart from ``services.py`` so that code which matches, recruits or places
volunteers, and imports ``volunteers.services``, never reaches the answers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.services import give_consent, withdraw_consent
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.transitions import AlreadyDone, lock
from volunteer_hub.extensions import db
from volunteer_hub.volunteers.equality import QUESTIONS, EqualityAnswers, allowed_answers
from volunteer_hub.volunteers.models import Volunteer


def answers_of(volunteer_id: int) -> EqualityAnswers | None:
    return db.session.scalar(
        select(EqualityAnswers).where(EqualityAnswers.volunteer_id == volunteer_id)
    )


def save_answers(*, user: User, volunteer: Volunteer, values: dict[str, Any]) -> None:
    """Save the volunteer's answers (each from its list, or none); answering is consenting to
    equality monitoring. Audited without the answers themselves."""
    values = {question: values.get(question) or None for question in QUESTIONS}
    if any(v is not None and v not in allowed_answers(q) for q, v in values.items()):
        raise DomainError("Choose answers from the lists", field="age_band")
    # The person's row locked (before anything else, as every lock on a person is) and the
    # answers read again, so two saves at once make one set of answers.
    lock(db.session.get(User, user.id))
    answers = db.session.scalar(
        select(EqualityAnswers)
        .where(EqualityAnswers.volunteer_id == volunteer.id)
        .execution_options(populate_existing=True)
    )
    if answers is None:
        answers = EqualityAnswers(volunteer_id=volunteer.id)
        db.session.add(answers)
    for question, value in values.items():
        setattr(answers, question, value)
    # Answering is consenting to equality monitoring (the form says so); recorded.
    give_consent(user, "equality_monitoring", "equality_form")
    audit("volunteer.equality_saved", actor=user, target=volunteer)


def delete_answers(*, user: User, volunteer: Volunteer) -> None:
    """Delete the answers and withdraw the consent; AlreadyDone when there was nothing to
    delete (a second click, or nothing was ever given)."""
    deleted = db.session.execute(
        EqualityAnswers.__table__.delete().where(EqualityAnswers.volunteer_id == volunteer.id)
    ).rowcount  # type: ignore[attr-defined]
    withdrawn = withdraw_consent(user, "equality_monitoring")
    if not (deleted or withdrawn):
        raise AlreadyDone("You have no equality answers: there is nothing to delete.")
    audit("volunteer.equality_deleted", actor=user, target=volunteer)
