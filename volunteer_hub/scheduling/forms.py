"""Forms of the scheduling domain: input shape only (the rules are in ``services.py`` and
``shifts.py``)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import FlaskForm, GovDateField, IdListField, choices

WHO_CHOICES = [
    ("placed", "Volunteers placed in this role"),
    ("anyone", "Any volunteer"),
]
REPEAT_CHOICES = [
    ("once", "Does not repeat"),
    ("weekly", "Every week"),
    ("fortnightly", "Every 2 weeks"),
    ("monthly", "Monthly, on the same weekday"),
]
NTH_CHOICES = [
    ("1", "First"),
    ("2", "Second"),
    ("3", "Third"),
    ("4", "Fourth"),
    ("-1", "Last"),
]


def _times_and_place() -> tuple[StringField, StringField, StringField]:
    """A shift's start, end and place, as a new shift and a moved one ask for them."""
    return (
        StringField(
            "Start time",
            description="For example, 09:30",
            widget=GovTextInput(),
            validators=[InputRequired(message="Enter the start time"), Length(max=5)],
        ),
        StringField(
            "End time",
            description="For example, 13:00 (an end before the start is the next day)",
            widget=GovTextInput(),
            validators=[InputRequired(message="Enter the end time"), Length(max=5)],
        ),
        StringField("Where", widget=GovTextInput(), validators=[Optional(), Length(max=300)]),
    )


class ShiftForm(FlaskForm):
    day = GovDateField(
        "Day (the first day, if it repeats)", validators=[InputRequired(message="Enter the day")]
    )
    start, end, location = _times_and_place()
    capacity = IntegerField(
        "Places",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the number of places"),
            NumberRange(min=1, max=500, message="Enter 1 to 500 places"),
        ],
    )
    minimum = IntegerField(
        "Minimum needed",
        description="Fewer volunteers than this shows as a gap on the rota",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=0, max=500, message="Enter 0 to 500")],
    )
    who = SelectField("Who may sign up", choices=choices(WHO_CHOICES), widget=GovSelect())
    repeat = SelectField("Repeats", choices=choices(REPEAT_CHOICES), widget=GovSelect())
    nth = SelectField(
        "Which weekday of the month (monthly only)",
        choices=choices(NTH_CHOICES),
        widget=GovSelect(),
    )
    until = GovDateField("Last day (optional, if it repeats)", validators=[Optional()])
    submit = SubmitField("Add the shift", widget=GovSubmitInput())


def wall_time(text: str, field: str) -> time:
    """A time typed as 09:30 or 9.30."""
    try:
        return datetime.strptime(text.strip().replace(".", ":"), "%H:%M").time()
    except ValueError:
        raise DomainError("Enter the time as hours and minutes, like 09:30", field=field) from None


def shift_values(form: ShiftForm) -> dict[str, Any]:
    return {
        "day": form.day.data,
        "starts_on": form.day.data,
        "start": wall_time(form.start.data or "", "start"),
        "end": wall_time(form.end.data or "", "end"),
        "location": form.location.data,
        "capacity": form.capacity.data,
        "minimum": form.minimum.data or 0,
        "who": form.who.data,
        "frequency": form.repeat.data,
        "nth": int(form.nth.data or 1),
        "until": form.until.data,
    }


class AssignForm(FlaskForm):
    email = StringField(
        "Volunteer's email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the volunteer's email address"), Length(max=254)],
    )
    submit = SubmitField("Assign", widget=GovSubmitInput())


class AttendanceForm(FlaskForm):
    """The places ticked as attended; the others did not attend (the page writes its own
    checkboxes)."""

    attended = IdListField()


class CheckInForm(FlaskForm):
    """The check-in page's button: the pass a good scan gave (``checkin.py``) and in or out."""

    p = HiddenField(validators=[InputRequired(), Length(max=200)])
    action = HiddenField(validators=[AnyOf(["in", "out"])])


# --- interview slots (scheduling/interviews.py) ----------------------------------------------


def _video_link_shape(form: Any, field: Any) -> None:
    from wtforms.validators import ValidationError

    from volunteer_hub.scheduling.interviews import video_link

    try:
        video_link(field.data)
    except DomainError as error:
        raise ValidationError(error.message) from None


class InterviewSlotsForm(FlaskForm):
    day = GovDateField(
        "Date of the interviews", validators=[InputRequired(message="Enter the day")]
    )
    start = StringField(
        "Start time of the first interview",
        description="For example, 09:30 (UK time)",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the start time"), Length(max=5)],
    )
    minutes = IntegerField(
        "Length of each interview, in minutes",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the length in minutes"),
            NumberRange(min=5, max=480, message="Enter 5 to 480 minutes"),
        ],
    )
    count = IntegerField(
        "How many interviews, one after another",
        default=1,
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter how many interviews"),
            NumberRange(min=1, max=20, message="Enter 1 to 20 interviews"),
        ],
    )
    gap = IntegerField(
        "Minutes between interviews",
        default=0,
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=0, max=480, message="Enter 0 to 480 minutes")],
    )
    place = StringField("Where", widget=GovTextInput(), validators=[Optional(), Length(max=300)])
    video_url = StringField(
        "Or a video call link",
        description="A full https:// address",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=500), _video_link_shape],
    )
    submit = SubmitField("Publish the slots", widget=GovSubmitInput())


def interview_plan_values(form: InterviewSlotsForm) -> dict[str, Any]:
    """The form's answers as :class:`~volunteer_hub.scheduling.interviews.SlotPlan` fields."""
    if form.day.data is None:
        raise DomainError("Enter the day", field="day")
    return {
        "first": datetime.combine(form.day.data, wall_time(form.start.data or "", "start")),
        "minutes": form.minutes.data,
        "count": form.count.data,
        "gap": form.gap.data or 0,
        "place": form.place.data or None,
        "video_url": form.video_url.data or None,
    }


class InterviewBookForm(FlaskForm):
    """The applicant's choice of slot (choices: the open slots, set by the view)."""

    slot = RadioField(
        "Choose a time",
        coerce=int,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose a time")],
    )
    submit = SubmitField("Book this time", widget=GovSubmitInput())


class FeedResetForm(FlaskForm):
    """Reset the calendar link: ``current`` names the link the page showed (the start of its
    hash), so a double click resets it once."""

    current = StringField(validators=[InputRequired(), Length(min=8, max=64)])


class MoveShiftForm(FlaskForm):
    """A shift's new day, times and place; ``version`` is the shift's version the page showed
    (so a double click moves it once)."""

    day = GovDateField("Day", validators=[InputRequired(message="Enter the day")])
    start, end, location = _times_and_place()
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1)])
    submit = SubmitField("Move the shift", widget=GovSubmitInput())


def move_span(form: MoveShiftForm) -> tuple[datetime, datetime]:
    """The new start and end as UTC instants (an end before the start is the next day)."""
    from volunteer_hub.scheduling.times import span

    day: date = form.day.data  # type: ignore[assignment]  # InputRequired: never None here
    return span(
        day, wall_time(form.start.data or "", "start"), wall_time(form.end.data or "", "end")
    )
