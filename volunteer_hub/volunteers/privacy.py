"""Volunteers' privacy hooks: the volunteer record and the equality answers.

Export: the volunteer record and their equality answers (only here and on their own pages).
Erasure: the record keeps its id, its name becomes the placeholder and every other profile field
is emptied; equality answers are deleted (and when the equality monitoring consent is
withdrawn). Activity: the record's creation and last change, and
their sign-in's creation and last sign-in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import delete, select

from volunteer_hub.accounts.models import User
from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.extensions import db
from volunteer_hub.volunteers.equality import EqualityAnswers
from volunteer_hub.volunteers.models import Volunteer

#: Columns of the volunteer record that erasure keeps (the name becomes the placeholder); every
#: other column is emptied, so a new profile field is erased until someone decides otherwise.
KEPT_ON_ERASURE = frozenset({"id", "user_id", "name", "heard_about", "created_at", "updated_at"})


@hooks.export(70)
def export_volunteer(subject: hooks.Subject) -> dict[str, Any]:
    volunteer = subject.volunteer
    if volunteer is None:
        return {}
    answers = db.session.scalar(
        select(EqualityAnswers).where(EqualityAnswers.volunteer_id == volunteer.id)
    )
    return {
        "profile": {"volunteer": hooks.row_dict(volunteer)},
        "equality_answers": hooks.row_dict(answers, drop=("volunteer_id",)) if answers else None,
    }


@hooks.identify(10)
def identify_volunteer(erasure: hooks.Erasure) -> None:
    volunteer = erasure.volunteer
    if volunteer is None:
        return
    erasure.names.add(volunteer.name)
    erasure.add_email(volunteer.email)
    if volunteer.phone:
        erasure.phones.add(volunteer.phone)
    erasure.start[Volunteer.__tablename__] = {volunteer.id}


@hooks.erase(10)
def erase_volunteer(erasure: hooks.Erasure) -> None:
    volunteer = erasure.volunteer
    if volunteer is None:
        return
    for column in Volunteer.__table__.columns:
        if column.key not in KEPT_ON_ERASURE:
            setattr(volunteer, column.key, None)
    volunteer.name = erasure.name
    erasure.erased.append("volunteer record: name and contact details replaced, profile emptied")
    deleted = db.session.execute(
        delete(EqualityAnswers).where(EqualityAnswers.volunteer_id == volunteer.id)
    )
    if deleted.rowcount:  # type: ignore[attr-defined]
        erasure.erased.append("equality answers deleted")


@hooks.activity
def activity(today: date) -> Iterable[tuple[Any, ...]]:
    yield from db.session.execute(select(Volunteer.id, Volunteer.created_at, Volunteer.updated_at))
    yield from db.session.execute(
        select(Volunteer.id, User.created_at, User.last_sign_in_at).join(
            User, User.id == Volunteer.user_id
        )
    )


@hooks.on_withdrawal("equality_monitoring")
def delete_equality_answers(user: User) -> None:
    volunteer_ids = select(Volunteer.id).where(Volunteer.user_id == user.id)
    db.session.execute(
        EqualityAnswers.__table__.delete().where(EqualityAnswers.volunteer_id.in_(volunteer_ids))
    )
