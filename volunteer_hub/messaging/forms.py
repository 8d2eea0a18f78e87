"""messaging: forms (see the package docstring). Input shape only."""

from __future__ import annotations

import secrets

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
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from volunteer_hub.core.forms import FlaskForm, choices
from volunteer_hub.messaging.models import EMAIL_CHOICES, MAX_BODY


def new_key() -> str:
    """A fresh idempotency key for a form: the page's one "Send" acts once."""
    return secrets.token_urlsafe(24)


class MessageForm(FlaskForm):
    body = TextAreaField(
        "Your message",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Enter your message"),
            Length(max=MAX_BODY, message=f"Your message must be {MAX_BODY:,} characters or fewer"),
        ],
    )
    sensitive = BooleanField(
        "Sensitive: the email says only that there is a new message, without its text",
        widget=GovCheckboxInput(),
    )
    key = HiddenField(
        validators=[
            InputRequired(message="Send the form again from the page"),
            Regexp(r"^[A-Za-z0-9_-]{16,64}$", message="Send the form again from the page"),
        ],
        default=new_key,
    )
    submit = SubmitField("Send", widget=GovSubmitInput())


class NewThreadForm(MessageForm):
    sender = SelectField("Send as", widget=GovSelect(), validate_choice=True)
    subject = StringField(
        "Subject",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a subject"),
            Length(max=150, message="The subject must be 150 characters or fewer"),
        ],
    )

    def set_senders(self, pairs: list[tuple[str, str]]) -> None:
        self.sender.choices = choices(pairs)


class ContactForm(MessageForm):
    """A time-bank member's message (no "sensitive": members email only a link)."""


class PreferenceForm(FlaskForm):
    email = RadioField(
        "How would you like to hear of new messages?",
        widget=GovRadioInput(),
        choices=choices(EMAIL_CHOICES.items()),
        validators=[InputRequired(message="Choose how to hear of new messages")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


# --- Bulk messages ---------------------------------------------------------------------------


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
