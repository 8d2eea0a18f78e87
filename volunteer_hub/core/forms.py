"""Form helpers shared by every domain, and :class:`FlaskForm`, the base of every form."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from flask_wtf import FlaskForm as _FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from werkzeug.wrappers import Response
from wtforms import DateField, Field, IntegerField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta
from wtforms.validators import StopValidation, ValidationError

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.inputs import MAX_ID, MIN_INT, UNUSUAL_CHARACTERS, to_id, unusual


def refuse_unusual_characters(form: Any, field: Field) -> None:
    """Control characters in what was sent (tab and line breaks are fine in a text area)."""
    multiline = isinstance(field, TextAreaField)
    if any(
        isinstance(value, str) and unusual(value, multiline=multiline)
        for value in field.raw_data or ()
    ):
        field.errors[:] = []
        raise StopValidation(UNUSUAL_CHARACTERS)


def optional_id(value: Any) -> int | None:
    """``coerce`` for a select of ids that starts with an empty prompt ("Choose one"): the
    prompt is no choice (None), so ``InputRequired`` says so instead of the page failing."""
    if value in ("", None):
        return None
    return int(value)


def choices_are_ids(form: Any, field: Field) -> None:
    """A choice coerced to int (an id) must be ASCII digits within the id range, whatever
    ``validate_choice`` says, before any query sees it."""
    if any(to_id(value) is None for value in field.raw_data or () if value != ""):
        field.errors[:] = []
        raise StopValidation("Choose from the list")


def integer_in_range(form: Any, field: Field) -> None:
    """An IntegerField's number fits an ``INTEGER`` column, even where the field sets no range
    (after the field's own validators, so their message comes first)."""
    if isinstance(field.data, int) and not field.errors:
        if field.data > MAX_ID:
            raise ValidationError("Enter a smaller number")
        if field.data < MIN_INT:
            raise ValidationError("Enter a larger number")


class FlaskForm(_FlaskForm):
    """The base of every form in the product (import it from here, never from flask_wtf):
    every field refuses control characters (:func:`refuse_unusual_characters`), choices coerced
    to int must be ids, and whole numbers must fit the database, each as an error on the field.
    """

    class Meta(DefaultMeta):
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
            field: Field = super().bind_field(form, unbound_field, options)
            if field.type == "CSRFTokenField":
                return field
            first: list[Any] = [refuse_unusual_characters]
            if getattr(field, "coerce", None) in (int, optional_id):
                first.append(choices_are_ids)
            last: list[Any] = [integer_in_range] if isinstance(field, IntegerField) else []
            # A new list for this form's field: the declared one is shared by every instance.
            field.validators = [*first, *field.validators, *last]
            return field


def choices(pairs: Iterable[tuple[Any, str]], *, prompt: str | None = None) -> list[SelectChoice]:
    """A select's choices in WTForms' supported form (:class:`SelectChoice`, not tuples):
    ``prompt`` first with an empty value when given, then each value and its label."""
    first = [SelectChoice("", prompt)] if prompt is not None else []
    return [*first, *(SelectChoice(value, label) for value, label in pairs)]


def options(values: Iterable[str]) -> list[SelectChoice]:
    """Choices whose label is their value, such as minutes: ``options(["0", "15", "30"])``."""
    return [SelectChoice(value, value) for value in values]


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


class IdListField(Field):
    """Every posted value of the field's name as ids (ticked checkboxes, hidden lists), at most
    ``limit`` of them: any value that is not an id makes the form invalid (a bad request, as
    :func:`volunteer_hub.core.inputs.form_ids`). The page writes its own inputs."""

    def __init__(self, label: str | None = None, *, limit: int = 1000, **kwargs: Any) -> None:
        kwargs.setdefault("default", list)
        super().__init__(label, **kwargs)
        self.limit = limit

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw_data = list(valuelist)[: self.limit]
        ids = [to_id(raw) for raw in self.raw_data]
        self.data = [value for value in ids if value is not None]
        if len(self.data) != len(ids):
            raise ValueError("Choose from the list")

    def _value(self) -> str:
        return ""


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


T = TypeVar("T")


@dataclass
class Attempt(Generic[T]):
    """What :func:`attempt` made of a form's one service call."""

    #: Committed: ``result`` is the service's return value.
    ok: bool = False
    #: Done already (a double click, or a colleague first): said politely, nothing changed.
    already: bool = False
    result: T | None = None


def attempt(form: Any, action: Callable[[], T]) -> Attempt[T]:
    """A form's one state change: call the service and commit once; on AlreadyDone roll back
    and say so (``info``); on a DomainError roll back and show it on the form's field. The view
    then redirects (``ok``, perhaps ``already``) or shows the form again with its errors."""
    from flask import flash

    from volunteer_hub.core.transitions import AlreadyDone
    from volunteer_hub.extensions import db

    try:
        result = action()
    except AlreadyDone as error:
        db.session.rollback()
        flash(error.message, "info")
        return Attempt(already=True)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return Attempt()
    db.session.commit()
    return Attempt(ok=True, result=result)


def perform(action: Callable[[], Any], *, done: str | Callable[[Any], str], back: str) -> Response:
    """One state change from a button or small form: call one service, commit once and say what
    happened (``done``, or ``done(result)`` for a message that depends on the service's result);
    on a DomainError roll back and say what to fix. Then back to ``back``."""
    from flask import flash, redirect

    from volunteer_hub.core.transitions import AlreadyDone
    from volunteer_hub.extensions import db

    try:
        result = action()
    except AlreadyDone as error:  # a double click, or a colleague first: said politely
        db.session.rollback()
        flash(error.message, "info")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(done if isinstance(done, str) else done(result), "success")
    return redirect(back)
