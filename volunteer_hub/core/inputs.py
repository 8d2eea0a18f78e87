"""Hostile input, refused in one place each: control characters in text, and ids out of range.

Text: NUL, the other C0 control characters, DEL and lone surrogates are never typed by a person,
and PostgreSQL cannot store NUL at all. They are refused

- in every query argument, path segment and JSON body: :func:`refuse_unusual_input`, run before
  every view, answers 400 (404 for a path segment) with the friendly error page (it also refuses
  a JSON body sent to a page that is not an object of strings: forms read it as their data);
- in every form field: :class:`volunteer_hub.core.forms.FlaskForm` shows
  :data:`UNUSUAL_CHARACTERS` on the field;
- in a raw ``request.form`` value read outside WTForms: :func:`form_text`, :func:`form_texts`
  (400);
- in every import cell: :func:`volunteer_hub.core.tabular.read_table` (a line error).

Tab, line feed and carriage return are allowed only in multi-line text (a ``TextAreaField``, a
JSON string, a text area read with ``form_text(..., multiline=True)``).

Ids (and other whole numbers from a request): ASCII digits only, at most :data:`MAX_ID`
(PostgreSQL ``INTEGER``, the type of every id column), through :func:`to_id`: an id in a query
string with :func:`arg_int` (400 when it is not one), in a form with :func:`form_id`/
:func:`form_ids` (400), in a URL ``<int:...>`` with :class:`IdConverter` (404 beyond the range).
A number that only shapes a page (a page number, a search distance) falls back to its default
when ``to_id`` gives None, as a search ignores what it does not understand.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map

#: The largest value of a PostgreSQL ``INTEGER`` column: every id column is one.
MAX_ID = 2_147_483_647
#: The smallest value of a PostgreSQL ``INTEGER`` column.
MIN_INT = -2_147_483_648

UNUSUAL_CHARACTERS = (
    "Remove the unusual characters (control characters, such as a null byte) from this answer"
)

#: Control characters (C0 and DEL) and lone surrogates: never in one-line text.
_UNUSUAL_ONE_LINE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
#: The same, less tab, line feed and carriage return: never in multi-line text.
_UNUSUAL_MULTI_LINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_ID = re.compile("[0-9]{1,10}")


def unusual(text: str, *, multiline: bool = False) -> bool:
    """Whether ``text`` holds a character no person types (see the module's docstring)."""
    return bool((_UNUSUAL_MULTI_LINE if multiline else _UNUSUAL_ONE_LINE).search(text))


def to_id(raw: object) -> int | None:
    """``raw`` as an id (or another whole number from a request): ASCII digits only, no sign,
    at most :data:`MAX_ID`; None for anything else (``"²"``, ``"٣"``, ``" 1"``, ``"10**22"``).
    An int passes when it is in that range."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 0 <= raw <= MAX_ID else None
    if not isinstance(raw, str) or not _ID.fullmatch(raw):
        return None
    value = int(raw)
    return value if value <= MAX_ID else None


def arg_int(name: str) -> int | None:
    """A query argument that must be an id (a filter, a statement's page mark): None when absent
    or empty; 400 when it is anything but ASCII digits up to :data:`MAX_ID`."""
    raw = request.args.get(name, "")
    if raw == "":
        return None
    value = to_id(raw)
    if value is None:
        abort(400)
    return value


def page_arg(name: str = "page") -> int:
    """A page number from the query (``?page=2``): 1 when absent, at most 10,000; 400 when it
    is not a whole number (see :func:`arg_int`)."""
    return min(arg_int(name) or 1, 10_000)


def form_id(name: str) -> int | None:
    """A posted id read without WTForms: None when absent or empty, 400 when it is not one."""
    raw = request.form.get(name, "")
    if raw == "":
        return None
    value = to_id(raw)
    if value is None:
        abort(400)
    return value


def form_ids(name: str, *, limit: int = 1000) -> list[int]:
    """Every posted value of ``name`` (checkboxes) as ids, at most ``limit`` of them; 400 when
    any is not an id."""
    values = request.form.getlist(name)[:limit]
    ids = [to_id(raw) for raw in values]
    if any(value is None for value in ids):
        abort(400)
    return [value for value in ids if value is not None]


def form_text(name: str, default: str = "", *, multiline: bool = False) -> str:
    """A posted text read without WTForms; 400 when it holds control characters."""
    value = request.form.get(name, default)
    if unusual(value, multiline=multiline):
        abort(400)
    return value


def form_texts(name: str) -> list[str]:
    """Every posted value of ``name`` (checkboxes); 400 when any holds control characters."""
    values = request.form.getlist(name)
    if any(unusual(value) for value in values):
        abort(400)
    return values


def posted_texts() -> dict[str, str]:
    """Every posted field's (first) value, to show a form again as it was typed; 400 when any
    holds control characters."""
    return {name: form_text(name, multiline=True) for name in request.form}


def _unusual_json(value: Any) -> bool:
    if isinstance(value, str):
        return unusual(value, multiline=True)
    if isinstance(value, dict):
        return any(_unusual_json(k) or _unusual_json(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unusual_json(item) for item in value)
    return False


def _form_shaped(body: Any) -> bool:
    """A JSON body a form can read: an object of strings or lists of strings."""
    return isinstance(body, dict) and all(
        isinstance(value, str)
        or (isinstance(value, list) and all(isinstance(item, str) for item in value))
        for value in body.values()
    )


def refuse_unusual_input() -> None:
    """Before every view: a path segment with control characters is no page (404); a query
    argument (name or value) or JSON body with them is a bad request (400), and so is a JSON body
    sent to a page (outside /api/) that a form could not read as its fields."""
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and unusual(value):
            abort(404)
    for key, value in request.args.items(multi=True):
        if unusual(key) or unusual(value):
            abort(400)
    if request.is_json:
        body = request.get_json(silent=True)
        if _unusual_json(body):
            abort(400)
        if not request.path.startswith("/api/") and not _form_shaped(body):
            abort(400)  # flask_wtf reads a JSON body as the form's data


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: ASCII digits, at most :data:`MAX_ID` (beyond: 404)."""

    regex = r"[0-9]{1,10}"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: ``int`` routes use :class:`IdConverter`."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_unusual_input)
