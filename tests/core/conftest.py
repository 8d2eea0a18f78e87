"""Fixtures for the core tests that drive real pages: personas and sign-in, a published role,
a time bank with members, and the import command helper."""

from tests.accounts.conftest import login, personas  # noqa: F401
from tests.recruitment.conftest import publish  # noqa: F401
from tests.timebank.conftest import bank  # noqa: F401
from tests.value_fixtures import cli  # noqa: F401
