"""Forms of the hours domain (logging a day or a week, deciding, recording a group session,
correcting approved hours): input shape only (the rules are in ``logging.py`` and ``group.py``)."""

from __future__ import annotations

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from volunteer_hub.core.forms import FlaskForm, GovDateField, IdListField, options
from volunteer_hub.core.inputs import to_id

HOUR_CHOICES = options(str(h) for h in range(0, 25))
MINUTES = ("0", "15", "30", "45")
MINUTE_CHOICES = options(MINUTES)


def minutes_from(form: LogForm | GroupForm | CorrectForm) -> int:
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


class LogForm(FlaskForm):
    day = GovDateField(
        "Date",
        description="The day you volunteered, for example 27 3 2026",
        default=date.today,
        validators=[InputRequired(message="Enter the date")],
    )
    hours = SelectField("Hours", choices=HOUR_CHOICES, default="2", widget=GovSelect())
    minutes = SelectField("Minutes", choices=MINUTE_CHOICES, default="0", widget=GovSelect())
    note = StringField(
        "Note (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=500)]
    )
    confirm = BooleanField("Yes, this was a second session", widget=GovCheckboxInput())
    submit = SubmitField("Log hours", widget=GovSubmitInput())


class DecideForm(FlaskForm):
    reason = StringField(
        "Reason (when rejecting)", widget=GovTextInput(), validators=[Optional(), Length(max=500)]
    )
    #: Which button: "approve" or "reject" the chosen records, or "approve_all" shown.
    action = StringField(default="")
    #: The records ticked.
    record = IdListField()
    #: Every record the page listed (for "Approve all shown").
    shown = IdListField()

    def chosen_ids(self) -> list[int]:
        """The records the button acts on: exactly those the page listed for "Approve all
        shown", never whatever the queue holds by now; otherwise those ticked."""
        return list((self.shown if self.action.data == "approve_all" else self.record).data)


class WeekForm(FlaskForm):
    """A row per day of one week, posted as ``hours-<day>`` and ``minutes-<day>`` (ISO days):
    make one with :func:`week_form`. The template writes its own selects, so a value outside the
    lists is reported on its day, not by WTForms."""

    days: list[date]

    def values(self) -> dict[str, str]:
        """What was posted, to show again."""
        return {
            f"{kind}-{day.isoformat()}": str(self[f"{kind}-{day.isoformat()}"].data)
            for day in self.days
            for kind in ("hours", "minutes")
        }

    def entries(self) -> tuple[list[tuple[date, int]], dict[str, str]]:
        """The days with time entered, as (day, minutes), and a problem by ISO day (or
        ``"week"`` when nothing was entered)."""
        entries: list[tuple[date, int]] = []
        problems: dict[str, str] = {}
        for day in self.days:
            key = day.isoformat()
            hours = to_id(self[f"hours-{key}"].data)
            minutes = self[f"minutes-{key}"].data
            if hours is None or hours > 24 or minutes not in MINUTES:
                problems[key] = "Choose hours and minutes from the lists"
                continue
            if hours * 60 + int(minutes):
                entries.append((day, hours * 60 + int(minutes)))
        if not entries and not problems:
            problems["week"] = "Enter the time for at least one day"
        return entries, problems


def week_form(days: list[date]) -> WeekForm:
    """A :class:`WeekForm` for these days (each absent value counts as 0)."""

    class Week(WeekForm):
        pass

    for day in days:
        setattr(Week, f"hours-{day.isoformat()}", StringField(default="0"))
        setattr(Week, f"minutes-{day.isoformat()}", StringField(default="0"))
    form = Week()
    form.days = days
    return form
