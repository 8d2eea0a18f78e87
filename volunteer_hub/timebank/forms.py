"""The time bank's forms: input shape only (the rules are in services and rules)."""

from __future__ import annotations

from typing import Any

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
from volunteer_hub.timebank.models import CATEGORIES, Account


def member_choices(accounts: list[Account]) -> list[SelectChoice]:
    """A member select's options: "Choose a member", then each member (with their district)."""
    return [SelectChoice("", "Choose a member")] + [
        SelectChoice(str(a.id), a.name + (f" ({a.area})" if a.area else "")) for a in accounts
    ]


def _member(label: str) -> Any:
    """A member chosen from the time bank's approved members (choices set by the view)."""
    return SelectField(label, choices=[], widget=GovSelect(), validate_choice=False)


def _hours(description: str | None = None) -> Any:
    return StringField(
        "Hours",
        description=description,
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the hours")],
    )


def _what_was_done() -> Any:
    return StringField(
        "What was done",
        widget=GovTextInput(),
        validators=[InputRequired(message="Say what was done"), Length(max=500)],
    )


def _submit(label: str) -> Any:
    return SubmitField(label, widget=GovSubmitInput())


class TimeBankForm(FlaskForm):
    name = StringField(
        "Name", widget=GovTextInput(), validators=[InputRequired(message="Enter the name")]
    )
    terms = TextAreaField(
        "Terms members accept",
        description="Leave empty for the standard terms (credits are never bought or sold)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000)],
    )
    min_hours = StringField("Minimum balance (hours)", default="-10", widget=GovTextInput())
    max_hours = StringField(
        "Maximum balance (hours, optional)", widget=GovTextInput(), validators=[Optional()]
    )
    requires_dbs = BooleanField("Members must have a clear DBS check", widget=GovCheckboxInput())
    submit = _submit("Save")


class JoinForm(FlaskForm):
    area = StringField(
        "Your postcode district (optional)",
        description="The first part of your postcode, like SE15. We never show your address.",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=8)],
    )
    accept = BooleanField("I accept the time bank's terms", widget=GovCheckboxInput())
    submit = _submit("Apply to join")


class MemberForm(FlaskForm):
    kind = RadioField(
        "Who is joining",
        choices=[
            SelectChoice("person", "A person"),
            SelectChoice("organisation", "An organisation (a care home, a centre)"),
        ],
        default="person",
        widget=GovRadioInput(),
    )
    name = StringField("Name", widget=GovTextInput(), validators=[InputRequired("Enter the name")])
    email = StringField("Email (optional)", widget=GovTextInput(), validators=[Optional()])
    phone = StringField("Phone (optional)", widget=GovTextInput(), validators=[Optional()])
    area = StringField(
        "Postcode district (optional)", widget=GovTextInput(), validators=[Optional()]
    )
    submit = _submit("Record the member")


class ApproveForm(FlaskForm):
    interviewed_on = GovDateField("Date of the interview", validators=[Optional()])
    references_ok = BooleanField("References are satisfactory", widget=GovCheckboxInput())
    submit = _submit("Approve the member")


class SuspendForm(FlaskForm):
    """The suspend (1) or reinstate (0) button on a member's page."""

    suspend = HiddenField()


class ListingForm(FlaskForm):
    #: The form's one-time key, so the same form sent twice posts one listing.
    key = HiddenField(validators=[Optional(), Length(max=32)])
    kind = RadioField(
        "Is this an offer or a request?",
        choices=[
            SelectChoice("offer", "I can offer help"),
            SelectChoice("request", "I need help"),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose an offer or a request")],
    )
    category = SelectField(
        "Category",
        choices=[SelectChoice("", "Choose a category")]
        + [SelectChoice(value, label) for value, label in CATEGORIES.items()],
        widget=GovSelect(),
    )
    title = StringField(
        "Title",
        description="For example, Help with shopping on Tuesdays",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter a title"), Length(max=120)],
    )
    description = TextAreaField(
        "Description", widget=GovTextArea(), validators=[Optional(), Length(max=2000)]
    )
    area = StringField(
        "Postcode district",
        description="Like SE15 — never an address",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=8)],
    )
    availability = StringField(
        "When", widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    submit = _submit("Post it")


class RespondForm(FlaskForm):
    """A member's answer to a listing: an optional message (a text area, lines kept)."""

    message = TextAreaField(validators=[Optional()])


class BrokerForm(FlaskForm):
    """A coordinator's suggested match: the member to match with the listing."""

    member = HiddenField()


class CoordinatorForm(FlaskForm):
    """An administrator names a coordinator: the user chosen."""

    user = HiddenField()


class ExchangeForm(FlaskForm):
    key = HiddenField()
    direction = RadioField(
        "What happened",
        choices=[SelectChoice("gave", "I gave help"), SelectChoice("received", "I received help")],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose whether you gave or received help")],
    )
    member = _member("The other member")
    done_on = GovDateField("Date", validators=[Optional()])
    hours = _hours("In quarter hours, like 1.5 or 0.75")
    description = _what_was_done()
    submit = _submit("Record the exchange")


class BothForm(FlaskForm):
    key = HiddenField()
    giver = _member("Who gave help")
    receiver = _member("Who received it")
    done_on = GovDateField("Date", validators=[Optional()])
    hours = _hours()
    description = _what_was_done()
    submit = _submit("Record for both members")


class PotForm(FlaskForm):
    key = HiddenField()
    member = _member("Member")
    hours = _hours()
    reason = StringField("Why", widget=GovTextInput(), validators=[Optional(), Length(max=500)])
    submit = _submit("Confirm")


class ReverseForm(FlaskForm):
    reason = StringField(
        "Why it is reversed",
        widget=GovTextInput(),
        validators=[InputRequired(message="Say why"), Length(max=500)],
    )
    back = HiddenField()
    submit = _submit("Reverse")
