"""Fixtures shared with the other value-report tests (see tests/value_fixtures.py)."""

from tests.value_fixtures import cli, default_rates, login, personas, write_csv  # noqa: F401
