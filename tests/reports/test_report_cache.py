"""The report cache (volunteer_hub/reports/cache.py): a report built once is served again until a
write changes its figures, and never after. Real writes through the real pages and commands.

Data (tests/reports/conftest.py ``hours``): Q1 of FY 2025/26 has 150 approved hours, £2,694.00
at £17.96 an hour (the centre's view); one more approved hour makes 151, £2,711.96.
"""

from __future__ import annotations

import re
import threading
import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, insert, select, update

from tests.helpers import post_form
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.reports import cache, disclosure, equality
from volunteer_hub.reports.value import build_value_report
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import volunteer_for

pytestmark = pytest.mark.usefixtures("default_rates")

Q1 = {"period": "quarter", "year": "2025", "quarter": "1"}
BEFORE, AFTER = "2,694.00", "2,711.96"


class Statements:
    """Counts the statements the database is sent that read hour records in aggregate."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, _conn, _cursor, statement, *_args) -> None:
        if "hours_record" in statement and "sum(" in statement.lower():
            self.count += 1


@pytest.fixture
def statements(app):
    counter = Statements()
    event.listen(db.engine, "before_cursor_execute", counter)
    yield counter
    event.remove(db.engine, "before_cursor_execute", counter)


def _submitted(personas, day: date = date(2025, 5, 2), seconds: int = 3600) -> HourRecord:
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.email == "a0@example.org"))
    record = HourRecord(
        volunteer_id=volunteer.id,
        organisation_id=personas.org_a.id,
        date=day,
        seconds=seconds,
        status="submitted",
    )
    db.session.add(record)
    db.session.commit()
    return record


def _page(client) -> str:
    response = client.get("/reports/value", query_string=Q1)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_second_view_is_served_from_the_cache(hours, personas, login, statements) -> None:
    centre = login(personas.centre)
    assert BEFORE in _page(centre)
    built = statements.count
    assert built > 0
    assert BEFORE in _page(centre)
    assert BEFORE in _page(login(personas.admin))  # another person, the same full figures
    assert statements.count == built  # no aggregate of hours read again


def test_an_approval_shows_at_once(hours, personas, login, statements) -> None:
    centre = login(personas.centre)
    assert BEFORE in _page(centre)
    record = _submitted(personas)
    # Waiting for approval it changes no figure: the cached report is still the right one.
    built = statements.count
    assert BEFORE in _page(centre) and statements.count == built
    response = post_form(
        login(personas.coordinator_a),
        "/hours/approvals",
        {"action": "approve", "record": [str(record.id)]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(HourRecord, record.id).status == "approved"
    page = _page(centre)
    assert AFTER in page and BEFORE not in page
    assert statements.count > built


def test_a_rejected_correction_and_a_deletion_show_at_once(hours, personas, login) -> None:
    centre = login(personas.centre)
    record = _submitted(personas)
    record.status = "approved"
    db.session.commit()
    assert AFTER in _page(centre)
    record.seconds = 7200  # two hours now: 152 × £17.96
    db.session.commit()
    assert "2,729.92" in _page(centre)
    db.session.delete(record)
    db.session.commit()
    assert BEFORE in _page(centre)


def test_rows_added_outside_the_session_bookkeeping_are_seen(hours, personas, login) -> None:
    """Imports on PostgreSQL ``COPY`` straight through the driver: no ORM event sees them, the
    approved hours' count and highest id do."""
    centre = login(personas.centre)
    assert BEFORE in _page(centre)
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.email == "a1@example.org"))
    with db.engine.begin() as connection:
        connection.execute(
            insert(HourRecord.__table__).values(
                volunteer_id=volunteer.id,
                organisation_id=personas.org_a.id,
                date=date(2025, 6, 1),
                seconds=3600,
                status="approved",
                source="imported",
                employer_time=False,
            )
        )
    assert AFTER in _page(centre)


def test_a_rate_change_shows_at_once(hours, personas, login, cli) -> None:
    centre = login(personas.centre)
    year = {"period": "year", "year": "2025"}  # ends 31 March 2026
    assert BEFORE in centre.get("/reports/value", query_string=year).get_data(as_text=True)
    new_rate = ["uk_median_hourly_2026", "18.50", "GBP", "ASHE median", "UK", "April 2026"]
    cli("rates", [[*new_rate, "ONS ASHE 2026", "2026-03-01", "", ""]])
    page = centre.get("/reports/value", query_string=year).get_data(as_text=True)
    assert "£18.50 an hour" in page and "2,775.00" in page and BEFORE not in page


@pytest.mark.parametrize("app_config", [{"REPORT_WORKERS": 1}])  # all in this transaction
def test_uncommitted_figures_are_never_cached(hours, personas, app_config) -> None:
    def hours_total() -> str:
        report = build_value_report(start=date(2025, 4, 1), end=date(2025, 6, 30))
        return report["total_hours"]

    before = hours_total()
    record = _submitted(personas)
    record.status = "approved"
    db.session.flush()  # in this transaction only
    assert hours_total() != before
    db.session.rollback()
    assert hours_total() == before


def test_partners_still_get_the_published_figures_after_the_centre(hours, personas, login) -> None:
    """The cache holds the full figures; disclosure control runs on every partner's output."""
    assert "2,155.20" in _page(login(personas.centre))
    partner = _page(login(personas.partner))
    assert "Counts of 1 to 9 people" in partner
    assert "2,155.20" not in partner and "538.80" not in partner
    assert "2,155.20" in _page(login(personas.centre))


def test_the_published_view_is_worked_out_once_per_version(
    hours, personas, login, monkeypatch
) -> None:
    """Two partners' views of the same figures share one disclosure decision (and audit); an
    approval makes a new version and the next view is published afresh, with the new hour;
    the equality profile is published afresh only when its counts change."""
    monkeypatch.setattr(cache, "_local", cache._Local())
    calls = {"value": 0, "equality": 0}
    real_for_partners = disclosure.for_partners
    real_control = equality.apply_disclosure_control

    def counted_for_partners(*args, **kwargs):
        calls["value"] += 1
        return real_for_partners(*args, **kwargs)

    def counted_control(*args, **kwargs):
        calls["equality"] += 1
        return real_control(*args, **kwargs)

    monkeypatch.setattr(disclosure, "for_partners", counted_for_partners)
    monkeypatch.setattr(equality, "apply_disclosure_control", counted_control)
    partner = login(personas.partner)
    first = _page(partner)
    assert "Counts of 1 to 9 people" in first and BEFORE in first
    # This quarter and the periods it is compared with, each published once.
    published, questions = calls["value"], calls["equality"]
    assert published >= 1 and questions >= 1
    nonce = re.compile(r'nonce="[^"]*"')
    assert nonce.sub("", _page(partner)) == nonce.sub("", first)  # the same page
    assert calls == {"value": published, "equality": questions}
    record = _submitted(personas)
    response = post_form(
        login(personas.coordinator_a),
        "/hours/approvals",
        {"action": "approve", "record": [str(record.id)]},
    )
    assert response.status_code == 302
    after = _page(partner)
    assert AFTER in after and BEFORE not in after
    # a0 was active in the quarter already: every equality count is the same, so their
    # published profile is reused; the value report's figures changed, published afresh.
    assert calls["value"] > published and calls["equality"] == questions
    # Someone new to the quarter changes the counts: the profile is published afresh.
    newcomer = HourRecord(
        volunteer_id=volunteer_for(personas.volunteer).id,
        organisation_id=personas.org_a.id,
        date=date(2025, 5, 2),
        seconds=3600,
        status="submitted",
    )
    db.session.add(newcomer)
    db.session.commit()
    response = post_form(
        login(personas.coordinator_a),
        "/hours/approvals",
        {"action": "approve", "record": [str(newcomer.id)]},
    )
    assert response.status_code == 302
    assert "2,729.92" in _page(partner)  # 152 hours
    assert calls["equality"] > questions


def test_a_failed_equality_audit_is_not_kept(hours, personas, login, monkeypatch) -> None:
    """Withheld while the audit fails; shown by the next view once it passes (same data)."""
    real_control = equality.apply_disclosure_control

    def failing(*_args, **_kwargs):
        raise disclosure.AuditFailed("the solver was unavailable")

    # A published profile is kept by content across tests in this process: start afresh.
    monkeypatch.setattr(cache, "_local", cache._Local())

    monkeypatch.setattr(equality, "apply_disclosure_control", failing)
    partner = login(personas.partner)
    assert "the disclosure check could not confirm" in _page(partner)
    monkeypatch.setattr(equality, "apply_disclosure_control", real_control)
    assert "the disclosure check could not confirm" not in _page(partner)


def test_pending_hours_and_sign_ins_leave_the_version_alone(hours, personas, login) -> None:
    version = cache.data_version()
    assert version is not None
    _submitted(personas)
    login(personas.volunteer)
    assert cache.data_version() == version
    record = db.session.scalar(select(HourRecord).where(HourRecord.status == "submitted"))
    record.status = "approved"
    db.session.commit()
    assert cache.data_version() != version


def _redis_or_skip(url: str):
    import os
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    import redis

    return redis.Redis.from_url(url)


REDIS_URL = "redis://127.0.0.1:6379/14"
QUEUE = f"vh_cache_test_{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("app_config", [{"JOBS_REDIS_URL": REDIS_URL, "JOBS_QUEUE_NAME": QUEUE}])
def test_in_redis_shared_signed_and_still_fresh(hours, personas, login, statements, app_config):
    """With Redis (the two app servers' set-up) the figures are kept there, under the queue
    name; an entry that fails its signature is rebuilt, never unpickled."""
    client = _redis_or_skip(REDIS_URL)
    try:
        centre = login(personas.centre)
        assert BEFORE in _page(centre)
        keys = client.keys(f"{QUEUE}:report-cache:*")
        assert keys and all(0 < client.ttl(k) <= cache.TTL_SECONDS for k in keys)
        built = statements.count
        assert BEFORE in _page(centre) and statements.count == built
        for key in keys:  # someone with access to Redis writes their own bytes
            client.set(key, b"x" * 32 + client.get(key)[32:])
        assert BEFORE in _page(centre) and statements.count > built
        record = _submitted(personas)
        record.status = "approved"
        db.session.commit()
        assert AFTER in _page(centre)
    finally:
        for key in client.keys(f"{QUEUE}*"):
            client.delete(key)


def test_a_write_committed_during_a_build_is_in_every_figure_or_in_none(hours, personas) -> None:
    """An approval committed by someone else just after the build's first aggregate of hours:
    the report is built from one snapshot, so its breakdowns still add up to its total (with
    the aggregates each reading the latest data they summed the hour twice in some tables and
    not in others on PostgreSQL, and the partners' audit refused the report, 422)."""
    record_id = _submitted(personas).id
    done: list[bool] = []
    lock = threading.Lock()

    def approve_after_the_first_aggregate(_conn, _cursor, statement, *_args) -> None:
        if "hours_record" not in statement or "sum(" not in statement.lower():
            return
        with lock:
            if done:
                return
            done.append(True)
        with engine.connect() as other:
            other.execute(
                update(HourRecord).where(HourRecord.id == record_id).values(status="approved")
            )
            other.commit()

    engine = db.engine  # read here: the listener may run in the report's helper thread
    event.listen(engine, "after_cursor_execute", approve_after_the_first_aggregate)
    try:
        during = build_value_report(start=date(2025, 4, 1), end=date(2025, 6, 30))
    finally:
        event.remove(engine, "after_cursor_execute", approve_after_the_first_aggregate)
    assert done
    after = build_value_report(start=date(2025, 4, 1), end=date(2025, 6, 30))
    for report, total in ((during, Decimal(150)), (after, Decimal(151))):
        assert Decimal(str(report["total_hours"])) == total
        for table in ("by_organisation", "by_month", "by_frequency"):
            assert sum(Decimal(str(row["hours"])) for row in report[table]) == total, table
    # And the partners' view of the report built during the write passes its audit.
    disclosure.publish(during)
