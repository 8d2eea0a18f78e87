"""Whether a person wants an email of a kind: a hook between a domain that sends and the
reminders domain (above it) that keeps each person's choices.

The reminders domain registers its check when it is imported (``reminders/queries.py``); a
domain below it asks :func:`wants` without importing it. With no check registered (a command
that never loaded reminders), every email is wanted: the safe default for someone relying on a
reminder.
"""

from __future__ import annotations

from collections.abc import Callable

Check = Callable[[str, str], bool]
_checks: dict[str, Check] = {}


def register(name: str, check: Check) -> None:
    """Register (or replace) the check called ``name``: ``check(email, kind) -> bool``."""
    _checks[name] = check


def wants(email: str, kind: str) -> bool:
    """False when a registered check says the person with this address turned ``kind`` off."""
    return all(check(email, kind) for check in _checks.values())
