"""The download shows bank details masked, never in clear, and audits the read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from volunteer_hub.accounts.models import AuditEvent
from volunteer_hub.expenses import bank
from volunteer_hub.extensions import db
from volunteer_hub.volunteers.services import volunteer_for

KEY = Fernet.generate_key().decode()


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    return {"RECEIPT_FOLDER": str(tmp_path / "receipts"), "BANK_DETAILS_KEYS": KEY}


def test_bank_details_are_masked_in_the_download(personas, login) -> None:
    volunteer = volunteer_for(personas.volunteer)
    bank.save(
        actor=personas.volunteer,
        volunteer=volunteer,
        account_name="Invented Person",
        sort_code="12-34-56",
        account_number="12345678",
    )
    db.session.commit()
    text = login(personas.volunteer).get("/account/privacy/my-data.json").get_data(as_text=True)
    data = json.loads(text)
    assert data["bank_details"] == {"sort_code": "**-**-56", "account_number": "****5678"}
    assert "12345678" not in text and "12-34-56" not in text
    assert db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "expenses.bank_details_viewed")
    )
