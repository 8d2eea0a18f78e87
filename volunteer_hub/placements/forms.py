"""Placement forms: input shape only."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from volunteer_hub.core.forms import FlaskForm, GovDateField
from volunteer_hub.placements.models import END_REASONS


class PlaceForm(FlaskForm):
    start_date = GovDateField(
        "Start date", validators=[InputRequired(message="Enter the start date")]
    )
    supervisor = SelectField(
        "Named supervisor",
        choices=[],
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the supervisor")],
    )
    submit = SubmitField("Place volunteer", widget=GovSubmitInput())


class EndForm(FlaskForm):
    end_date = GovDateField("End date", validators=[InputRequired(message="Enter the end date")])
    reason = SelectField(
        "Why it ended",
        choices=[
            SelectChoice("", "Choose a reason"),
            *(SelectChoice(key, text) for key, text in END_REASONS.items()),
        ],
        widget=GovSelect(),
        validators=[InputRequired(message="Choose why the placement ended")],
    )
    submit = SubmitField("End placement", widget=GovSubmitInput())


class AgreeForm(FlaskForm):
    submit = SubmitField("I agree to this task description", widget=GovSubmitInput())
