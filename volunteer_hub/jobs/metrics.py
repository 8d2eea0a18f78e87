"""Prometheus metrics at ``/metrics``: requests and their latency (this process), the job
queue's length and each job's failures (read from the queue and the database when scraped, so
every web process reports the same, whichever worker ran the job).

Protected by a token: the endpoint exists only when ``METRICS_TOKEN`` is set, and answers only
``Authorization: Bearer <METRICS_TOKEN>``. Counters are per process; with several gunicorn
workers, scrape each or read them as samples (docs/deployment.md)."""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Iterator

from flask import Blueprint, Flask, abort, current_app, g, request
from flask.typing import ResponseReturnValue
from flask.wrappers import Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from volunteer_hub.extensions import csrf, limiter

log = logging.getLogger(__name__)

bp = Blueprint("metrics", __name__)


class _JobCollector(Collector):
    """Reads the queue length and job failures when scraped."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def describe(self) -> Iterator[Metric]:
        """The metrics' names without reading anything (registering must make no query)."""
        yield GaugeMetricFamily("volunteer_hub_job_queue_length", "")
        yield CounterMetricFamily("volunteer_hub_job_failures", "", labels=["job"])

    def collect(self) -> Iterator[Metric]:
        from volunteer_hub.extensions import db
        from volunteer_hub.jobs import queries
        from volunteer_hub.jobs.queue import JOBS, queue_of

        length = GaugeMetricFamily(
            "volunteer_hub_job_queue_length", "Jobs waiting in the queue for a worker."
        )
        failures = CounterMetricFamily(
            "volunteer_hub_job_failures",
            "Failed job attempts (retried or not) over the runs kept (30 days).",
            labels=["job"],
        )
        with self.app.app_context():
            try:
                length.add_metric([], queue_of(self.app).length())
            except Exception:  # the queue's store is down: no sample rather than no page
                log.exception("Could not read the job queue's length")
            try:
                totals = queries.failure_totals()
            except Exception:
                log.exception("Could not read job failures")
                totals = None
            finally:
                db.session.remove()
        yield length
        if totals is not None:
            for name in JOBS:
                failures.add_metric([name], totals.get(name, 0))
            yield failures


class Metrics:
    def __init__(self, app: Flask) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "volunteer_hub_requests",
            "HTTP requests answered, by method, route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "volunteer_hub_request_duration_seconds",
            "Time to answer an HTTP request, by method and route.",
            ["method", "route"],
            registry=self.registry,
        )
        self.registry.register(_JobCollector(app))


def _start() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = getattr(g, "metrics_started", None)
    if started is None or request.endpoint in ("static", "metrics.metrics"):
        return response
    metrics: Metrics = current_app.extensions["metrics"]
    # The route's pattern, never the path: ids in paths would make a series per record.
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    metrics.requests.labels(request.method, route, str(response.status_code)).inc()
    metrics.latency.labels(request.method, route).observe(time.perf_counter() - started)
    return response


@bp.get("/metrics")
@csrf.exempt
@limiter.exempt
def metrics() -> ResponseReturnValue:
    token = str(current_app.config.get("METRICS_TOKEN") or "")
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        abort(403)
    registry = current_app.extensions["metrics"].registry
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    app.extensions["metrics"] = Metrics(app)
    app.before_request(_start)
    app.after_request(_observe)
