"""Forms for recording a group session and correcting approved hours: input shape only (the
rules are in ``group.py`` and ``logging.py``)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from volunteer_hub.core.forms import FlaskForm, GovDateField

HOUR_CHOICES = [(str(h), str(h)) for h in range(0, 25)]
MINUTE_CHOICES = [("0", "0"), ("15", "15"), ("30", "30"), ("45", "45")]


def minutes_from(form: GroupForm | CorrectForm) -> int:
    return int(form.hours.data or 0) * 60 + int(form.minutes.data or 0)


class GroupForm(FlaskForm):
    role = SelectField(
        "Role (optional)",
        description="Leave as it is to record each volunteer's time against their own role",
        choices=[],
        widget=GovSelect(),
        validate_choice=False,
    )
    day = GovDateField(
        "Date of the session",
        description="For example, 27 3 2026",
        validators=[InputRequired(message="Enter the date of the session")],
    )
    hours = SelectField("Hours", choices=HOUR_CHOICES, default="2", widget=GovSelect())
    minutes = SelectField("Minutes", choices=MINUTE_CHOICES, default="0", widget=GovSelect())
    note = StringField(
        "Note (optional)",
        description="For example, the event's name",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=500)],
    )
    # Checked against the organisation's placements by the service, so that a volunteer posted
    # from elsewhere gets a clear refusal instead of a generic "not a valid choice".
    volunteers = SelectMultipleField(
        "Volunteers who took part",
        description="Volunteers with a placement with the organisation on the date",
        coerce=int,
        choices=[],
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )
    confirm = BooleanField("Yes, this was a second session", widget=GovCheckboxInput())
    show = SubmitField("Show volunteers placed on this date", widget=GovSubmitInput())
    submit = SubmitField("Record hours", widget=GovSubmitInput())


class CorrectForm(FlaskForm):
    hours = SelectField("Hours", choices=HOUR_CHOICES, default="0", widget=GovSelect())
    minutes = SelectField("Minutes", choices=MINUTE_CHOICES, default="0", widget=GovSelect())
    reason = StringField(
        "Why are the hours being corrected?",
        description="The volunteer will see this reason",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Say why the hours are being corrected"),
            Length(max=400, message="Keep the reason to 400 characters or fewer"),
        ],
    )
    submit = SubmitField("Correct hours", widget=GovSubmitInput())
