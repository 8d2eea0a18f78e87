"""Expenses forms: input shape only (rules live in ``rules`` and the services)."""

from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from volunteer_hub.core.forms import FlaskForm, GovDateField
from volunteer_hub.expenses.models import ITEM_TYPES, ExpenseItem


class StartForm(FlaskForm):
    placement = SelectField("Which volunteering is this for?", choices=[], widget=GovSelect())
    submit = SubmitField("Start a claim", widget=GovSubmitInput())


class ItemForm(FlaskForm):
    item_type = SelectField(
        "Type of expense",
        choices=[],
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the type of expense")],
    )
    day = GovDateField("Date", validators=[InputRequired(message="Enter the date")])
    description = StringField(
        "Description",
        description="For example, bus to the garden and back",
        widget=GovTextInput(),
        validators=[InputRequired(message="Describe the expense"), Length(max=500)],
    )
    amount = StringField(
        "Amount in pounds (not for mileage)",
        description="For example, 3.40",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=20)],
    )
    miles = StringField(
        "Miles (mileage only)",
        description="For example, 12.5",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=20)],
    )
    start_postcode = StringField(
        "Start postcode (mileage only)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=10)],
    )
    end_postcode = StringField(
        "End postcode (mileage only)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=10)],
    )
    passengers = IntegerField(
        "Passengers (passenger supplement only)",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=0, max=8, message="Enter 0 to 8 passengers")],
    )
    submit = SubmitField("Add the item", widget=GovSubmitInput())


class ReceiptForm(FlaskForm):
    receipt = FileField(
        "Receipt (a photo or PDF)",
        description="PDF, JPEG, PNG or HEIC, smaller than 10 MB",
        widget=GovFileInput(),
    )
    submit = SubmitField("Attach the receipt", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    """A button: the CSRF token only."""

    submit = SubmitField("Continue", widget=GovSubmitInput())


class BatchForm(FlaskForm):
    organisation = SelectField("Organisation", choices=[], widget=GovSelect())
    #: The claims the coordinator checked on the preview page (hidden inputs, one a claim).
    claim = SelectMultipleField(choices=[], validate_choice=False)
    submit = SubmitField("Check a payment batch", widget=GovSubmitInput())


class PaidForm(FlaskForm):
    paid_on = GovDateField(
        "Date the payments were made", validators=[InputRequired(message="Enter the date paid")]
    )
    submit = SubmitField("Mark the batch paid", widget=GovSubmitInput())


class PolicyForm(FlaskForm):
    types = SelectMultipleField(
        "Expenses you repay",
        choices=[SelectChoice(value, label) for value, label in ITEM_TYPES.items()],
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )
    mileage_policy = RadioField(
        "Mileage rate",
        choices=[
            SelectChoice("hmrc", "HMRC rates (45p a mile to 10,000 miles, then 25p)"),
            SelectChoice("fixed", "A fixed rate"),
        ],
        default="hmrc",
        widget=GovRadioInput(),
    )
    fixed_pence_per_mile = IntegerField(
        "Fixed rate, pence a mile (fixed rate only)",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=1, max=100, message="Enter 1 to 100 pence")],
    )
    deadline_days = IntegerField(
        "Claim deadline, days after the expense",
        default=90,
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the deadline in days"),
            NumberRange(min=1, max=730, message="Enter 1 to 730 days"),
        ],
    )
    receipt_threshold = StringField(
        "Receipts needed from (pounds)",
        description="0 means every item except mileage needs a receipt",
        default="0",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the threshold in pounds"), Length(max=20)],
    )
    bank_payments = BooleanField(
        "Volunteers may give bank details for payment", widget=GovCheckboxInput()
    )
    submit = SubmitField("Save the policy", widget=GovSubmitInput())


class ApproverForm(FlaskForm):
    user = SelectField("Supervisor", choices=[], widget=GovSelect())
    submit = SubmitField("Let them approve expenses", widget=GovSubmitInput())


class BankForm(FlaskForm):
    name = StringField(
        "Name on the account",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the name on the account"), Length(max=100)],
    )
    sort_code = StringField(
        "Sort code",
        description="Must be 6 digits long",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the sort code"), Length(max=10)],
    )
    account_number = StringField(
        "Account number",
        description="Must be 8 digits long",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the account number"), Length(max=12)],
    )
    submit = SubmitField("Save bank details", widget=GovSubmitInput())


class DecisionForm(FlaskForm):
    """An approver's decision on each item of a claim: ``decision-<id>``, ``amount-<id>`` and
    ``reason-<id>`` for each of its items (see :func:`decision_form`), written by hand in the
    claim's page."""


def decision_form(items: list[ExpenseItem]) -> DecisionForm:
    """The decision form for these items (only their fields are read: any naming another
    item is ignored)."""
    fields = {
        f"{part}-{item.id}": StringField(validators=[Optional()])
        for item in items
        for part in ("decision", "amount", "reason")
    }
    form_class = type("ClaimDecisionForm", (DecisionForm,), fields)
    form: DecisionForm = form_class()
    return form


def choices(pairs: list[tuple[object, str]], first: str | None = None) -> list[SelectChoice]:
    """(value, label) pairs as a select's options, with an empty first option when given."""
    options = [SelectChoice("", first)] if first is not None else []
    return options + [SelectChoice(str(value), label) for value, label in pairs]
