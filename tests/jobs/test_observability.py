"""Structured request logs and the Prometheus metrics endpoint."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.accounts.conftest import Personas
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.outbox import queue_email
from volunteer_hub.extensions import db
from volunteer_hub.jobs.queue import Job, run_recorded

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    return {
        "LOG_FORMAT": "json",
        "METRICS_TOKEN": TOKEN,
        "JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite3"),
    }


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    """The request log lines as the service's own handler writes them."""
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "_volunteer_hub", False))
    return [
        json.loads(handler.format(record))
        for record in caplog.records
        if record.name == "volunteer_hub.requests"
    ]


def test_each_request_is_one_json_line_with_its_id_route_status_and_duration(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = client.get("/healthz", headers={"X-Request-ID": "proxy-id-12345678"})
    assert response.headers["X-Request-ID"] == "proxy-id-12345678"
    (line,) = _request_lines(caplog)
    assert line["event"] == "request"
    assert line["request_id"] == "proxy-id-12345678"
    assert (line["method"], line["route"], line["status"]) == ("GET", "/healthz", 200)
    assert line["user_id"] is None
    assert isinstance(line["duration_ms"], float) and line["level"] == "info"
    assert str(line["timestamp"]).endswith("Z")


def test_a_strange_request_id_is_replaced(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = client.get("/healthz", headers={"X-Request-ID": 'x", "user_id": 1'})
    given = response.headers["X-Request-ID"]
    assert len(given) == 32 and given.isalnum()
    assert _request_lines(caplog)[0]["request_id"] == given


def test_a_signed_in_request_logs_the_users_id(
    app: Flask,
    personas: Personas,
    login: Callable[[User], FlaskClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    volunteer_id = personas.volunteer.id
    client = login(personas.volunteer)
    caplog.set_level(logging.INFO)
    caplog.clear()
    client.get("/account")
    line = _request_lines(caplog)[-1]
    assert line["user_id"] == volunteer_id and line["route"] == "/account"


def test_development_lines_are_readable(tmp_path: Path) -> None:
    from volunteer_hub.core import logs

    assert logs.log_format({"ENV": "development", "LOG_FORMAT": ""}) == "console"
    assert logs.log_format({"ENV": "production", "LOG_FORMAT": ""}) == "json"
    assert logs.log_format({"ENV": "production", "LOG_FORMAT": "console"}) == "console"
    logs.configure("console")
    try:
        handler = next(
            h for h in logging.getLogger().handlers if getattr(h, "_volunteer_hub", False)
        )
        record = logging.LogRecord(
            "volunteer_hub.x", logging.WARNING, "f", 1, "disk %s", ("full",), None
        )
        text = handler.format(record)
        assert "disk full" in text and "warning" in text and not text.startswith("{")
    finally:
        logs.configure("json")


def test_metrics_are_hidden_without_the_token(client: FlaskClient) -> None:
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403


@pytest.mark.parametrize("app_config", [{"METRICS_TOKEN": ""}])
def test_without_a_token_there_is_no_metrics_endpoint(client: FlaskClient) -> None:
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_metrics_count_requests_latency_the_queue_and_job_failures(
    app: Flask, client: FlaskClient
) -> None:
    client.get("/healthz")
    client.get("/healthz")
    queue_email(kind="reminder", to="a@example.org", subject="Hello", body="Hi")
    db.session.commit()  # enqueues the outbox job

    def broken() -> dict[str, int]:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        run_recorded(Job(name="retention", function=broken))
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    text = response.get_data(as_text=True)
    assert 'volunteer_hub_requests_total{method="GET",route="/healthz",status="200"} 2.0' in text
    assert 'volunteer_hub_request_duration_seconds_count{method="GET",route="/healthz"} 2.0' in text
    assert "volunteer_hub_job_queue_length 1.0" in text
    assert 'volunteer_hub_job_failures_total{job="retention"} 1.0' in text
    assert 'volunteer_hub_job_failures_total{job="outbox"} 0.0' in text
    assert "/metrics" not in text.split("volunteer_hub_requests_total", 1)[-1].split("\n# ", 1)[0]
