"""Forms for task descriptions: input shape only (the rules are in roles.py)."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, Email, InputRequired, Length, NumberRange, Optional

from volunteer_hub.core.forms import FlaskForm, GovDateField, finite
from volunteer_hub.organisations import soc2020
from volunteer_hub.organisations.models import Commitment, DbsLevel, LocationType


class SocCodeInput(GovTextInput):
    """A text input with the SOC 2020 unit groups as its suggestions (an HTML datalist: the
    browser filters it as people type, with no script; any code may still be typed)."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        if not field.errors and field.data in soc2020.TITLES:
            kwargs.setdefault("value", soc2020.option_text(field.data))
        options = Markup("").join(
            Markup('<option value="{}"></option>').format(soc2020.option_text(code))
            for code, _title in soc2020.UNIT_GROUPS
        )
        return super().__call__(field, **kwargs) + Markup(
            '<datalist id="soc-2020-unit-groups">{}</datalist>'
        ).format(options)


LONG = Length(max=5000, message="Keep this to 5,000 characters or fewer")


class RoleForm(FlaskForm):
    title = StringField(
        "Role title",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the role's title"), Length(max=200)],
    )
    categories = SelectMultipleField(
        "Categories", coerce=int, choices=[], widget=GovCheckboxesInput(), validators=[Optional()]
    )
    purpose = TextAreaField(
        "Purpose of the role",
        description="Why the role exists and the difference it makes",
        widget=GovTextArea(),
        validators=[Optional(), LONG],
    )
    activities = TextAreaField(
        "What the volunteer will do", widget=GovTextArea(), validators=[Optional(), LONG]
    )
    skills = TextAreaField(
        "Skills and qualities wanted", widget=GovTextArea(), validators=[Optional(), LONG]
    )
    commitment = RadioField(
        "Regular or one-off",
        choices=[
            SelectChoice(Commitment.REGULAR.value, "Regular"),
            SelectChoice(Commitment.ONE_OFF.value, "One-off"),
        ],
        default=Commitment.REGULAR.value,
        widget=GovRadioInput(),
    )
    hours_per_week = DecimalField(
        "Hours a week",
        places=1,
        widget=GovTextInput(),
        validators=[
            Optional(),
            finite,
            NumberRange(min=0.5, max=60, message="Between 0.5 and 60 hours"),
        ],
    )
    days_and_times = StringField(
        "Days and times",
        description="For example: Tuesday mornings, 10am to 12 noon",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=500)],
    )
    location_type = RadioField(
        "Where",
        choices=[
            SelectChoice(LocationType.ON_SITE.value, "In person"),
            SelectChoice(LocationType.REMOTE.value, "Remote (from home)"),
            SelectChoice(LocationType.HYBRID.value, "Both in person and remote"),
        ],
        default=LocationType.ON_SITE.value,
        widget=GovRadioInput(),
    )
    address = StringField(
        "Address", widget=GovTextInput(), validators=[Optional(), Length(max=300)]
    )
    postcode = StringField(
        "Postcode", widget=GovTextInput(), validators=[Optional(), Length(max=10)]
    )
    start_date = GovDateField(
        "Start date", description="For example, 27 3 2026", validators=[Optional()]
    )
    closing_date = GovDateField("Closing date for applications", validators=[Optional()])
    places = IntegerField(
        "Places available",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=0, max=10000)],
    )
    minimum_age = IntegerField(
        "Minimum age",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=14, max=99, message="Between 14 and 99")],
    )
    under_18_welcome = BooleanField(
        "Under-18s are welcome (with a parent's or guardian's consent)", widget=GovCheckboxInput()
    )
    training_given = TextAreaField(
        "Training given", widget=GovTextArea(), validators=[Optional(), LONG]
    )
    support_given = TextAreaField(
        "Support given",
        description="Induction, who to ask, how problems are raised",
        widget=GovTextArea(),
        validators=[Optional(), LONG],
    )
    supervised_by = StringField(
        "Who supervises",
        description="A job title, for example Volunteer Coordinator",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
    )
    supervision_every_weeks = IntegerField(
        "Supervision every how many weeks",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=1, max=52, message="Between 1 and 52 weeks")],
    )
    expenses_policy = TextAreaField(
        "Expenses policy",
        description="What is repaid (travel, meals, …) and how to claim",
        widget=GovTextArea(),
        validators=[Optional(), LONG],
    )
    dbs_level = SelectField(
        "DBS check needed",
        choices=[SelectChoice(level.value, level.label) for level in DbsLevel],
        widget=GovSelect(),
    )
    dbs_reason = StringField(
        "Why this check is needed", widget=GovTextInput(), validators=[Optional(), Length(max=500)]
    )
    accessibility = TextAreaField(
        "Accessibility and reasonable adjustments",
        widget=GovTextArea(),
        validators=[Optional(), LONG],
    )
    soc_code = StringField(
        "Occupation code (SOC 2020, optional)",
        description="The paid job this role most resembles, used to value the hours: type a "
        "code or words from the job, for example SOC 6135 or care workers, and choose from the "
        "list",
        widget=SocCodeInput(),
        filters=[soc2020.code_of],
        render_kw={"list": "soc-2020-unit-groups", "autocomplete": "off"},
        validators=[
            Optional(),
            Length(max=4, message="Choose a code from the list, or type 1 to 4 digits"),
        ],
    )
    submit = SubmitField("Save draft", widget=GovSubmitInput())


class ButtonForm(FlaskForm):
    submit = SubmitField("Continue", widget=GovSubmitInput())


class OfferCategoryForm(ButtonForm):
    """The button says which way: ``yes`` to offer a category again, ``no`` to stop."""

    active = HiddenField(validators=[Optional()])


class ReturnForm(FlaskForm):
    reason = TextAreaField(
        "What needs changing",
        widget=GovTextArea(),
        validators=[InputRequired(message="Say what needs changing"), Length(max=1000)],
    )
    submit = SubmitField("Send back", widget=GovSubmitInput())


class OrganisationForm(FlaskForm):
    """The profile (the organisation's coordinators and the centre edit it)."""

    charity_number = StringField(
        "Charity number", widget=GovTextInput(), validators=[Optional(), Length(max=20)]
    )
    company_number = StringField(
        "Company number", widget=GovTextInput(), validators=[Optional(), Length(max=20)]
    )
    address = StringField(
        "Address", widget=GovTextInput(), validators=[Optional(), Length(max=300)]
    )
    postcode = StringField(
        "Postcode", widget=GovTextInput(), validators=[Optional(), Length(max=10)]
    )
    website = StringField(
        "Website",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=300),
            URL(message="Enter a web address starting https://"),
        ],
    )
    contact_name = StringField(
        "Contact name", widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    contact_email = StringField(
        "Contact email",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=254),
            Email(message="Enter an email address like name@example.org"),
        ],
    )
    contact_phone = StringField(
        "Contact phone", widget=GovTextInput(), validators=[Optional(), Length(max=40)]
    )
    description = TextAreaField(
        "About the organisation", widget=GovTextArea(), validators=[Optional(), LONG]
    )
    auto_approve_coordinator_hours = BooleanField(
        "Approve hours logged by this organisation's coordinators automatically",
        description="When a coordinator logs their own volunteering here, the hours are approved "
        "as they are logged instead of waiting for another coordinator",
        widget=GovCheckboxInput(),
    )
    auto_approve_check_ins = BooleanField(
        "Approve hours from volunteers' QR check-in to shifts automatically",
        description="Otherwise the hours wait until a coordinator marks attendance on the roster",
        widget=GovCheckboxInput(),
    )
    shift_cutoff_hours = IntegerField(
        "Cancellation cut-off for new shifts, in hours",
        description="Volunteers can cancel their place up to this many hours before a shift "
        "starts (0 to 336, two weeks). Shifts already added keep their own cut-off.",
        widget=GovTextInput(),
        validators=[
            Optional(),
            NumberRange(min=0, max=336, message="Enter the cut-off in hours, from 0 to 336"),
        ],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class DueDiligenceForm(FlaskForm):
    """Kept by the volunteer centre: lapsed checks stop the organisation's roles being published."""

    safeguarding_lead = StringField(
        "Safeguarding lead", widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    safeguarding_lead_user_id = SelectField(
        "Safeguarding lead's account",
        description="This coordinator may see DBS records for the organisation's applicants",
        choices=[],
        widget=GovSelect(),
        validate_choice=False,
    )
    safeguarding_review_date = GovDateField(
        "Safeguarding policy next review date", validators=[Optional()]
    )
    insurance_expiry = GovDateField("Insurance expiry date", validators=[Optional()])
    submit = SubmitField("Save checks", widget=GovSubmitInput())


class NewOrganisationForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the organisation's name"), Length(max=200)],
    )
    kind = RadioField(
        "Kind",
        choices=[
            SelectChoice("vco", "Charity or community group"),
            SelectChoice("statutory", "Statutory partner"),
        ],
        default="vco",
        widget=GovRadioInput(),
    )
    submit = SubmitField("Add organisation", widget=GovSubmitInput())


class CategoryForm(FlaskForm):
    name = StringField(
        "New category",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the category's name"), Length(max=100)],
    )
    submit = SubmitField("Add category", widget=GovSubmitInput())
