"""Matching's forms: input shape only (the search's meaning is in ``matching.search``)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from volunteer_hub.core.forms import FlaskForm, optional_id
from volunteer_hub.core.geo import outward_code
from volunteer_hub.volunteers.models import DAYS, PARTS

#: The search form's argument names: what a saved search keeps.
SEARCH_FIELDS = (
    "skill",
    "interest",
    "language",
    "slots",
    "postcode",
    "miles",
    "course",
    "dbs",
    "months",
    "min_hours",
)
WORDS = Length(max=100, message="Keep this to 100 characters or fewer")


class SearchForm(FlaskForm):
    """Finding volunteers: a GET form (it only reads), every argument validated."""

    class Meta:
        csrf = False  # a GET form: it only reads

    skill = StringField(
        "Skills", description="For example, driving", widget=GovTextInput(), validators=[WORDS]
    )
    interest = StringField(
        "Interests", description="For example, gardening", widget=GovTextInput(), validators=[WORDS]
    )
    language = StringField("Languages", widget=GovTextInput(), validators=[WORDS])
    slots = SelectMultipleField(
        "Free at any of these times",
        choices=[
            SelectChoice(f"{d}_{p}", f"{day} {part.lower()}")
            for d, day in DAYS
            for p, part in PARTS
        ],
        widget=GovCheckboxesInput(),
        validators=[Optional()],
    )
    postcode = StringField(
        "Near postcode",
        description="A full postcode or its first part, for example NB1",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=10, message="Enter a postcode like NB1 4RT")],
    )
    miles = IntegerField(
        "Within (miles)",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=1, max=100, message="Enter 1 to 100 miles")],
    )
    course = SelectField(
        "Training completed and in date",
        choices=[],
        coerce=optional_id,
        widget=GovSelect(),
        validators=[Optional()],
    )
    dbs = BooleanField("Only volunteers with a clear DBS check in date", widget=GovCheckboxInput())
    months = IntegerField(
        "Active in the last (months)",
        description="Approved hours at your organisations in this many months",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=1, max=60, message="Enter 1 to 60 months")],
    )
    min_hours = IntegerField(
        "At least this many hours",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=0, max=10000, message="Enter 0 to 10,000 hours")],
    )
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])

    def validate_postcode(self, field: StringField) -> None:
        if field.data and outward_code(field.data) is None:
            raise ValidationError("Enter a postcode like NB1 4RT, or its first part like NB1")

    def validate_miles(self, field: IntegerField) -> None:
        if field.data is not None and not (self.postcode.data or "").strip():
            raise ValidationError("Enter a postcode to search within a distance of it")

    def validate_min_hours(self, field: IntegerField) -> None:
        if field.data and not self.months.data:
            raise ValidationError("Say over how many months, in 'Active in the last'")


class SaveSearchForm(FlaskForm):
    name = StringField(
        "Name this search",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter a name for the search"),
            Length(max=100, message="Keep the name to 100 characters or fewer"),
        ],
    )
    submit = SubmitField("Save this search", widget=GovSubmitInput())


class PreferencesForm(FlaskForm):
    findable = BooleanField(
        "Let the volunteer centre and its partner organisations find me",
        description=(
            "Coordinators can find you by your skills, interests, languages, availability and "
            "area, and invite you to apply. They never see your equality answers."
        ),
        widget=GovCheckboxInput(),
    )
    digest = BooleanField(
        "Email me once a week about new roles that match me",
        description="Only in weeks when there are new roles that match your profile.",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save choices", widget=GovSubmitInput())


class InterestForm(FlaskForm):
    """The answer to an invitation: "I'm interested" (with the age question when the profile
    has no date of birth)."""

    age_group = RadioField(
        "Are you 18 or over?",
        choices=[SelectChoice("adult", "Yes, I am 18 or over"), SelectChoice("under_18", "No")],
        widget=GovRadioInput(),
        validators=[Optional()],
    )
    message = TextAreaField(
        "Anything you would like them to know (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000, message="Keep this to 2,000 characters or fewer")],
    )
    submit = SubmitField("I'm interested", widget=GovSubmitInput())
