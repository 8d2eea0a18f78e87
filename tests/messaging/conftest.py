"""Messaging tests: personas and sign-in come from tests/conftest.py."""

from __future__ import annotations

from tests.messaging.bulk_setup import world  # noqa: F401 - the bulk message tests' fixture
