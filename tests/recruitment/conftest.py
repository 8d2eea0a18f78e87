"""Recruitment tests: every test has the categories the migration seeds (``categories``);
personas, sign-in and ``publish`` come from tests/conftest.py (re-exported here for the other
folders' conftests that import them from this module)."""

from __future__ import annotations

import pytest

from tests.conftest import (  # noqa: F401
    COMPLETE,
    TODAY,
    in_good_standing,
    login,
    personas,
    publish,
)
from tests.value_fixtures import cli  # noqa: F401


@pytest.fixture(autouse=True)
def categories(categories: None) -> None:
    """Every test here has the categories and postcode areas the migration seeds."""
    return categories
