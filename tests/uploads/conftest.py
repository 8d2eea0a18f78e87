"""Uploads' tests: the shared personas, a time bank, and an upload folder per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import login, personas
from tests.timebank.conftest import bank

__all__ = ["bank", "login", "personas"]


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    return {"IMPORT_UPLOAD_FOLDER": str(tmp_path / "uploads")}
