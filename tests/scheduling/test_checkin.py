"""QR check-in and check-out (scheduling/checkin.py): the rotating codes, the volunteer's scan,
the rules of the window and the place, the one hour record (pending, automatic approval, early
check-out, the coordinator's marking correcting the same record), the kiosk's permissions,
no-show counts for coordinators only, and the organisation's default cancellation cut-off."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from tests.helpers import csrf_token_from, post_form
from tests.scheduling.conftest import hour
from volunteer_hub.accounts.models import AuditEvent
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.hours.services import log_hours
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.scheduling import checkin
from volunteer_hub.scheduling.models import Shift, SignUp
from volunteer_hub.volunteers.services import volunteer_for


def _place(shift: Shift, user, status: str = "confirmed") -> SignUp:
    signup = SignUp(
        shift_id=shift.id,
        volunteer_id=volunteer_for(user).id,
        status=status,
        position=1 if status == "waiting" else None,
    )
    db.session.add(signup)
    db.session.commit()
    return signup


def _records() -> list[HourRecord]:
    db.session.expire_all()
    return list(db.session.scalars(select(HourRecord).order_by(HourRecord.id)))


def _audits(action: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


def _page(shift: Shift) -> str:
    return f"/shifts/{shift.id}/check-in?p={checkin.pass_for(shift.id)}"


def _press(client, shift: Shift, action: str = "in", token: str | None = None):
    page = client.get(_page(shift))
    data = {
        "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        "p": token if token is not None else checkin.pass_for(shift.id),
        "action": action,
    }
    return client.post(f"/shifts/{shift.id}/check-in", data=data, follow_redirects=True)


# --- codes -----------------------------------------------------------------------------------


def test_a_code_is_good_for_its_window_and_the_next_only(app, make_shift) -> None:
    shift, other = make_shift(), make_shift(start=80)
    now = utcnow()
    code = checkin.code_for(shift.id, now)
    assert checkin.code_is_good(shift.id, code, now)
    assert checkin.code_is_good(shift.id, code, now + timedelta(seconds=checkin.WINDOW))
    assert not checkin.code_is_good(shift.id, code, now + timedelta(seconds=2 * checkin.WINDOW))
    assert not checkin.code_is_good(other.id, code, now)  # another shift's code
    assert not checkin.code_is_good(shift.id, "A" * 22, now)  # forged
    assert not checkin.code_is_good(shift.id, code + "x", now)
    assert checkin.code_for(shift.id, now) != checkin.code_for(shift.id, now + timedelta(hours=1))


def test_the_pass_belongs_to_one_shift(app, make_shift) -> None:
    shift, other = make_shift(), make_shift(start=80)
    token = checkin.pass_for(shift.id)
    assert checkin.pass_is_good(shift.id, token)
    assert not checkin.pass_is_good(other.id, token)
    assert not checkin.pass_is_good(shift.id, token[:-2] + "xx")
    assert not checkin.pass_is_good(shift.id, "\x00" * 50)


# --- scanning and checking in through the pages ------------------------------------------------


def test_volunteer_scans_checks_in_once_and_checks_out(make_shift, personas, login) -> None:
    shift = make_shift(start=-1, length=3)
    signup = _place(shift, personas.volunteer)
    client = login(personas.volunteer)
    scan = client.get(f"/check-in/{shift.id}/{checkin.code_for(shift.id, utcnow())}")
    assert scan.status_code == 302 and f"/shifts/{shift.id}/check-in?p=" in scan.location
    page = client.get(scan.location).get_data(as_text=True)
    assert "You have a place on this shift." in page and "Check in" in page

    done = _press(client, shift).get_data(as_text=True)
    assert "You are checked in." in done and "Check out" in done
    again = _press(client, shift).get_data(as_text=True)  # a second scan and press
    assert "You checked in at" in again
    (record,) = _records()
    db.session.refresh(signup)
    assert signup.status == "attended" and signup.hour_record_id == record.id
    assert record.status == "submitted"  # pending: the organisation does not auto-approve
    assert signup.checked_in_at is not None
    # From the check-in (after the start) to the end, to the nearest minute.
    expected = round((shift.ends_at - signup.checked_in_at).total_seconds() / 60) * 60
    assert record.seconds == expected and 3600 <= record.seconds <= 2 * 3600
    assert _audits("scheduling.checked_in") == 1

    out = _press(client, shift, "out").get_data(as_text=True)
    assert "You are checked out." in out
    (record,) = _records()  # the waiting record's time is amended, no second record
    db.session.refresh(signup)
    assert record.seconds == max(
        60, round((signup.checked_out_at - signup.checked_in_at).total_seconds() / 60) * 60
    )
    assert "You checked out at" in _press(client, shift, "out").get_data(as_text=True)
    assert _audits("scheduling.checked_out") == 1


def test_signed_out_scan_signs_in_then_returns_to_the_check_in(make_shift, personas, app) -> None:
    shift = make_shift(start=-1)
    _place(shift, personas.volunteer)
    client = app.test_client()
    scan = client.get(f"/check-in/{shift.id}/{checkin.code_for(shift.id, utcnow())}")
    assert scan.status_code == 302 and "/sign-in" in scan.location
    target = parse_qs(urlsplit(scan.location).query)["next"][0]
    assert target.startswith(f"/shifts/{shift.id}/check-in?p=")
    signed_in = post_form(
        client,
        scan.location,
        {"email": personas.volunteer.email, "password": "correct horse battery staple"},
    )
    assert signed_in.status_code == 302 and signed_in.location.endswith(target)
    assert "Check in" in client.get(target).get_data(as_text=True)


@pytest.mark.parametrize(
    "code", ["A" * 22, "expired", "\x00", "%E2%80%AE" * 8, "1" * 5000], ids=str.__len__
)
def test_forged_or_expired_codes_change_nothing(make_shift, personas, login, code) -> None:
    shift = make_shift(start=-1)
    _place(shift, personas.volunteer)
    response = login(personas.volunteer).get(f"/check-in/{shift.id}/{code}")
    assert response.status_code in {400, 404}
    if response.status_code == 400:
        assert "Scan the code again" in response.get_data(as_text=True)
    assert _records() == []


def test_an_old_code_or_another_shifts_code_is_refused(make_shift, personas, login) -> None:
    shift, other = make_shift(start=-1), make_shift(start=-1, length=1)
    _place(shift, personas.volunteer)
    client = login(personas.volunteer)
    old = checkin.code_for(shift.id, utcnow() - timedelta(seconds=3 * checkin.WINDOW))
    assert client.get(f"/check-in/{shift.id}/{old}").status_code == 400
    theirs = checkin.code_for(other.id, utcnow())
    assert client.get(f"/check-in/{shift.id}/{theirs}").status_code == 400
    assert client.get(f"/check-in/999999/{theirs}").status_code == 400
    # A pass for another shift, or a forged one, opens nothing and posts nothing.
    assert client.get(
        f"/shifts/{shift.id}/check-in?p={checkin.pass_for(other.id)}"
    ).status_code == (400)
    assert _press(client, shift, token="forged").status_code == 400
    assert _records() == []


def test_no_place_no_check_in(make_shift, personas, login) -> None:
    shift = make_shift(start=-1)
    _place(shift, personas.stranger, status="waiting")
    for user in (personas.volunteer, personas.stranger):
        client = login(user)
        page = client.get(_page(shift)).get_data(as_text=True)
        assert "You do not have a place on this shift" in page
        assert "Check in</button>" not in page
        assert "You do not have a place" in _press(client, shift).get_data(as_text=True)
    assert _records() == []


@pytest.mark.parametrize(
    ("start", "message"),
    [(2, "Check-in opens at"), (-4, "This shift has ended")],
)
def test_outside_the_window_nothing_changes(make_shift, personas, login, start, message) -> None:
    shift = make_shift(start=start, length=3)
    _place(shift, personas.volunteer)
    client = login(personas.volunteer)
    assert message in client.get(_page(shift)).get_data(as_text=True)
    assert message in _press(client, shift).get_data(as_text=True)
    assert _records() == [] and db.session.scalar(select(SignUp.status)) == "confirmed"


def test_check_in_window_and_time_attended(app, make_shift, personas) -> None:
    shift = make_shift(start=5, length=3)
    signup = _place(shift, personas.volunteer)
    user = personas.volunteer
    with pytest.raises(DomainError, match="Check-in opens"):
        checkin.check_in(user=user, shift=shift, now=shift.starts_at - timedelta(minutes=31))
    # 30 minutes early: the time still counts from the start.
    checkin.check_in(user=user, shift=shift, now=shift.starts_at - timedelta(minutes=30))
    assert checkin.attended_seconds(signup, shift) == 3 * 3600
    with pytest.raises(AlreadyDone):
        checkin.check_in(user=user, shift=shift, now=shift.starts_at)
    with pytest.raises(DomainError, match="after the shift starts"):
        checkin.check_out(user=user, shift=shift, now=shift.starts_at - timedelta(minutes=5))
    checkin.check_out(
        user=user, shift=shift, now=shift.starts_at + timedelta(minutes=95, seconds=40)
    )
    assert checkin.attended_seconds(signup, shift) == 96 * 60  # to the nearest minute
    late = SignUp(checked_in_at=shift.starts_at + timedelta(minutes=20))
    assert checkin.attended_seconds(late, shift) == 160 * 60
    stayed = SignUp(
        checked_in_at=shift.starts_at, checked_out_at=shift.ends_at + timedelta(hours=2)
    )
    assert checkin.attended_seconds(stayed, shift) == 3 * 3600  # never past the end
    assert checkin.attended_seconds(SignUp(), shift) == 3 * 3600  # never checked in


def test_check_in_before_a_shift_that_starts_after_midnight(app, role, personas) -> None:
    """23:45 on 1 December, shift from 00:15 on the 2nd: the hours are the 2nd's (found in CI,
    where a shift five hours ahead started after midnight)."""
    starts = datetime(2026, 12, 2, 0, 15, tzinfo=UTC)  # GMT: UK time is UTC
    shift = Shift(
        role_id=role.id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=2,
        who="anyone",
        location="Hall",
    )
    db.session.add(shift)
    db.session.commit()
    _place(shift, personas.volunteer)
    with freeze_time("2026-12-01 23:45:00"):
        checkin.check_in(user=personas.volunteer, shift=shift, now=utcnow())
        db.session.commit()
    [record] = _records()
    assert record.date == date(2026, 12, 2) and record.seconds == 2 * 3600
    with freeze_time("2026-12-01 23:45:00"), pytest.raises(DomainError, match="future"):
        log_hours(
            volunteer=volunteer_for(personas.volunteer),
            organisation_id=role.organisation_id,
            day=date(2026, 12, 2),
            seconds=3600,
        )  # logging by hand still refuses tomorrow


def test_cancelled_shift_refuses_check_in(app, make_shift, personas) -> None:
    shift = make_shift(start=-1, cancelled=True)
    _place(shift, personas.volunteer)
    with pytest.raises(DomainError, match="cancelled"):
        checkin.check_in(user=personas.volunteer, shift=shift, now=utcnow())


# --- one record, whoever marks it --------------------------------------------------------------


def test_organisation_auto_approval_and_early_check_out_correction(
    app, make_shift, personas
) -> None:
    personas.org_a.auto_approve_check_ins = True
    shift = make_shift(start=-2, length=3)
    signup = _place(shift, personas.volunteer)
    checkin.check_in(user=personas.volunteer, shift=shift, now=shift.starts_at)
    db.session.commit()
    (record,) = _records()
    assert record.status == "approved" and record.approved_by_id is None
    assert record.seconds == 3 * 3600
    checkin.check_out(
        user=personas.volunteer, shift=shift, now=shift.starts_at + timedelta(minutes=90)
    )
    db.session.commit()
    first, replacement = _records()
    assert first.status == "rejected" and first.decision_reason.startswith("Corrected: checked out")
    assert replacement.status == "approved" and replacement.replaces_id == first.id
    assert replacement.seconds == 90 * 60
    db.session.refresh(signup)
    assert signup.hour_record_id == replacement.id


def test_coordinator_marking_approves_the_same_record(make_shift, personas, login) -> None:
    shift = make_shift(start=-1, length=3)
    signup = _place(shift, personas.volunteer)
    checkin.check_in(user=personas.volunteer, shift=shift, now=utcnow())
    db.session.commit()
    coordinator = login(personas.coordinator_a)
    page = f"/shifts/{shift.id}"
    roster = coordinator.get(page).get_data(as_text=True)
    assert "checked in" in roster and "Show the check-in QR code" in roster
    response = post_form(
        coordinator, f"{page}/attendance", {"attended": str(signup.id)}, form_page=page
    )
    assert response.status_code == 302
    (record,) = _records()
    assert record.status == "approved" and record.approved_by_id == personas.coordinator_a.id
    # Checking out now leaves the coordinator's decision as it is.
    checkin.check_out(user=personas.volunteer, shift=shift, now=utcnow())
    db.session.commit()
    (record,) = _records()
    assert record.status == "approved"
    # Saving the roster again: already saved, nothing new.
    again = post_form(
        coordinator,
        f"{page}/attendance",
        {"attended": str(signup.id)},
        form_page=page,
        follow_redirects=True,
    )
    assert "already saved" in again.get_data(as_text=True)
    assert len(_records()) == 1


def test_coordinator_no_show_after_self_check_in_rejects_that_record(
    make_shift, personas, login
) -> None:
    shift = make_shift(start=-1, length=3)
    _place(shift, personas.volunteer)
    checkin.check_in(user=personas.volunteer, shift=shift, now=utcnow())
    db.session.commit()
    page = f"/shifts/{shift.id}"
    response = post_form(login(personas.coordinator_a), f"{page}/attendance", {}, form_page=page)
    assert response.status_code == 302
    (record,) = _records()
    assert record.status == "rejected" and record.decision_reason.startswith("Corrected:")
    assert db.session.scalar(select(SignUp.status)) == "no_show"
    client = login(personas.volunteer)
    assert "did not attend" in _press(client, shift, "out").get_data(as_text=True)
    assert len(_records()) == 1


# --- the kiosk and who sees what ---------------------------------------------------------------


def test_kiosk_is_for_the_shifts_coordinators_only(make_shift, personas, login) -> None:
    shift = make_shift(start=-1)
    coordinator = login(personas.coordinator_a)
    kiosk = coordinator.get(f"/shifts/{shift.id}/kiosk")
    assert kiosk.status_code == 200 and kiosk.headers["Refresh"] == "30"
    assert kiosk.headers["Cache-Control"] == "no-store"
    assert f"/shifts/{shift.id}/kiosk/code.svg" in kiosk.get_data(as_text=True)
    code = coordinator.get(f"/shifts/{shift.id}/kiosk/code.svg")
    assert code.status_code == 200 and code.mimetype == "image/svg+xml"
    assert code.headers["Cache-Control"] == "no-store" and b"<svg" in code.data
    for path in ("kiosk", "kiosk/code.svg"):
        assert login(personas.coordinator_b).get(f"/shifts/{shift.id}/{path}").status_code == 404
        assert login(personas.volunteer).get(f"/shifts/{shift.id}/{path}").status_code == 403
    assert login(personas.centre).get(f"/shifts/{shift.id}/kiosk").status_code == 200


def test_no_show_counts_are_for_coordinators_only(make_shift, personas, login) -> None:
    earlier, now = make_shift(start=-30, length=2), make_shift(start=-1, length=3)
    _place(earlier, personas.volunteer, status="no_show")
    _place(now, personas.volunteer)
    _place(now, personas.stranger)
    volunteer_id = volunteer_for(personas.volunteer).id
    coordinator = login(personas.coordinator_a)
    roster = coordinator.get(f"/shifts/{now.id}").get_data(as_text=True)
    assert "1 no-show" in roster
    record = coordinator.get(f"/shifts/volunteers/{volunteer_id}")
    assert record.status_code == 200 and record.headers["Cache-Control"] == "no-store"
    assert "Did not attend" in record.get_data(as_text=True)
    # Other volunteers: never, by page or by address.
    other = login(personas.stranger)
    assert "no-show" not in other.get(f"/shifts/{now.id}").get_data(as_text=True)
    assert other.get(f"/shifts/volunteers/{volunteer_id}").status_code == 403
    assert login(personas.volunteer).get(f"/shifts/volunteers/{volunteer_id}").status_code == 403
    # Another organisation's coordinator: not their volunteer's shifts.
    assert login(personas.coordinator_b).get(f"/shifts/volunteers/{volunteer_id}").status_code == (
        404
    )
    assert coordinator.get("/shifts/volunteers/99999999").status_code == 404
    assert coordinator.get(f"/shifts/volunteers/{10**22}").status_code == 404


# --- the organisation's settings ---------------------------------------------------------------


def _settings(client, **fields: str):
    data = {"description": "A community group", "submit": "Save", **fields}
    return post_form(client, "/organisations/organisation-a", data)


def test_new_shifts_take_the_organisations_cut_off(role, personas, login) -> None:
    old = Shift(role_id=role.id, starts_at=hour(50), ends_at=hour(52), capacity=1)
    db.session.add(old)
    db.session.commit()
    assert old.cutoff_hours == 24
    client = login(personas.coordinator_a)
    assert "Cancellation cut-off for new shifts" in client.get(
        "/organisations/organisation-a"
    ).get_data(as_text=True)
    response = _settings(client, shift_cutoff_hours="48", auto_approve_check_ins="y")
    assert response.status_code == 302
    db.session.expire_all()
    organisation = db.session.get(Organisation, personas.org_a.id)
    assert organisation.shift_cutoff_hours == 48 and organisation.auto_approve_check_ins
    new = Shift(role_id=role.id, starts_at=hour(60), ends_at=hour(62), capacity=1)
    mine = Shift(role_id=role.id, starts_at=hour(70), ends_at=hour(72), capacity=1, cutoff_hours=2)
    db.session.add_all([new, mine])
    db.session.commit()
    assert (new.cutoff_hours, mine.cutoff_hours) == (48, 2)
    assert db.session.get(Shift, old.id).cutoff_hours == 24  # shifts keep their own
    # Blank keeps the setting; the other organisation's coordinator cannot change it.
    assert _settings(client, shift_cutoff_hours="").status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, personas.org_a.id).shift_cutoff_hours == 48
    other = post_form(
        login(personas.coordinator_b),
        "/organisations/organisation-b",
        {"description": "B", "submit": "Save", "shift_cutoff_hours": "0"},
    )
    assert other.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, personas.org_a.id).shift_cutoff_hours == 48


@pytest.mark.parametrize(
    "value", ["-1", "337", "1e309", "NaN", "abc", "\x00", "10" * 12, "²", "4.5"]
)
def test_hostile_cut_offs_are_form_errors(personas, login, value) -> None:
    response = _settings(login(personas.coordinator_a), shift_cutoff_hours=value)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Organisation, personas.org_a.id).shift_cutoff_hours == 24
