"""The retention schedule, applied with a frozen clock: each run purges what is due, a dry run
counts exactly what a real run does, and a second run purges nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory
from sqlalchemy import func, inspect, select

from tests.factories import UserFactory
from volunteer_hub.accounts import audit
from volunteer_hub.accounts.models import AuditEvent, OutboxMessage, User
from volunteer_hub.expenses.models import ExpenseClaim, ExpenseItem, Receipt
from volunteer_hub.expenses.storage import receipt_storage
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.organisations.models import Role
from volunteer_hub.organisations.roles import latest_version
from volunteer_hub.placements.models import Placement
from volunteer_hub.privacy import redaction, retention
from volunteer_hub.privacy.erasure import ERASED_TEXT, erase, is_erased_volunteer
from volunteer_hub.recruitment.models import Application, DbsRecord, Reference
from volunteer_hub.supervision.models import SupervisionRecord
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import volunteer_for

T0 = datetime(2020, 1, 15, 10, 0, tzinfo=UTC)
START = T0.date()


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    return {"RECEIPT_FOLDER": str(tmp_path / "receipts")}


@pytest.fixture
def clock() -> Iterator[FrozenDateTimeFactory]:
    with freeze_time(T0, tz_offset=0) as frozen:
        yield frozen


def months_later(months: int) -> date:
    return retention.add_months(START, months)


def _person(name: str, email: str) -> Volunteer:
    user = UserFactory(name=name, email=email)
    user.last_sign_in_at = T0
    return volunteer_for(user)


def _placement(volunteer: Volunteer, role: Role, supervisor: User, end: date | None) -> Placement:
    placement = Placement(
        volunteer_id=volunteer.id,
        role_id=role.id,
        organisation_id=role.organisation_id,
        role_version_id=latest_version(role).id,
        supervisor_id=supervisor.id,
        start_date=START - timedelta(days=30),
        end_date=end,
    )
    db.session.add(placement)
    db.session.flush()
    return placement


def _application(volunteer: Volunteer, role: Role, stage: str) -> Application:
    application = Application(
        volunteer_id=volunteer.id,
        role_id=role.id,
        organisation_id=role.organisation_id,
        stage=stage,
        message="Keen to help",
    )
    db.session.add(application)
    db.session.flush()
    db.session.add(
        Reference(
            application_id=application.id,
            referee_name="Rita Referee",
            referee_email="rita@example.test",
            relationship_to_applicant="Neighbour",
            nonce="r" * 32,
            responded_at=T0,
            known_for="5 years",
            would_recommend="yes",
            comments="Very reliable",
            satisfactory=True,
        )
    )
    return application


def _paid_claim(volunteer: Volunteer, placement: Placement) -> str:
    claim = ExpenseClaim(
        volunteer_id=volunteer.id,
        organisation_id=placement.organisation_id,
        placement_id=placement.id,
        status="paid",
        submitted_at=T0,
        decided_at=T0,
        paid_on=START,
    )
    db.session.add(claim)
    db.session.flush()
    item = ExpenseItem(
        claim_id=claim.id,
        type="car_mileage",
        date=START - timedelta(days=5),
        description="To the food bank",
        miles_tenths=100,
        start_postcode="NB1 1AA",
        end_postcode="NB3 3CC",
        claimed_pence=450,
        decision="approved",
        approved_pence=450,
        decision_reason="Receipt checked against the route",
    )
    db.session.add(item)
    db.session.flush()
    data = f"%PDF-1.4 receipt {claim.id}".encode()
    key = receipt_storage().save(data)
    db.session.add(
        Receipt(
            item_id=item.id,
            storage_key=key,
            original_name="fuel.pdf",
            content_type="application/pdf",
            size_bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
    )
    return key


def run(clock: FrozenDateTimeFactory, day: date) -> dict[str, int]:
    """Purge on ``day``: a dry run, the real run (committed), and a second run that finds
    nothing. Returns the real run's counts."""
    clock.move_to(datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC))
    dry = retention.purge(day, dry_run=True)
    db.session.rollback()
    real = retention.purge(day, dry_run=False)
    db.session.commit()
    assert dry == real, "a dry run counts exactly what a real run does"
    again = retention.purge(day, dry_run=False)
    db.session.commit()
    assert sum(count for _kind, count in again) == 0, again
    assert [kind for kind, _count in real] == list(retention.DEFAULTS)
    return dict(real)


def _receipt_exists(app: Flask, key: str) -> bool:
    return (Path(app.config["RECEIPT_FOLDER"]) / key[:2] / key).exists()


def test_purge_applies_the_schedule_over_the_years(
    app: Flask, personas, publish, clock: FrozenDateTimeFactory
) -> None:
    role = publish(personas.org_a, "Driver")
    supervisor = personas.coordinator_a
    # Ann applied, was declined, and was never placed.
    ann = _person("Ann Applicant", "ann@example.test")
    _application(ann, role, "declined")
    # Bob was placed; his placement ended soon after.
    bob = _person("Bob Former", "bob@example.test")
    bob_placement = _placement(bob, role, supervisor, end=START + timedelta(days=10))
    db.session.add(
        HourRecord(
            volunteer_id=bob.id,
            organisation_id=role.organisation_id,
            role_id=role.id,
            placement_id=bob_placement.id,
            date=START,
            seconds=3600,
            status="approved",
        )
    )
    # Cat is still placed: never erased, but her DBS record, references and receipts age out.
    cat = _person("Cat Current", "cat@example.test")
    cat_placement = _placement(cat, role, supervisor, end=None)
    _application(cat, role, "placed")
    db.session.add(
        DbsRecord(
            volunteer_id=cat.id,
            certificate_number="001234567890",
            issue_date=START - timedelta(days=5),
            level="enhanced",
            workforce="adult",
            outcome="clear",
            decided_at=T0,
        )
    )
    cat_receipt = _paid_claim(cat, cat_placement)
    # Dan was erased at once; his paid claim and a recorded concern are under legal holds.
    dan = _person("Dan Departed", "dan@example.test")
    dan_placement = _placement(dan, role, supervisor, end=START)
    dan_receipt = _paid_claim(dan, dan_placement)
    db.session.add(
        SupervisionRecord(
            placement_id=dan_placement.id,
            supervisor_id=supervisor.id,
            met_on=START,
            format="one_to_one",
            concerns="A client raised a complaint",
            confidential_notes="Passed to the safeguarding lead",
        )
    )
    db.session.flush()
    holds = erase(actor=None, volunteer=dan, today=START).holds
    assert {h.kind for h in holds} == {"paid_expense_claim", "safeguarding_concern"}
    # Logs.
    ann_user = db.session.get(User, ann.user_id)
    audit.record("sign_in", actor=ann_user, target=ann_user, details={"method": "password"})
    audit.record("role_granted", actor=personas.admin, target=ann_user, details={"role": "x"})
    db.session.add(
        OutboxMessage(
            to_address="cat@example.test",
            kind="note",
            subject="Hello",
            body_text="Hello",
            body_html="<p>Hello</p>",
            status="sent",
        )
    )
    db.session.commit()
    ids = {"ann": ann.id, "bob": bob.id, "cat": cat.id, "dan": dan.id}

    def erased(name: str) -> bool:
        volunteer = db.session.get(Volunteer, ids[name])
        assert volunteer is not None
        return is_erased_volunteer(volunteer)

    # Nothing is due on the day itself (references of decided applications go at once).
    first = run(clock, START)
    assert first == {**dict.fromkeys(retention.DEFAULTS, 0), "references": 2}
    assert db.session.scalar(select(Reference.referee_name).limit(1)) == retention.REMOVED

    # 13 months on: Ann (never placed) is erased; Cat's DBS record has gone.
    counts = run(clock, months_later(13))
    assert counts == {**dict.fromkeys(retention.DEFAULTS, 0), "applicants": 1, "dbs": 1}
    assert erased("ann") and not erased("bob") and not erased("cat")
    assert db.session.scalar(select(func.count(DbsRecord.id))) == 0
    assert db.session.scalar(select(func.count(Reference.id))) == 1  # Ann's went with her

    # 25 months on: sign-in and audit entries and emails older than 2 years.
    counts = run(clock, months_later(25))
    assert counts["sign_ins"] == 1 and counts["outbox"] == 1
    assert counts["audit"] >= 2  # role_granted and Dan's privacy.erased, among others
    assert counts["volunteers"] == 0
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert actions == {"privacy.erased"}  # Ann's, 12 months old

    # 37 months on: Bob, inactive for three years, is erased.
    counts = run(clock, months_later(37))
    assert counts["volunteers"] == 1 and counts["applicants"] == 0
    assert erased("bob") and not erased("cat")
    assert db.session.scalar(select(func.count(HourRecord.id))) == 1  # his hours still count

    # Six years and a month on: receipts go, and Dan's holds end.
    assert _receipt_exists(app, cat_receipt) and _receipt_exists(app, dan_receipt)
    counts = run(clock, months_later(73))
    assert counts["receipts"] == 1 and counts["paid_claims"] == 1 and counts["concerns"] == 1
    assert not _receipt_exists(app, cat_receipt) and not _receipt_exists(app, dan_receipt)
    assert db.session.scalar(select(func.count(Receipt.id))) == 0
    dan_items = db.session.execute(
        select(
            ExpenseItem.description,
            ExpenseItem.start_postcode,
            ExpenseItem.decision,
            ExpenseItem.decision_reason,
            ExpenseItem.approved_pence,
        )
        .join(ExpenseClaim, ExpenseClaim.id == ExpenseItem.claim_id)
        .where(ExpenseClaim.volunteer_id == ids["dan"])
    ).all()
    assert dan_items == [(ERASED_TEXT, None, "approved", None, 450)]
    record = db.session.scalar(select(SupervisionRecord))
    assert record is not None and record.concerns is None and record.confidential_notes is None
    # Cat's claim keeps its details: she was not erased, only her receipt file aged out.
    assert db.session.scalar(
        select(ExpenseItem.description)
        .join(ExpenseClaim, ExpenseClaim.id == ExpenseItem.claim_id)
        .where(ExpenseClaim.volunteer_id == ids["cat"])
    ) == ("To the food bank")
    assert not erased("cat")


def test_staff_are_never_erased_by_retention(app: Flask, personas, clock) -> None:
    coordinator_record = volunteer_for(personas.coordinator_a)
    db.session.commit()
    counts = run(clock, months_later(120))
    assert counts["applicants"] == 0
    volunteer = db.session.get(Volunteer, coordinator_record.id)
    assert volunteer is not None and not is_erased_volunteer(volunteer)


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({}, retention.DEFAULTS),
        ({"RETENTION": {"applicants": 18, "dbs": None}}, {"applicants": 18, "dbs": None}),
        ({"RETENTION": {"dbs": 3}, "RETENTION_DBS": 9}, {"dbs": 9}),
        ({"RETENTION_OUTBOX": "never", "RETENTION_AUDIT": "36"}, {"outbox": None, "audit": 36}),
    ],
)
def test_the_schedule_can_be_overridden(
    app: Flask, config: dict[str, Any], expected: dict[str, int | None]
) -> None:
    app.config.update(config)
    assert retention.schedule() == {**retention.DEFAULTS, **expected}


def test_an_unknown_kind_or_a_negative_period_is_refused(app: Flask) -> None:
    app.config["RETENTION"] = {"photos": 3}
    with pytest.raises(ValueError, match="unknown kind"):
        retention.schedule()
    app.config["RETENTION"] = {}
    app.config["RETENTION_DBS"] = -1
    with pytest.raises(ValueError, match="0 or more"):
        retention.schedule()


def test_a_kind_set_to_never_is_kept(app: Flask, personas, clock) -> None:
    app.config["RETENTION_OUTBOX"] = None
    db.session.add(
        OutboxMessage(
            to_address="x@example.test", kind="note", subject="s", body_text="b", body_html="b"
        )
    )
    db.session.commit()
    assert run(clock, months_later(100))["outbox"] == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -12, date(2025, 1, 15)),
        (date(2026, 1, 15), 0, date(2026, 1, 15)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day: date, months: int, expected: date) -> None:
    assert retention.add_months(day, months) == expected


def test_ended_holds_are_emptied_in_one_redaction_per_step(
    app: Flask, personas, publish, clock: FrozenDateTimeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = publish(personas.org_a, "Driver")
    supervisor = personas.coordinator_a
    for name in ("Dan Departed", "Eve Gone"):
        volunteer = _person(name, f"{name.split()[0].lower()}@example.test")
        placement = _placement(volunteer, role, supervisor, end=START)
        _paid_claim(volunteer, placement)
        db.session.add(
            SupervisionRecord(
                placement_id=placement.id,
                supervisor_id=supervisor.id,
                met_on=START,
                format="one_to_one",
                concerns="A client raised a complaint",
            )
        )
        db.session.flush()
        erase(actor=None, volunteer=volunteer, today=START)
    db.session.commit()

    calls: list[dict[str, set[int]]] = []
    real_redact = redaction.redact

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["start"])
        return real_redact(*args, **kwargs)

    monkeypatch.setattr(redaction, "redact", counting)
    counts = run(clock, months_later(73))
    assert counts["paid_claims"] == 2 and counts["concerns"] == 2
    # The real run: one call for both claims, one for both records (the second run calls once
    # more for the claims, whose holds stay ended, and finds nothing left).
    steps = [{table: len(ids) for table, ids in start.items() if ids} for start in calls]
    assert steps[:2] == [{"expenses_claim": 2}, {"supervision_record": 2}]
    assert len(steps) <= 3
    reasons = db.session.scalars(select(ExpenseItem.decision_reason)).all()
    assert reasons == [None, None]


def test_the_audit_log_is_indexed_by_what_an_event_is_about(app: Flask) -> None:
    indexes = inspect(db.engine).get_indexes("accounts_audit_event")
    assert ["target_type", "target_id"] in [index["column_names"] for index in indexes]
