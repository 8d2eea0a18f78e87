"""Privacy's forms: input shape only."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from volunteer_hub.core.forms import FlaskForm, GovDateField, choices


class RequestForm(FlaskForm):
    kind = RadioField(
        "Request",
        choices=choices(
            [("access", "Subject access (what do you hold about me?)"), ("erasure", "Erasure")]
        ),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose the kind of request")],
    )
    email = StringField(
        "The person's email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the person's email address"), Length(max=254)],
    )
    received_on = GovDateField(
        "Received on", validators=[InputRequired(message="Enter the date it was received")]
    )
    channel = StringField(
        "How it arrived",
        description="For example: email, letter, phone",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=32)],
    )
    notes = TextAreaField("Notes", widget=GovTextArea(), validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Log the request", widget=GovSubmitInput())
