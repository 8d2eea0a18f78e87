"""Scheduled reminders run twice at the same moment (two schedulers, a manual run during the
hourly one) queue each email once, and neither run fails."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from tests.hours.test_hours_logging import TODAY, _place
from volunteer_hub.accounts.models import OutboxMessage
from volunteer_hub.extensions import db
from volunteer_hub.recruitment.models import Application
from volunteer_hub.reminders.cli import queue_due
from volunteer_hub.reminders.models import SentReminder
from volunteer_hub.volunteers.services import volunteer_for


def _at_once(app, job: Callable[[], object], runs: int = 3) -> list[BaseException]:
    barrier = threading.Barrier(runs)
    errors: list[BaseException] = []

    def run() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                job()
                db.session.commit()
            except BaseException as error:  # reported by the test
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def _overdue(personas, publish) -> None:
    role = publish(personas.org_a, "Befriender")  # supervision every 6 weeks
    _place(
        personas, role, personas.volunteer, personas.coordinator_a, start=TODAY - timedelta(days=60)
    )
    db.session.add(
        Application(
            volunteer_id=volunteer_for(personas.stranger).id,
            role_id=role.id,
            organisation_id=role.organisation_id,
            stage="applied",
            respond_by=TODAY - timedelta(days=2),
        )
    )
    db.session.commit()


def _emails() -> Counter[tuple[str, str, str]]:
    db.session.expire_all()
    return Counter(
        (m.kind, m.to_address, m.subject) for m in db.session.scalars(select(OutboxMessage))
    )


def test_recruitment_remind_and_reminders_send_at_once_email_once(app, personas, publish) -> None:
    """Both documented commands run at the same moment (two schedules): one email about the
    overdue applicant to each coordinator, one about the lapsed checks, and no failure."""
    _overdue(personas, publish)
    runner = app.test_cli_runner()
    outputs: list[str] = []

    def command(args: list[str]) -> Callable[[], object]:
        return lambda: outputs.append(runner.invoke(args=args).output)

    barrier_jobs = [command(["recruitment", "remind"]), command(["reminders", "send"])]
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=lambda job=job: _run_in_context(app, job, errors))
        for job in barrier_jobs
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(outputs) == 2, (errors, outputs)
    emails = _emails()
    assert emails and max(emails.values()) == 1, emails
    assert sum(n for (kind, *_), n in emails.items() if kind == "applicant_overdue") == 1


def _run_in_context(app, job: Callable[[], object], errors: list[BaseException]) -> None:
    with app.app_context():
        try:
            job()
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            db.session.remove()


def test_reminders_sent_at_once_queue_each_once(app, personas, publish) -> None:
    _overdue(personas, publish)
    assert _at_once(app, lambda: queue_due(TODAY)) == []
    emails = _emails()
    # Supervision due (to the supervisor and the volunteer), the applicant waiting, and
    # organisation B's lapsed checks (never recorded) to its coordinator.
    assert sum(emails.values()) == 4 and max(emails.values()) == 1, emails
    assert len(db.session.scalars(select(SentReminder)).all()) == 3
    assert sum(n for (kind, *_), n in emails.items() if kind == "checks_lapsed") == 1
