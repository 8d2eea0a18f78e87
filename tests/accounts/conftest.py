"""Personas and a sign-in helper for permission tests (shared from tests/conftest.py)."""

from tests.conftest import ADMIN_TOTP, Personas, login, personas, sign_in  # noqa: F401
