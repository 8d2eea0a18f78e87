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
from wtforms.validators import InputRequired, Length, Regexp

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
