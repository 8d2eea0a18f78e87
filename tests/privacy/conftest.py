"""Fixtures for the data-protection tests (shared with the other domains' tests)."""

from __future__ import annotations

from tests.accounts.conftest import login, personas  # noqa: F401
from tests.recruitment.conftest import categories, publish  # noqa: F401
from tests.value_fixtures import cli, default_rates  # noqa: F401
