"""Fixtures shared with the other value-report tests (see tests/value_fixtures.py)."""

import pytest

from tests.value_fixtures import cli, default_rates, login, personas, write_csv  # noqa: F401


@pytest.fixture(autouse=True)
def categories(categories: None) -> None:
    """Every test here has the categories and postcode areas the migration seeds (the hour
    logging tests publish roles)."""
    return categories
