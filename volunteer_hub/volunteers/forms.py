"""Profile and equality-monitoring forms: input shape only."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from volunteer_hub.core.forms import FlaskForm, GovDateField
from volunteer_hub.volunteers.equality import PREFER_NOT_TO_SAY, QUESTIONS
from volunteer_hub.volunteers.models import DAYS, HEARD_ABOUT, PARTS

TEXT = Length(max=2000, message="Keep this to 2,000 characters or fewer")


class ProfileForm(FlaskForm):
    phone = StringField(
        "Phone number", widget=GovTextInput(), validators=[Optional(), Length(max=40)]
    )
    date_of_birth = GovDateField(
        "Date of birth", description="For example, 27 3 1990", validators=[Optional()]
    )
    postcode = StringField(
        "Postcode", widget=GovTextInput(), validators=[Optional(), Length(max=10)]
    )
    emergency_contact_name = StringField(
        "Emergency contact's name", widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    emergency_contact_phone = StringField(
        "Emergency contact's phone number",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=40)],
    )
    skills = TextAreaField(
        "Skills and experience", widget=GovTextArea(), validators=[Optional(), TEXT]
    )
    interests = TextAreaField("Interests", widget=GovTextArea(), validators=[Optional(), TEXT])
    availability = SelectMultipleField(
        "When are you usually free?",
        choices=[
            SelectChoice(f"{d}_{p}", f"{day} {part.lower()}")
            for d, day in DAYS
            for p, part in PARTS
        ],
        widget=GovCheckboxesInput(),
        validators=[Optional()],
    )
    languages = StringField(
        "Languages you speak", widget=GovTextInput(), validators=[Optional(), Length(max=300)]
    )
    access_needs = TextAreaField(
        "Access needs or adjustments that would help you volunteer",
        description="Shared only with organisations you apply to, so they can prepare.",
        widget=GovTextArea(),
        validators=[Optional(), TEXT],
    )
    heard_about = SelectField(
        "How did you hear about us?",
        choices=[
            SelectChoice("", "Choose one"),
            *(SelectChoice(key, text) for key, text in HEARD_ABOUT.items()),
        ],
        widget=GovSelect(),
        validators=[Optional()],
    )
    submit = SubmitField("Save profile", widget=GovSubmitInput())


def _equality_field(question: str) -> RadioField:
    label, options = QUESTIONS[question]
    return RadioField(
        label,
        choices=[SelectChoice(key, text) for key, text, _group in options]
        + [SelectChoice(PREFER_NOT_TO_SAY, "Prefer not to say")],
        widget=GovRadioInput(),
        validators=[Optional()],
    )


class EqualityForm(FlaskForm):
    age_band = _equality_field("age_band")
    sex = _equality_field("sex")
    gender_identity = _equality_field("gender_identity")
    ethnicity = _equality_field("ethnicity")
    disability = _equality_field("disability")
    religion = _equality_field("religion")
    sexual_orientation = _equality_field("sexual_orientation")
    submit = SubmitField("Save answers", widget=GovSubmitInput())
