"""The restore drill: back up the demo database, restore it into a fresh one, and compare every
table's row count, the receipt files and the value report (on SQLite, and on PostgreSQL with
TEST_DATABASE_URL)."""

from __future__ import annotations

import json
import tarfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.conftest import base_config, discard_database, new_database_url
from volunteer_hub import create_app
from volunteer_hub.extensions import db
from volunteer_hub.reports.value import build_value_report


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    return {"RECEIPT_FOLDER": str(tmp_path / "receipts")}


def _row_counts() -> dict[str, int]:
    return {
        table.name: int(db.session.scalar(select(func.count()).select_from(table)) or 0)
        for table in db.metadata.sorted_tables
    }


def _value_report() -> Any:
    today = date.today()
    report = build_value_report(start=date(today.year - 3, 4, 1), end=today)
    return json.loads(json.dumps(report, sort_keys=True, default=str))


def _receipts(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_restore_drill_gives_back_every_row_every_receipt_and_the_same_value_report(
    app: Flask, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    counts, report = _row_counts(), _value_report()
    receipts = _receipts(tmp_path / "receipts")
    assert sum(counts.values()) > 100 and receipts, "the demo data has rows and receipt files"
    db.session.remove()

    archive = tmp_path / "drill.tar"
    result = runner.invoke(args=["backup", "create", "--output", str(archive)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Backup written to {archive}")
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as contents:
        manifest = json.load(contents.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert manifest["receipts"] == len(receipts)

    fresh_url = new_database_url(tmp_path, prefix="vh_restore")
    try:
        fresh = create_app(
            {**base_config(fresh_url), "RECEIPT_FOLDER": str(tmp_path / "restored-receipts")}
        )
        with fresh.app_context():
            restored = fresh.test_cli_runner().invoke(
                args=["backup", "restore", str(archive), "--yes"]
            )
            assert restored.exit_code == 0, restored.output
            assert "Restored the backup of" in restored.output
            assert _row_counts() == counts
            assert _value_report() == report
            db.session.remove()
            db.engine.dispose()
        assert _receipts(tmp_path / "restored-receipts") == receipts
    finally:
        discard_database(fresh_url)


def test_restore_asks_before_replacing_the_database(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    archive = tmp_path / "b.tar"
    assert runner.invoke(args=["backup", "create", "--output", str(archive)]).exit_code == 0
    result = runner.invoke(args=["backup", "restore", str(archive)], input="n\n")
    assert result.exit_code == 1 and "Replace this service's database" in result.output


def test_restore_refuses_a_file_that_is_not_a_backup(app: Flask, tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar file")
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(junk), "--yes"])
    assert result.exit_code == 1 and "is not a Volunteer Hub backup" in result.output
