"""On a first run (development, no BANK_DETAILS_KEYS) bank details can be saved with the
instance's own key, and the payment batch file carries them: end to end with the demo data."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from tests.helpers import post_form
from volunteer_hub.accounts.demo import DEMO_PASSWORD
from volunteer_hub.config import INSTANCE_BANK_KEY_FILE
from volunteer_hub.expenses.models import ClaimStatus, ExpenseClaim
from volunteer_hub.extensions import db


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    # As `make run` starts it: development, not under test, no key configured.
    return {
        "TESTING": False,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "RECEIPT_FOLDER": str(tmp_path / "receipts"),
        "BANK_DETAILS_KEYS": "",
    }


def _sign_in(app: Flask, who: str):
    client = app.test_client()
    response = post_form(
        client,
        "/sign-in",
        {"email": f"{who}@demo.volunteerhub.invalid", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302
    return client


def test_a_demo_volunteers_bank_details_reach_the_payment_batch_file(
    app: Flask, runner, tmp_path: Path
) -> None:
    assert (tmp_path / "instance" / INSTANCE_BANK_KEY_FILE).exists()
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0

    volunteer = _sign_in(app, "volunteer")
    response = post_form(
        volunteer,
        "/expenses/bank-details",
        {"name": "Sam Lindqvist", "sort_code": "30-94-57", "account_number": "12345678"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert "****5678" in volunteer.get("/expenses/bank-details").get_data(as_text=True)

    claim = db.session.scalar(
        select(ExpenseClaim).where(ExpenseClaim.status == ClaimStatus.SUBMITTED.value)
    )
    assert claim is not None
    claim_id, organisation_id = claim.id, claim.organisation_id
    decisions = {f"decision-{item.id}": "approved" for item in claim.items}
    db.session.commit()

    coordinator = _sign_in(app, "garden")
    response = post_form(
        coordinator,
        f"/expenses/claims/{claim_id}/decide",
        decisions,
        form_page=f"/expenses/claims/{claim_id}",
    )
    assert response.status_code == 302
    preview_page = f"/expenses/batches/new?organisation={organisation_id}"
    preview = coordinator.get(preview_page).get_data(as_text=True)
    claims = re.findall(r'<input type="hidden" name="claim" value="(\d+)">', preview)
    assert str(claim_id) in claims
    response = post_form(
        coordinator,
        "/expenses/approvals",
        {"organisation": str(organisation_id), "claim": claims},
        form_page=preview_page,
    )
    assert response.status_code == 302
    batch_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    body = coordinator.get(f"/expenses/batches/{batch_id}.csv").get_data(as_text=True)
    rows = {row["payee"]: row for row in csv.DictReader(io.StringIO(body))}
    sam = rows["Sam Lindqvist"]
    assert (sam["account_name"], sam["sort_code"], sam["account_number"]) == (
        "Sam Lindqvist",
        "309457",
        "12345678",
    )
