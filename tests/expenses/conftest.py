"""Expenses test fixtures: personas, published roles, a placement, receipts and keys."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from tests.accounts.conftest import login, personas  # noqa: F401
from tests.recruitment.conftest import categories, publish  # noqa: F401
from tests.value_fixtures import cli  # noqa: F401
from volunteer_hub.extensions import db
from volunteer_hub.organisations.roles import latest_version
from volunteer_hub.placements.models import Placement
from volunteer_hub.volunteers.services import volunteer_for

TODAY = date.today()
KEY = Fernet.generate_key().decode()


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    return {"RECEIPT_FOLDER": str(tmp_path / "receipts"), "BANK_DETAILS_KEYS": KEY}


def place(role: Any, user: Any, supervisor: Any) -> Placement:
    placement = Placement(
        volunteer_id=volunteer_for(user).id,
        role_id=role.id,
        organisation_id=role.organisation_id,
        role_version_id=latest_version(role).id,
        supervisor_id=supervisor.id,
        start_date=TODAY - timedelta(days=60),
    )
    db.session.add(placement)
    db.session.commit()
    return placement


@pytest.fixture
def placement(personas, publish) -> Placement:  # noqa: F811
    role = publish(personas.org_a, "Driver")
    return place(role, personas.volunteer, personas.coordinator_a)


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def receipts_dir(app) -> Callable[[], list[Path]]:
    def files() -> list[Path]:
        folder = Path(app.config["RECEIPT_FOLDER"])
        return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []

    return files
