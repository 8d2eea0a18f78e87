"""Equality-monitoring questions and answers (every question optional, with "prefer not to say").
Categories follow the ONS 2021 Census for England and Wales.

Kept in this module, apart from the volunteer record, so that an import-linter contract can forbid
matching, recruitment and placement code from importing it (pyproject.toml).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from volunteer_hub.core.models import UTCDateTime, utcnow
from volunteer_hub.extensions import Model, db

PREFER_NOT_TO_SAY = "prefer_not_to_say"

#: question key → (question, [(answer key, label, reporting group)]). Reports publish the
#: reporting group, so detailed ethnicity answers are shown as the five ONS high-level groups.
QUESTIONS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "age_band": (
        "Age",
        [
            ("16_17", "16 to 17", "16 to 24"),
            ("18_24", "18 to 24", "16 to 24"),
            ("25_34", "25 to 34", "25 to 34"),
            ("35_44", "35 to 44", "35 to 44"),
            ("45_54", "45 to 54", "45 to 54"),
            ("55_64", "55 to 64", "55 to 64"),
            ("65_74", "65 to 74", "65 and over"),
            ("75_plus", "75 or over", "65 and over"),
        ],
    ),
    "sex": ("Sex", [("female", "Female", "Female"), ("male", "Male", "Male")]),
    "gender_identity": (
        "Is the gender you identify with the same as your sex registered at birth?",
        [("yes", "Yes", "Yes"), ("no", "No", "No")],
    ),
    "ethnicity": (
        "Ethnic group",
        [
            ("asian_indian", "Asian or Asian British: Indian", "Asian or Asian British"),
            ("asian_pakistani", "Asian or Asian British: Pakistani", "Asian or Asian British"),
            (
                "asian_bangladeshi",
                "Asian or Asian British: Bangladeshi",
                "Asian or Asian British",
            ),
            ("asian_chinese", "Asian or Asian British: Chinese", "Asian or Asian British"),
            ("asian_other", "Any other Asian background", "Asian or Asian British"),
            (
                "black_caribbean",
                "Black, Black British, Caribbean or African: Caribbean",
                "Black, Black British, Caribbean or African",
            ),
            (
                "black_african",
                "Black, Black British, Caribbean or African: African",
                "Black, Black British, Caribbean or African",
            ),
            (
                "black_other",
                "Any other Black, Black British or Caribbean background",
                "Black, Black British, Caribbean or African",
            ),
            (
                "mixed_white_black_caribbean",
                "Mixed: White and Black Caribbean",
                "Mixed or multiple ethnic groups",
            ),
            (
                "mixed_white_black_african",
                "Mixed: White and Black African",
                "Mixed or multiple ethnic groups",
            ),
            ("mixed_white_asian", "Mixed: White and Asian", "Mixed or multiple ethnic groups"),
            (
                "mixed_other",
                "Any other Mixed or multiple ethnic background",
                "Mixed or multiple ethnic groups",
            ),
            (
                "white_british",
                "White: English, Welsh, Scottish, Northern Irish or British",
                "White",
            ),
            ("white_irish", "White: Irish", "White"),
            ("white_gypsy_traveller", "White: Gypsy or Irish Traveller", "White"),
            ("white_roma", "White: Roma", "White"),
            ("white_other", "Any other White background", "White"),
            ("other_arab", "Other ethnic group: Arab", "Other ethnic group"),
            ("other_any", "Any other ethnic group", "Other ethnic group"),
        ],
    ),
    "disability": (
        "Do you consider yourself to have a disability or long-term health condition?",
        [("yes", "Yes", "Yes"), ("no", "No", "No")],
    ),
    "religion": (
        "Religion or belief",
        [
            ("none", "No religion", "No religion"),
            ("christian", "Christian", "Christian"),
            ("buddhist", "Buddhist", "Buddhist"),
            ("hindu", "Hindu", "Hindu"),
            ("jewish", "Jewish", "Jewish"),
            ("muslim", "Muslim", "Muslim"),
            ("sikh", "Sikh", "Sikh"),
            ("other", "Any other religion or belief", "Any other religion or belief"),
        ],
    ),
    "sexual_orientation": (
        "Sexual orientation",
        [
            ("straight", "Straight or heterosexual", "Straight or heterosexual"),
            ("gay_lesbian", "Gay or lesbian", "Gay or lesbian"),
            ("bisexual", "Bisexual", "Bisexual"),
            ("other", "Other sexual orientation", "Other sexual orientation"),
        ],
    ),
}


def allowed_answers(question: str) -> set[str]:
    return {key for key, _label, _group in QUESTIONS[question][1]} | {PREFER_NOT_TO_SAY}


def reporting_groups(question: str) -> list[str]:
    """The published columns for a question, in order, without duplicates."""
    groups: list[str] = []
    for _key, _label, group in QUESTIONS[question][1]:
        if group not in groups:
            groups.append(group)
    return groups


def group_of(question: str, answer: str) -> str:
    for key, _label, group in QUESTIONS[question][1]:
        if key == answer:
            return group
    raise KeyError(answer)


class EqualityAnswers(Model):
    """One volunteer's optional equality-monitoring answers, kept apart from their record.

    Never shown on a staff screen about a person and never read by matching or selection; reports
    read them only in aggregate, through disclosure control. NULL means "not answered".
    """

    __tablename__ = "volunteers_equality"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_volunteer.id", ondelete="CASCADE"), unique=True
    )
    age_band: Mapped[str | None] = mapped_column(String(40))
    sex: Mapped[str | None] = mapped_column(String(40))
    gender_identity: Mapped[str | None] = mapped_column(String(40))
    ethnicity: Mapped[str | None] = mapped_column(String(40))
    disability: Mapped[str | None] = mapped_column(String(40))
    religion: Mapped[str | None] = mapped_column(String(40))
    sexual_orientation: Mapped[str | None] = mapped_column(String(40))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def answers_of(volunteer_ids: Any) -> list[tuple[str | None, ...]]:
    """The answers (one tuple per volunteer who has answered, in the order of ``QUESTIONS``) of
    the volunteers ``volunteer_ids`` selects: read only for aggregates under disclosure control."""
    columns = [getattr(EqualityAnswers, question) for question in QUESTIONS]
    statement = select(*columns).where(EqualityAnswers.volunteer_id.in_(volunteer_ids))
    return [tuple(row) for row in db.session.execute(statement).all()]
