"""Volunteers log hours against placements; supervisors and coordinators approve them."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.helpers import post_form
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.organisations.roles import latest_version
from volunteer_hub.placements.models import Placement
from volunteer_hub.rates.services import ensure_default_rates
from volunteer_hub.volunteers.services import volunteer_for

TODAY = date.today()


def _place(personas, role, user, supervisor, start=None) -> Placement:
    placement = Placement(
        volunteer_id=volunteer_for(user).id,
        role_id=role.id,
        organisation_id=role.organisation_id,
        role_version_id=latest_version(role).id,
        supervisor_id=supervisor.id,
        start_date=start or TODAY - timedelta(days=30),
    )
    db.session.add(placement)
    db.session.commit()
    return placement


def _day(d: date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


def _log(client, placement, day, hours="2", minutes="0", **extra):
    return post_form(
        client,
        f"/placements/{placement.id}/hours",
        {"day": _day(day), "hours": hours, "minutes": minutes, **extra},
    )


@pytest.fixture
def placement(personas, publish) -> Placement:
    role = publish(personas.org_a, "Befriender")
    return _place(personas, role, personas.volunteer, personas.coordinator_a)


def test_log_approve_in_bulk_and_it_counts(personas, login, placement, cli) -> None:
    ensure_default_rates()
    db.session.commit()
    volunteer = login(personas.volunteer)
    assert _log(volunteer, placement, TODAY - timedelta(days=2)).status_code == 302
    assert (
        _log(volunteer, placement, TODAY - timedelta(days=1), hours="1", minutes="30").status_code
        == 302
    )
    records = db.session.scalars(select(HourRecord)).all()
    assert [r.status for r in records] == ["submitted", "submitted"]
    assert "3.5 hours waiting for approval" in volunteer.get("/my-hours").get_data(as_text=True)

    assert (
        login(personas.coordinator_b)
        .get("/hours/approvals")
        .get_data(as_text=True)
        .count('name="record"')
        == 0
    )
    supervisor = login(personas.coordinator_a)
    page = supervisor.get("/hours/approvals").get_data(as_text=True)
    assert page.count('name="record"') == 2 and personas.volunteer.name in page
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = supervisor.post(
        "/hours/approvals",
        data={"csrf_token": csrf, "record": [str(r.id) for r in records], "action": "approve"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert {r.status for r in db.session.scalars(select(HourRecord))} == {"approved"}
    start = (TODAY - timedelta(days=2)).isoformat()
    report = cli("report", None, "--start", start, "--end", TODAY.isoformat())
    assert report["total_hours"] == "3.50"
    assert "3.5 hours approved" in volunteer.get("/my-hours").get_data(as_text=True)


def test_the_rules(personas, login, placement, publish) -> None:
    volunteer = login(personas.volunteer)
    future = _log(volunteer, placement, TODAY + timedelta(days=1))
    assert future.status_code == 400 and "cannot be in the future" in future.get_data(as_text=True)
    early = _log(volunteer, placement, TODAY - timedelta(days=60))
    assert early.status_code == 400 and "choose a date from then" in early.get_data(as_text=True)
    nothing = _log(volunteer, placement, TODAY, hours="0", minutes="0")
    assert nothing.status_code == 400 and "at least 15 minutes" in nothing.get_data(as_text=True)
    odd = _log(volunteer, placement, TODAY, hours="1", minutes="7")
    assert odd.status_code == 400
    # 24 hours a day across organisations.
    other_role = publish(personas.org_b, "Driver")
    other = _place(personas, other_role, personas.volunteer, personas.coordinator_b)
    assert _log(volunteer, placement, TODAY, hours="20").status_code == 302
    too_much = _log(volunteer, other, TODAY, hours="5")
    assert too_much.status_code == 400 and "more than 24 hours" in too_much.get_data(as_text=True)
    # The same again needs confirming.
    again = _log(volunteer, placement, TODAY - timedelta(days=3))
    assert again.status_code == 302
    duplicate = _log(volunteer, placement, TODAY - timedelta(days=3))
    assert duplicate.status_code == 400 and "second session" in duplicate.get_data(as_text=True)
    confirmed = _log(volunteer, placement, TODAY - timedelta(days=3), confirm="y")
    assert confirmed.status_code == 302
    assert len(db.session.scalars(select(HourRecord)).all()) == 3
    # Nobody logs against someone else's placement.
    assert login(personas.stranger).get(f"/placements/{placement.id}/hours").status_code in {
        403,
        404,
    }


def test_nobody_approves_their_own_or_another_organisations(personas, login, publish) -> None:
    role = publish(personas.org_a, "Befriender")
    own = _place(personas, role, personas.coordinator_a, personas.coordinator_a)
    coordinator = login(personas.coordinator_a)
    # coordinator_a is not a volunteer: log through the service on their behalf.
    from volunteer_hub.hours.logging import log_for_placement

    record = log_for_placement(
        user=personas.coordinator_a, placement=own, day=TODAY, minutes=60, today=TODAY
    )
    db.session.commit()
    page = coordinator.get("/hours/approvals").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    coordinator.post(
        "/hours/approvals",
        data={"csrf_token": csrf, "record": [str(record.id)], "action": "approve"},
    )
    db.session.expire_all()
    assert db.session.get(HourRecord, record.id).status == "submitted"
    other = login(personas.coordinator_b)
    page = other.get("/hours/approvals").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    other.post(
        "/hours/approvals",
        data={"csrf_token": csrf, "record": [str(record.id)], "action": "approve"},
    )
    db.session.expire_all()
    assert db.session.get(HourRecord, record.id).status == "submitted"


def test_a_week_at_once_all_or_nothing(personas, login, placement) -> None:
    volunteer = login(personas.volunteer)
    monday = TODAY - timedelta(days=TODAY.weekday() + 7)  # last week's Monday
    url = f"/placements/{placement.id}/hours/week?start={monday.isoformat()}"
    day = lambda n: (monday + timedelta(days=n)).isoformat()  # noqa: E731
    good = {
        f"hours-{day(0)}": "2",
        f"minutes-{day(0)}": "30",
        f"hours-{day(2)}": "1",
        f"minutes-{day(2)}": "0",
    }
    response = post_form(volunteer, url, good)
    assert response.status_code == 302
    records = db.session.scalars(select(HourRecord).order_by(HourRecord.date)).all()
    assert [(r.date.isoformat(), r.seconds) for r in records] == [(day(0), 9000), (day(2), 3600)]
    # One bad day: nothing from that week is logged.
    bad = {
        f"hours-{day(4)}": "3",
        f"minutes-{day(4)}": "0",
        f"hours-{day(5)}": "25",
        f"minutes-{day(5)}": "0",
    }
    response = post_form(volunteer, url, bad)
    assert response.status_code == 400 and "There is a problem" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(HourRecord)).all()) == 2


def test_a_correction_rejects_the_approved_record_and_approves_a_replacement(
    personas, login, placement
) -> None:
    from volunteer_hub.core.errors import DomainError
    from volunteer_hub.hours.logging import correct, log_for_placement
    from volunteer_hub.hours.services import approve

    record = log_for_placement(
        user=personas.volunteer, placement=placement, day=TODAY, minutes=120, today=TODAY
    )
    approve(record, approver=personas.coordinator_a)
    with pytest.raises(DomainError, match="Say why"):
        correct(approver=personas.coordinator_a, record=record, minutes=90, reason=" ")
    with pytest.raises(DomainError, match="your own volunteers"):
        correct(approver=personas.coordinator_b, record=record, minutes=90, reason="Left early")
    replacement = correct(
        approver=personas.coordinator_a, record=record, minutes=90, reason="Left early"
    )
    db.session.commit()
    assert record.status == "rejected" and record.decision_reason == "Corrected: Left early"
    assert replacement.status == "approved" and replacement.seconds == 5400
    assert replacement.replaces_id == record.id


def test_log_hours_is_one_tap_from_my_volunteering_and_your_hours(personas, login, publish) -> None:
    """One current placement: a "Log hours" button; several: a choice of each; an ended
    placement is not offered; nothing to log against: no link."""
    client = login(personas.volunteer)
    for path in ("/my-hours", "/my-volunteering"):
        assert "Log hours" not in client.get(path).get_data(as_text=True), path

    first = _place(
        personas, publish(personas.org_a, "Befriender"), personas.volunteer, personas.coordinator_a
    )
    for path in ("/my-hours", "/my-volunteering"):
        page = client.get(path).get_data(as_text=True)
        assert re.search(
            rf'<a class="govuk-button"[^>]*href="/placements/{first.id}/hours">Log hours', page
        ), path

    second = _place(
        personas, publish(personas.org_a, "Gardener"), personas.volunteer, personas.coordinator_a
    )
    ended = _place(
        personas, publish(personas.org_a, "Driver"), personas.volunteer, personas.coordinator_a
    )
    ended.end_date = TODAY - timedelta(days=1)
    db.session.commit()
    for path in ("/my-hours", "/my-volunteering"):
        page = client.get(path).get_data(as_text=True)
        assert f'href="/placements/{first.id}/hours">Log hours for Befriender' in page, path
        assert f'href="/placements/{second.id}/hours">Log hours for Gardener' in page, path
        assert f'href="/placements/{ended.id}/hours"' not in page, path


def test_the_log_form_starts_on_today(personas, login, placement) -> None:
    from datetime import date

    page = login(personas.volunteer).get(f"/placements/{placement.id}/hours")
    html = page.get_data(as_text=True)
    today = date.today()
    # GOV.UK Frontend WTF fills the boxes from strftime("%d %m %Y"): "01 12 2026" on 1 December.
    for part, value in (("day", today.day), ("month", today.month), ("year", today.year)):
        found = re.search(rf'id="day-{part}" name="day" type="text" value="(\d+)"', html)
        assert found and int(found.group(1)) == value, part
    assert "The day you volunteered, for example 27 3 2026" in html
