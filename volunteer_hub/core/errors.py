"""Errors raised by services."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule was broken. ``message`` is safe to show to the user as it is.

    ``field`` names the form field the problem belongs to, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The object does not exist, or the user may not know that it does."""
