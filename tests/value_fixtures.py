"""Fixtures for the value-report domains (hours, rates, investment, reports): CSV files for the
import commands, the report command, default rates, and the personas of the accounts tests.

Imported by the conftest of each test package that needs them."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner

from volunteer_hub.extensions import db
from volunteer_hub.hours.imports import HOURS_HEADER
from volunteer_hub.investment.services import INVESTMENT_HEADER
from volunteer_hub.rates.services import RATE_HEADER, ensure_default_rates


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def default_rates(app) -> None:
    ensure_default_rates()
    db.session.commit()


@pytest.fixture
def cli(runner: FlaskCliRunner, tmp_path: Path) -> Callable[..., Any]:
    """``cli(kind, rows, *args)`` writes a CSV for ``kind`` (hours, investment, rates) and imports
    it; ``cli("report", None, "--start", ...)`` runs the report and returns parsed JSON."""
    counter = {"n": 0}
    headers = {"hours": HOURS_HEADER, "investment": INVESTMENT_HEADER, "rates": RATE_HEADER}

    def run(
        kind: str, rows: Iterable[Sequence[Any]] | None, *args: str, expect_ok: bool = True
    ) -> Any:
        if kind == "report":
            result = runner.invoke(args=["report", "value", *args])
            if expect_ok:
                assert result.exit_code == 0, result.output
                if "--format" not in args and "--output" not in args:
                    return json.loads(result.output)
            return result
        counter["n"] += 1
        path = write_csv(tmp_path / f"{kind}-{counter['n']}.csv", headers[kind], rows or [])
        result = runner.invoke(args=[kind, "import", str(path), *args])
        if expect_ok:
            assert result.exit_code == 0, result.output
        return result

    return run


# Personas and the sign-in helper, shared with the accounts tests.
from tests.accounts.conftest import login, personas  # noqa: E402, F401
