"""Background jobs: the task queue (Huey), its periodic schedule, and operating the service.

Rules:
- The queue is Huey: SQLite in the instance folder by default (``instance/jobs.sqlite3``, so
  ``make run`` needs no other service), Redis when ``JOBS_REDIS_URL`` (or ``REDIS_URL``) is set,
  with any number of workers on any number of machines. ``flask --app wsgi jobs worker`` runs a
  consumer with the periodic schedule; ``flask --app wsgi jobs status`` prints the queue length
  and the last run of each periodic job.
- The jobs live in their domains (``<domain>/jobs.py``, declared with
  :func:`volunteer_hub.jobs.queue.job`) and call the same exactly-once services as the
  commands operators can still schedule with cron (``flask outbox send``, ``flask reminders
  send``, ``flask retention purge``, ``flask report send-quarterly``): every job is safe to run
  twice, or on two workers at once. An exclusive job also takes a lock, so a second worker
  finding it running skips it.
- A failed job is retried with back-off (30 s, then twice as long each time, four times).
- Every attempt is recorded in ``jobs_run`` (job, attempt, started, finished, status, error,
  counts, the ``host:pid`` that ran it), kept 30 days, and shown to administrators on
  /admin/jobs. A run whose process has gone (killed, machine restarted) is recorded as failed
  with :data:`~volunteer_hub.jobs.queue.STOPPED`: on the same machine as soon as its process
  is gone (checked when a job finishes or a worker starts); from another machine after
  ``JOBS_STALE_MINUTES``.
- A commit that writes mail to the outbox enqueues the outbox job at once (after the commit,
  never inside it); if the queue cannot be reached the mail still goes at the next minute.
- Operating: structured request logs (:mod:`volunteer_hub.core.logs`), Prometheus metrics at
  /metrics behind ``METRICS_TOKEN`` (:mod:`volunteer_hub.jobs.metrics`), and ``flask backup
  create`` / ``restore`` (:mod:`volunteer_hub.jobs.backup`). See docs/deployment.md.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Set up this application's queue with every declared job, and its metrics."""
    from volunteer_hub.jobs import metrics, queue

    queue.init_app(app)
    metrics.init_app(app)
