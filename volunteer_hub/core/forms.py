"""Form helpers shared by every domain."""

from __future__ import annotations

from typing import Any

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
