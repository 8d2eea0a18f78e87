"""The reminder settings form: input shape only (the rules are in ``services.py``)."""

from __future__ import annotations

from wtforms import SelectMultipleField

from volunteer_hub.core.forms import FlaskForm, choices
from volunteer_hub.reminders.models import KINDS


class SettingsForm(FlaskForm):
    """The kinds of reminder ticked. The template writes its own checkboxes; a kind not in the
    list is refused by the service, with a message, rather than by WTForms."""

    kind = SelectMultipleField(choices=choices(KINDS.items()), validate_choice=False)
