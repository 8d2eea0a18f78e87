"""Form helpers shared by every domain."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from werkzeug.wrappers import Response
from wtforms import DateField

from volunteer_hub.core.errors import DomainError


def attach_error(form: Any, error: DomainError) -> None:
    """Show a service's DomainError on the field it names (or the form's first field), so the
    GOV.UK error summary links to it."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        field = next(
            (f for f in form if f.type not in {"CSRFTokenField", "SubmitField", "HiddenField"}),
            None,
        )
    if field is None:
        raise error
    field.errors = [*list(field.errors or []), error.message]


class GovDateField(DateField):
    """A date as GOV.UK's three boxes (day, month, year, all sent under the field's name).

    A request that does not send exactly three parts is treated as an empty date instead of
    breaking the widget, so hand-made or truncated posts get a form error, never a 500.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%d %m %Y")
        kwargs.setdefault("widget", GovDateInput())
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if len(valuelist) != 3:
            valuelist = ["", "", ""]
            self.raw_data = valuelist
        if not any(str(part).strip() for part in valuelist):
            self.data = None
            return
        super().process_formdata([str(part).strip() for part in valuelist])


def finite(form: Any, field: Any) -> None:
    """A WTForms validator: refuse NaN and infinities before any range check compares them."""
    from wtforms.validators import StopValidation

    value = field.data
    if isinstance(value, Decimal) and not value.is_finite():
        field.errors[:] = []
        raise StopValidation("Enter a number")


def perform(action: Callable[[], object], *, done: str, back: str) -> Response:
    """One state change from a button or small form: call one service, commit once and say what
    happened; on a DomainError roll back and say what to fix. Then back to ``back``."""
    from flask import flash, redirect

    from volunteer_hub.extensions import db

    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(back)
