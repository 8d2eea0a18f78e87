"""The form for adding a rate: input shape only (the rules are in ``services.py``)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Optional

from volunteer_hub.core.formatting import long_date, money
from volunteer_hub.core.forms import FlaskForm, choices
from volunteer_hub.rates.models import Rate
from volunteer_hub.rates.services import RATE_HEADER


class RateForm(FlaskForm):
    supersedes = SelectField(
        "Replaces",
        description="Choose the rate this one replaces from its start date, or none for a new rate",
        choices=[],
        widget=GovSelect(),
        validators=[Optional()],
    )
    key = StringField(
        "Key",
        description="Lower-case letters, digits and underscores, like the keys in the table above",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the rate's key")],
    )
    amount = StringField(
        "Amount in pounds an hour",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the amount")],
    )
    basis = StringField(
        "What the figure is",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter what the figure is")],
    )
    geography = StringField(
        "Geography",
        description="e.g. UK",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the geography")],
    )
    reference_date = StringField(
        "Reference date",
        description="The date or period the figure describes, as published, e.g. April 2026",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the reference date")],
    )
    source = StringField(
        "Source",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the source")],
    )
    effective_from = StringField(
        "In force from",
        description="For example, 1 April 2026",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the date the rate comes into force")],
    )
    effective_to = StringField(
        "In force until (optional)", widget=GovTextInput(), validators=[Optional()]
    )
    soc_code = StringField(
        "Occupation code (SOC 2020, optional)",
        description="Only for occupation (specialist) rates",
        widget=GovTextInput(),
        validators=[Optional()],
    )
    submit = SubmitField("Add rate", widget=GovSubmitInput())

    def set_choices(self, rates: list[Rate]) -> None:
        """The open rates a new one can replace."""
        self.supersedes.choices = choices(
            (
                (
                    str(r.id),
                    f"{r.basis} ({money(r.amount)} an hour, from {long_date(r.effective_from)})",
                )
                for r in rates
                if r.effective_to is None
            ),
            prompt="None: a new rate",
        )

    def raw(self) -> dict[str, str]:
        """The rate's columns as typed (as in the CSV), trimmed."""
        return {
            name: (getattr(self, name).data or "").strip()
            for name in RATE_HEADER
            if name != "currency"
        }


def _label(rate: Rate) -> str:
    return f"{rate.basis} ({money(rate.amount)} an hour, from {long_date(rate.effective_from)})"
