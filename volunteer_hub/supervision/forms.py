"""Forms of the supervision domain: input shape only (the rules are in ``services.py``)."""

from __future__ import annotations

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import parse_date
from volunteer_hub.core.forms import FlaskForm, GovDateField, choices, options
from volunteer_hub.core.inputs import form_text
from volunteer_hub.supervision.models import FORMATS

TEXT = Length(max=5000, message="Keep this to 5,000 characters or fewer")


class MeetingForm(FlaskForm):
    met_on = GovDateField(
        "Date of the meeting", validators=[InputRequired(message="Enter the date")]
    )
    format = RadioField(
        "How you met",
        choices=choices(FORMATS.items()),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose how you met")],
    )
    wellbeing = RadioField(
        "How is the volunteer doing, in their words? (1 struggling, 5 very well)",
        choices=options(str(n) for n in range(1, 6)),
        widget=GovRadioInput(),
        validators=[Optional()],
    )
    went_well = TextAreaField("What went well", widget=GovTextArea(), validators=[Optional(), TEXT])
    concerns = TextAreaField("Concerns", widget=GovTextArea(), validators=[Optional(), TEXT])
    next_meeting_on = GovDateField("Next meeting", validators=[Optional()])
    confidential_notes = TextAreaField(
        "Confidential notes",
        description="Never shown to the volunteer or the volunteer centre",
        widget=GovTextArea(),
        validators=[Optional(), TEXT],
    )
    #: Not an input: where problems with the agreed actions are reported.
    actions = HiddenField()
    #: The form's one-time key, so the same form sent twice records one meeting.
    key = HiddenField(validators=[Optional(), Length(max=32)])
    submit = SubmitField("Save the record", widget=GovSubmitInput())


class CommentForm(FlaskForm):
    comment = TextAreaField("Your comment", widget=GovTextArea(), validators=[Optional(), TEXT])
    submit = SubmitField("Save my comment", widget=GovSubmitInput())


def entered_actions() -> list[dict[str, str]]:
    """The three action rows as typed, to show again when something needs fixing."""
    return [
        {
            "text": form_text(f"action-{n}"),
            "owner": form_text(f"owner-{n}", "volunteer"),
            "due": form_text(f"due-{n}").strip(),
        }
        for n in range(1, 4)
    ]


def posted_actions() -> list[tuple[str, str, date | None]]:
    actions = []
    for n, row in enumerate(entered_actions(), start=1):
        due = None
        if row["due"]:
            due = parse_date(row["due"])
            if due is None:
                raise DomainError(
                    f"Action {n}: enter the due date as a real date, like 31 December 2026",
                    field="actions",
                )
        actions.append((row["text"], row["owner"], due))
    return actions
