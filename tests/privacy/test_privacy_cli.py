"""The command-line contract: `privacy export`, `privacy erase`, `retention purge`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from freezegun import freeze_time
from sqlalchemy import func, select

from tests.factories import UserFactory
from tests.privacy.test_erasure import (
    EMAIL,
    NAME,
    NAMESAKE_TRACES,
    build_person,
    figures,
    traces,
)
from volunteer_hub.accounts.models import AuditEvent, OutboxMessage, User
from volunteer_hub.extensions import db
from volunteer_hub.privacy import retention
from volunteer_hub.privacy.erasure import user_placeholder_email
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import volunteer_for


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    return {"RECEIPT_FOLDER": str(tmp_path / "receipts")}


def one_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    return lines[0]


def test_export_writes_the_full_export_as_json(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    user = UserFactory(email="exported@example.test", name="Ex Ported")
    volunteer_for(user)
    db.session.commit()
    output = tmp_path / "export.json"
    result = runner.invoke(
        args=["privacy", "export", "--email", "Exported@Example.test", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(output.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and data
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.exported"))
    assert event is not None and event.target_id == str(user.id)


def test_export_of_an_unknown_email_fails_with_one_line(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    output = tmp_path / "export.json"
    result = runner.invoke(
        args=["privacy", "export", "--email", "nobody@example.test", "--output", str(output)]
    )
    assert result.exit_code != 0
    assert "nobody@example.test" in one_line(result.output)
    assert not output.exists()


def test_erase_refuses_without_yes(app: Flask, runner: FlaskCliRunner) -> None:
    UserFactory(email="keep@example.test", name="Kim Keep")
    db.session.commit()
    result = runner.invoke(args=["privacy", "erase", "--email", "keep@example.test"])
    assert result.exit_code != 0
    assert "--yes" in one_line(result.output)
    assert db.session.scalar(select(User.name).where(User.email == "keep@example.test")) == (
        "Kim Keep"
    )


def test_erase_of_an_unknown_email_fails_with_one_line(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["privacy", "erase", "--email", "nobody@example.test", "--yes"])
    assert result.exit_code != 0
    assert "nobody@example.test" in one_line(result.output)


def test_erase_keeps_the_figures_prints_the_holds_and_is_harmless_twice(
    app: Flask, runner: FlaskCliRunner, personas, publish, default_rates
) -> None:
    person = build_person(personas, publish)
    before = figures(runner)
    result = runner.invoke(args=["privacy", "erase", "--email", EMAIL.upper(), "--yes"])
    assert result.exit_code == 0, result.output
    placeholder = f"Erased person {person.volunteer.id}"
    assert result.output.startswith(f"Erased volunteer {person.volunteer.id} as '{placeholder}'")
    assert "Kept under a legal hold:" in result.output
    assert "kept until" in result.output and "paid on" in result.output
    assert NAME not in result.output and EMAIL not in result.output
    after = figures(runner)
    assert after["value"] == before["value"] and after["ledger"] == before["ledger"]
    assert after["mileage"]["totals"] == before["mileage"]["totals"]
    assert traces([NAME, EMAIL]) == NAMESAKE_TRACES  # the other volunteer's claim

    # Again by the old address: nobody is held under it any more (and nothing changes).
    again = runner.invoke(args=["privacy", "erase", "--email", EMAIL, "--yes"])
    assert again.exit_code != 0
    assert "already erased" in one_line(again.output)
    # Again by the placeholder address: harmless, and says so.
    placeholder_email = user_placeholder_email(person.user.id)
    third = runner.invoke(args=["privacy", "erase", "--email", placeholder_email, "--yes"])
    assert third.exit_code == 0, third.output
    assert "already erased" in third.output
    assert figures(runner)["value"] == before["value"]


def test_erase_also_erases_a_record_kept_under_the_same_email(
    app: Flask, runner: FlaskCliRunner
) -> None:
    db.session.add(Volunteer(name="Pat Imported", email="pat@example.test", phone="07700 900555"))
    db.session.commit()
    result = runner.invoke(args=["privacy", "erase", "--email", "pat@example.test", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Nothing kept under a legal hold." in result.output
    assert traces(["Pat Imported", "pat@example.test", "07700 900555"]) == []


def test_purge_prints_one_line_per_kind_and_the_total(app: Flask, runner: FlaskCliRunner) -> None:
    with freeze_time(datetime(2020, 1, 1, 12, 0, tzinfo=UTC), tz_offset=0):
        for n in range(3):
            db.session.add(
                OutboxMessage(
                    to_address=f"old{n}@example.test",
                    kind="note",
                    subject="Old",
                    body_text="Old",
                    body_html="Old",
                    status="sent",
                )
            )
        db.session.commit()
    with freeze_time(datetime(2023, 1, 1, 12, 0, tzinfo=UTC), tz_offset=0):
        dry = runner.invoke(args=["retention", "purge", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        lines = dry.output.strip().splitlines()
        assert lines[0] == "dry run: nothing was changed"
        assert "outbox: 3 would be deleted" in lines
        assert lines[-1] == "retention: 3 records"
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 3

        real = runner.invoke(args=["retention", "purge"])
        assert real.exit_code == 0, real.output
        lines = real.output.strip().splitlines()
        assert len(lines) == len(retention.DEFAULTS) + 1
        assert "outbox: 3 deleted" in lines and "applicants: 0 erased" in lines
        assert lines[-1] == "retention: 3 records"
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0

        again = runner.invoke(args=["retention", "purge"])
        assert again.exit_code == 0
        assert again.output.strip().splitlines()[-1] == "retention: 0 records"


def test_purge_says_which_kinds_are_kept_for_ever(app: Flask, runner: FlaskCliRunner) -> None:
    app.config["RETENTION_AUDIT"] = None
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert "audit: kept (no retention limit set)" in result.output.splitlines()
    assert result.output.strip().splitlines()[-1] == "retention: 0 records"
