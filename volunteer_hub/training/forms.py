"""Forms of the training domain: input shape only (the rules are in ``services.py``)."""

from __future__ import annotations

from datetime import datetime, time

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import FlaskForm, GovDateField, IdListField, options
from volunteer_hub.core.inputs import to_id

MINUTE_CHOICES = options(["0", "15", "30", "45"])


class CourseForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the course title"), Length(max=200)],
    )
    provider = SelectField("Provided by", choices=[], widget=GovSelect())
    description = TextAreaField(
        "Description", widget=GovTextArea(), validators=[Optional(), Length(max=5000)]
    )
    hours = IntegerField(
        "Length: hours",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the hours (0 or more)"),
            NumberRange(min=0, max=120, message="Enter hours from 0 to 120"),
        ],
    )
    minutes = SelectField(
        "Length: minutes",
        choices=MINUTE_CHOICES,
        widget=GovSelect(),
    )
    valid_months = IntegerField(
        "Valid for (months)",
        description="Leave empty if a completion never expires, such as an induction",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=1, max=240, message="Enter 1 to 240 months")],
    )
    active = BooleanField("Open for sessions and bookings", default=True, widget=GovCheckboxInput())
    submit = SubmitField("Save the course", widget=GovSubmitInput())


class SessionForm(FlaskForm):
    held_on = GovDateField("Date", validators=[InputRequired(message="Enter the date")])
    starts_at = StringField(
        "Start time",
        description="For example, 18:30",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the start time"), Length(max=5)],
    )
    place = StringField(
        "Where (leave empty if online only)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300)],
    )
    online_link = StringField(
        "Online link (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=500)]
    )
    capacity = IntegerField(
        "Places",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the number of places"),
            NumberRange(min=1, max=500, message="Enter 1 to 500 places"),
        ],
    )
    submit = SubmitField("Add the session", widget=GovSubmitInput())


class ExternalForm(FlaskForm):
    course = SelectField("Course", choices=[], widget=GovSelect())
    completed_on = GovDateField(
        "Completed on", validators=[InputRequired(message="Enter the date it was completed")]
    )
    evidence = StringField(
        "Evidence seen",
        description="For example, certificate number FA-1234 from a first aid provider",
        widget=GovTextInput(),
        validators=[InputRequired(message="Describe the evidence you saw"), Length(max=500)],
    )
    submit = SubmitField("Record the completion", widget=GovSubmitInput())


class ExceptionForm(FlaskForm):
    course = SelectField("Course", choices=[], widget=GovSelect())
    reason = TextAreaField(
        "Why the volunteer may start without it",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter the reason"), Length(max=1000)],
    )
    submit = SubmitField("Record the exception", widget=GovSubmitInput())


class AttendanceForm(FlaskForm):
    """The bookings ticked as attended (the page writes its own checkboxes)."""

    attended = IdListField()


class RequiredCoursesForm(FlaskForm):
    """The courses ticked as required for a role (the page writes its own checkboxes)."""

    course = IdListField()


def course_values(form: CourseForm) -> dict[str, object]:
    provider = form.provider.data or ""
    return {
        "title": form.title.data,
        "provider_id": to_id(provider),
        "description": form.description.data,
        "duration_minutes": (form.hours.data or 0) * 60 + int(form.minutes.data or 0),
        "valid_months": form.valid_months.data,
        "active": bool(form.active.data),
    }


def start_time(text: str) -> time:
    """A start time typed as 18:30 or 18.30."""
    try:
        return datetime.strptime(text.strip().replace(".", ":"), "%H:%M").time()
    except ValueError:
        raise DomainError(
            "Enter the start time as hours and minutes, like 18:30", field="starts_at"
        ) from None
