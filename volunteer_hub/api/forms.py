"""Forms of the token administration page: input shape only (the rules are in
``services.py``)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from volunteer_hub.accounts.models import User
from volunteer_hub.core.forms import FlaskForm, choices


class IssueTokenForm(FlaskForm):
    holder = SelectField(
        "Partner",
        description="Only users with the partner role can hold a token",
        choices=[],
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the partner the token is for")],
    )
    name = StringField(
        "Name",
        description="What will use it, for example: Council performance dashboard",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a name for the token"),
            Length(max=100, message="The name must be 100 characters or fewer"),
        ],
    )
    submit = SubmitField("Issue token", widget=GovSubmitInput())

    def set_partners(self, partners: list[User]) -> None:
        self.holder.choices = choices(
            ((str(u.id), f"{u.name} ({u.email})") for u in partners), prompt="Choose a partner"
        )


class RevokeForm(FlaskForm):
    submit = SubmitField("Revoke", widget=GovSubmitInput())
