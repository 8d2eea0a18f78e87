"""The investment entry form: input shape only (the rules are in ``services.py``)."""

from __future__ import annotations

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from volunteer_hub.core.formatting import parse_date
from volunteer_hub.core.forms import FlaskForm, choices
from volunteer_hub.core.money import parse_pounds
from volunteer_hub.investment.models import CATEGORIES


class InvestmentForm(FlaskForm):
    #: The form's one-time key, so the same form sent twice adds the money once.
    key = HiddenField(validators=[Optional(), Length(max=32)])
    organisation = SelectField(
        "Organisation",
        choices=[],
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the organisation")],
    )
    category = SelectField(
        "What the money was spent on",
        choices=choices(CATEGORIES.items(), prompt="Choose a category"),
        widget=GovSelect(),
        validators=[InputRequired(message="Choose what the money was spent on")],
    )
    period_start = StringField(
        "Period from",
        description="For example, 1 April 2025",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the first day of the period")],
    )
    period_end = StringField(
        "Period to (included)",
        description="For example, 31 March 2026",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the last day of the period")],
    )
    amount = StringField(
        "Amount in pounds",
        description="For example, 1,250.00",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the amount in pounds")],
    )
    submit = SubmitField("Add investment", widget=GovSubmitInput())

    def period(self) -> tuple[date | None, date | None]:
        """The period's first and last days; each one not a date gets an error on its field."""
        return _date(self.period_start), _date(self.period_end)

    def pence(self) -> int | None:
        """The amount in pence, or None with an error on the field."""
        try:
            return parse_pounds(self.amount.data or "")
        except ValueError as error:
            message = str(error).replace("amount ", "The amount ", 1)
            self.amount.errors = [*self.amount.errors, message]
            return None


def _date(field: StringField) -> date | None:
    day = parse_date(field.data or "")
    if day is None:
        field.errors = [*field.errors, "Enter a date like 1 April 2025"]
    return day
