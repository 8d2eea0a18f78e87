"""Administration forms."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import DateField, EmailField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional

from volunteer_hub.core.forms import FlaskForm

ROLE_CHOICES = [
    SelectChoice("volunteer", "Volunteer"),
    SelectChoice("coordinator", "Coordinator of an organisation"),
    SelectChoice("partner", "Partner (reports only) at an organisation"),
    SelectChoice("centre_coordinator", "Volunteer centre coordinator"),
    SelectChoice("admin", "Administrator"),
]

#: Dates typed as people write them ("1 November 2026", "1/11/2026"), or as ISO dates.
DATE_FORMATS = ["%d %B %Y", "%d %b %Y", "%d/%m/%Y", "%d %m %Y", "%Y-%m-%d"]


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
    #: For deactivate and reactivate: "yes" to make the account active.
    active = StringField(validators=[Optional()])
    submit = SubmitField("Confirm")


class AuditSearchForm(FlaskForm):
    """Search the audit log (a GET form, so no CSRF token)."""

    class Meta:
        csrf = False  # a GET search form

    action = StringField("Action", widget=GovTextInput(), validators=[Optional(), Length(max=64)])
    actor = StringField(
        "Who (email)", widget=GovTextInput(), validators=[Optional(), Length(max=254)]
    )
    date_from = DateField(
        "From (date)",
        widget=GovTextInput(),
        validators=[Optional()],
        format=DATE_FORMATS,
        description="For example, 1 November 2026",
    )
    date_to = DateField(
        "To (date)",
        widget=GovTextInput(),
        validators=[Optional()],
        format=DATE_FORMATS,
        description="Included in the search",
    )
    target = StringField(
        "Target (type or id)", widget=GovTextInput(), validators=[Optional(), Length(max=64)]
    )
    submit = SubmitField("Search", widget=GovSubmitInput())
