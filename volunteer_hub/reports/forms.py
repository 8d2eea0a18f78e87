"""The report picker: a financial year, a quarter of one, or custom dates; and an organisation."""

from __future__ import annotations

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from volunteer_hub.core.forms import FlaskForm

QUARTERS = [
    SelectChoice("1", "1: April to June"),
    SelectChoice("2", "2: July to September"),
    SelectChoice("3", "3: October to December"),
    SelectChoice("4", "4: January to March"),
]


def financial_year_of(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


class ValueReportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it only reads

    period = RadioField(
        "Period",
        choices=[
            SelectChoice("year", "A financial year"),
            SelectChoice("quarter", "A quarter of a financial year"),
            SelectChoice("custom", "Dates I choose"),
        ],
        default="year",
        widget=GovRadioInput(),
        validators=[DataRequired(message="Choose a period")],
    )
    year = SelectField(
        "Financial year",
        description="April to March",
        choices=[],
        widget=GovSelect(),
        validate_choice=False,
    )
    quarter = SelectField(
        "Quarter",
        description="Of the financial year",
        choices=QUARTERS,
        default="1",
        widget=GovSelect(),
    )
    start = StringField(
        "From",
        description="For dates you choose, for example 1 April 2025",
        widget=GovTextInput(),
        validators=[Optional()],
    )
    end = StringField(
        "To (included)",
        description="For example 31 March 2026",
        widget=GovTextInput(),
        validators=[Optional()],
    )
    # Checked against what the user may see in the view (refused with 403, not a form error).
    organisation = SelectField(
        "Organisation", choices=[], default="", widget=GovSelect(), validate_choice=False
    )
    submit = SubmitField("Show report", widget=GovSubmitInput())


class SubscriptionForm(FlaskForm):
    """Subscribe to (or stop) the quarterly report by email: a button, nothing to type."""

    action = StringField(validators=[DataRequired()])
    submit = SubmitField("Save", widget=GovSubmitInput())
