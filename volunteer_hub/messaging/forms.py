"""messaging: forms (see the package docstring)."""

from __future__ import annotations

# --- Bulk messages ---------------------------------------------------------------------------
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from volunteer_hub.core.forms import FlaskForm

#: What each kind of bulk message means, for the choice on the form.
BULK_KIND_HINTS = {
    "news": "News",
    "opportunities": "Opportunities: new roles and events",
    "shift_updates": "Shift updates",
    "service": "Service message: safeguarding or a shift cancelled. It goes to everyone, "
    "even people who unsubscribed, so use it only for these.",
}


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class BulkComposeForm(FlaskForm):
    kind = RadioField(
        "What kind of message is this?",
        choices=[SelectChoice(value, label) for value, label in BULK_KIND_HINTS.items()],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose what kind of message this is")],
    )
    subject = StringField(
        "Subject",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired(message="Enter a subject"),
            Length(max=150, message="Keep the subject to 150 characters or fewer"),
        ],
    )
    body = TextAreaField(
        "Message",
        widget=GovTextArea(),
        filters=[_strip],
        validators=[
            DataRequired(message="Enter the message"),
            Length(max=10_000, message="Keep the message to 10,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Preview the message", widget=GovSubmitInput())
