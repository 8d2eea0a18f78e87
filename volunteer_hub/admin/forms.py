"""Administration forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import EmailField, SelectField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length, Optional

ROLE_CHOICES = [
    ("volunteer", "Volunteer"),
    ("coordinator", "Coordinator of an organisation"),
    ("partner", "Partner (reports only) at an organisation"),
    ("centre_coordinator", "Volunteer centre coordinator"),
    ("admin", "Administrator"),
]


class GrantForm(FlaskForm):
    role = SelectField(
        "Role",
        choices=ROLE_CHOICES,
        widget=GovSelect(),
        validators=[InputRequired(message="Choose a role")],
    )
    organisation = SelectField(
        "Organisation",
        description="Only for coordinators and partners",
        choices=[],
        widget=GovSelect(),
        validators=[Optional()],
    )
    submit = SubmitField("Add role", widget=GovSubmitInput())


class InviteForm(GrantForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the person's name"), Length(max=200)],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter their email address"),
            Length(max=254),
            Email(
                message="Enter an email address in the correct format, like name@example.com",
                check_deliverability=False,
            ),
        ],
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class ButtonForm(FlaskForm):
    """A CSRF-protected button (deactivate, reactivate, remove a role)."""

    role = StringField(validators=[Optional()])
    organisation = StringField(validators=[Optional()])
    submit = SubmitField("Confirm")


class AuditSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    action = StringField("Action", widget=GovTextInput(), validators=[Optional(), Length(max=64)])
    actor = StringField(
        "Who (email)", widget=GovTextInput(), validators=[Optional(), Length(max=254)]
    )
    target = StringField(
        "Target (type or id)", widget=GovTextInput(), validators=[Optional(), Length(max=64)]
    )
    submit = SubmitField("Search", widget=GovSubmitInput())
