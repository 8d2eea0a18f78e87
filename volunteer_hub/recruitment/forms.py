"""Forms for applying and for moving applications: input shape only."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from volunteer_hub.core.forms import FlaskForm, GovDateField
from volunteer_hub.organisations.models import DbsLevel
from volunteer_hub.recruitment.models import DECLINE_REASONS


class ApplyForm(FlaskForm):
    age_group = RadioField(
        "How old are you?",
        choices=[SelectChoice("adult", "18 or over"), SelectChoice("under_18", "Under 18")],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Say whether you are 18 or over")],
    )
    message = TextAreaField(
        "Why are you interested? (optional)",
        description="A sentence or two is plenty.",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000, message="Keep this to 2,000 characters or fewer")],
    )
    #: Optional and unticked: applying never needs it (the organisation still gets what the
    #: application needs), and only ticking it records consent to share the profile.
    share_profile = BooleanField(
        "Share my skills, interests, languages and availability with this organisation (optional)",
        description="It helps them match you to the role. You can apply without it, and "
        "withdraw it at any time from your privacy page.",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Apply", widget=GovSubmitInput())


class InterestForm(FlaskForm):
    message = TextAreaField(
        "What would you like to do?",
        description="Your interests, when you are free, and anything we should know. "
        "The volunteer centre will suggest opportunities.",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Tell us a little about what you would like to do"),
            Length(max=2000, message="Keep this to 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Send", widget=GovSubmitInput())


class MoveForm(FlaskForm):
    #: The stage the coordinator saw: a move acts only from it, so of two colleagues moving the
    #: same application at once (offer and decline) exactly one acts.
    seen = HiddenField()
    to = RadioField(
        "Move to",
        choices=[],  # the next stage and "Decline", set by the view
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose where to move the application")],
    )
    reason = SelectField(
        "Reason (when declining)",
        choices=[
            SelectChoice("", "Choose a reason"),
            *(SelectChoice(key, text) for key, text in DECLINE_REASONS.items()),
        ],
        widget=GovSelect(),
        validators=[Optional()],
    )
    note = TextAreaField(
        "Note (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=1000)]
    )
    submit = SubmitField("Move", widget=GovSubmitInput())


class ButtonForm(FlaskForm):
    submit = SubmitField("Continue", widget=GovSubmitInput())


class MarkReferenceForm(ButtonForm):
    """Which button was pressed: ``yes`` for satisfactory, anything else for not."""

    satisfactory = HiddenField(validators=[Optional()])


class DbsForm(FlaskForm):
    """Only the permitted facts: no upload, no free text about convictions."""

    certificate_number = StringField(
        "Certificate number",
        description="12 digits",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the certificate number"), Length(max=14)],
    )
    issue_date = GovDateField(
        "Date of issue", validators=[InputRequired(message="Enter the issue date")]
    )
    level = SelectField(
        "Level",
        choices=[
            SelectChoice(level.value, level.label)
            for level in DbsLevel
            if level is not DbsLevel.NONE
        ],
        widget=GovSelect(),
    )
    workforce = SelectField(
        "Workforce",
        choices=[
            SelectChoice("adult", "Adult"),
            SelectChoice("child", "Child"),
            SelectChoice("adult_and_child", "Adult and child"),
            SelectChoice("other", "Other"),
        ],
        widget=GovSelect(),
    )
    outcome = RadioField(
        "Outcome",
        choices=[
            SelectChoice("clear", "Clear"),
            SelectChoice("not_clear", "Not clear (discuss with the safeguarding lead)"),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose the outcome")],
    )
    update_service = BooleanField("Subscribed to the DBS Update Service", widget=GovCheckboxInput())
    update_service_checked_on = GovDateField(
        "Update Service status last checked", validators=[Optional()]
    )
    submit = SubmitField("Save DBS record", widget=GovSubmitInput())


class ReferenceRequestForm(FlaskForm):
    name = StringField(
        "Referee's name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the referee's name"), Length(max=200)],
    )
    email = StringField(
        "Referee's email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the referee's email address"), Length(max=254)],
    )
    relationship = StringField(
        "How they know the applicant",
        description="For example: former manager, teacher",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Say how the referee knows the applicant"),
            Length(max=200),
        ],
    )
    submit = SubmitField("Request reference", widget=GovSubmitInput())


class ReferenceForm(FlaskForm):
    known_for = StringField(
        "How long have you known them?",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=100)],
    )
    would_recommend = RadioField(
        "Would you recommend them for this volunteering role?",
        choices=[
            SelectChoice("yes", "Yes"),
            SelectChoice("no", "No"),
            SelectChoice("unsure", "I am not sure"),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Say whether you would recommend them")],
    )
    comments = TextAreaField(
        "Anything else we should know? (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000)],
    )
    submit = SubmitField("Send reference", widget=GovSubmitInput())


class GuardianConsentForm(FlaskForm):
    guardian_name = StringField(
        "Parent's or guardian's name",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the parent's or guardian's name"),
            Length(max=200),
        ],
    )
    consent_on = GovDateField(
        "Date consent was given",
        validators=[InputRequired(message="Enter the date consent was given")],
    )
    submit = SubmitField("Record consent", widget=GovSubmitInput())


class BrokerForm(FlaskForm):
    role = StringField(
        "Refer to a role",
        description="Paste the role's page address, e.g. /opportunities/befriender-riverside",
        widget=GovTextInput(),
        validators=[InputRequired(message="Paste the role's page address"), Length(max=300)],
    )
    submit = SubmitField("Refer", widget=GovSubmitInput())
