"""Training tests: personas, sign-in and ``publish`` come from tests/conftest.py; every
test here has the categories and postcode areas the migration seeds."""

from __future__ import annotations

import pytest

from tests.value_fixtures import cli  # noqa: F401


@pytest.fixture(autouse=True)
def categories(categories: None) -> None:
    """Every test here has the categories and postcode areas the migration seeds."""
    return categories
