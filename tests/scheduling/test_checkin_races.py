"""QR check-in is exactly-once under real parallel requests (run on PostgreSQL with
TEST_DATABASE_URL): ten presses of "Check in" make one hour record and one audit event, ten of
"Check out" amend it once, and a coordinator saving the roster while the volunteer checks in
leaves one record."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.parallel import Shot
from volunteer_hub.accounts.models import AuditEvent
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.scheduling import checkin
from volunteer_hub.scheduling.models import SignUp
from volunteer_hub.volunteers.services import volunteer_for


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _setup(make_shift, personas, *, auto: bool = False):
    personas.org_a.auto_approve_check_ins = auto
    shift = make_shift(start=-1, length=3)
    signup = SignUp(
        shift_id=shift.id, volunteer_id=volunteer_for(personas.volunteer).id, status="confirmed"
    )
    db.session.add(signup)
    db.session.commit()
    token = checkin.pass_for(shift.id)
    return shift, signup, token


def test_parallel_check_ins_make_one_record(make_shift, personas, login, parallel) -> None:
    shift, signup, token = _setup(make_shift, personas)
    page = f"/shifts/{shift.id}/check-in?p={token}"
    client = login(personas.volunteer)
    results = parallel.post(
        client, f"/shifts/{shift.id}/check-in", {"p": token, "action": "in"}, form_page=page
    )
    assert results.server_errors == []
    assert all(r.status == 302 for r in results.results)
    assert _count(HourRecord) == 1
    assert _count(AuditEvent, AuditEvent.action == "scheduling.checked_in") == 1
    db.session.refresh(signup)
    assert signup.status == "attended" and signup.hour_record_id is not None

    results = parallel.post(
        client, f"/shifts/{shift.id}/check-in", {"p": token, "action": "out"}, form_page=page
    )
    assert results.server_errors == []
    assert _count(AuditEvent, AuditEvent.action == "scheduling.checked_out") == 1
    assert _count(HourRecord) == 1


def test_parallel_check_outs_correct_an_automatic_approval_once(
    make_shift, personas, login, parallel
) -> None:
    shift, _signup, token = _setup(make_shift, personas, auto=True)
    page = f"/shifts/{shift.id}/check-in?p={token}"
    client = login(personas.volunteer)
    parallel.post(
        client, f"/shifts/{shift.id}/check-in", {"p": token, "action": "in"}, form_page=page
    )
    results = parallel.post(
        client, f"/shifts/{shift.id}/check-in", {"p": token, "action": "out"}, form_page=page
    )
    assert results.server_errors == []
    statuses = sorted(db.session.scalars(select(HourRecord.status)))
    # The check-out came before the end: one correction (rejected + approved replacement),
    # never two approved records.
    assert statuses.count("approved") == 1
    assert len(statuses) <= 2


def test_coordinator_and_volunteer_at_once_leave_one_record(
    make_shift, personas, login, parallel
) -> None:
    shift, signup, token = _setup(make_shift, personas)
    roster = f"/shifts/{shift.id}"
    page = f"/shifts/{shift.id}/check-in?p={token}"
    results = parallel.run(
        [
            Shot(
                login(personas.volunteer),
                f"/shifts/{shift.id}/check-in",
                {"p": token, "action": "in"},
                page,
                times=5,
            ),
            Shot(
                login(personas.coordinator_a),
                f"{roster}/attendance",
                {"attended": str(signup.id)},
                roster,
                times=5,
            ),
        ]
    )
    assert results.server_errors == []
    records = db.session.scalars(select(HourRecord)).all()
    assert len(records) == 1
    db.session.refresh(signup)
    assert signup.status == "attended" and signup.hour_record_id == records[0].id
