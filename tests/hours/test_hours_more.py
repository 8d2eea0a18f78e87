"""Group sessions, automatic approval of coordinators' own hours, corrections and milestone
certificates."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.factories import OrganisationFactory, UserFactory
from tests.helpers import post_form
from tests.hours.test_hours_logging import _day, _log, _place
from volunteer_hub.accounts.models import AuditEvent, User, UserRole
from volunteer_hub.extensions import db
from volunteer_hub.hours.logging import log_for_placement
from volunteer_hub.hours.models import HourRecord, HourSource, HourStatus
from volunteer_hub.hours.services import approve
from volunteer_hub.organisations.models import Organisation, Role
from volunteer_hub.placements.models import Placement
from volunteer_hub.volunteers.services import volunteer_for

TODAY = date.today()
GROUP_A = "/organisations/organisation-a/hours/group"


def _records() -> list[HourRecord]:
    db.session.expire_all()
    return list(db.session.scalars(select(HourRecord).order_by(HourRecord.id)))


def _audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _group(client, day: date, volunteers: list[int], hours="3", minutes="30", **extra):
    return post_form(
        client,
        GROUP_A,
        {
            "day": _day(day),
            "hours": hours,
            "minutes": minutes,
            "role": "",
            "note": "Litter pick",
            "volunteers": [str(v) for v in volunteers],
            "submit": "Record hours",
            **extra,
        },
    )


@pytest.fixture
def befriender(personas, publish) -> Role:
    return publish(personas.org_a, "Befriender")


@pytest.fixture
def volunteers(personas, befriender) -> dict[str, User]:
    """Ann and Bob placed with A now; Cat's placement with A ended; Dan placed only with B."""
    people = {
        "ann": personas.volunteer,
        "bob": UserFactory(name="Bob Example", email="bob@example.test"),
        "cat": UserFactory(name="Cat Example", email="cat@example.test"),
        "dan": UserFactory(name="Dan Example", email="dan@example.test"),
    }
    db.session.commit()
    for key in ("ann", "bob", "cat"):
        _place(personas, befriender, people[key], personas.coordinator_a)
    ended = db.session.scalar(
        select(Placement).where(Placement.volunteer_id == volunteer_for(people["cat"]).id)
    )
    ended.end_date = TODAY - timedelta(days=10)
    db.session.commit()
    return people


# Group sessions --------------------------------------------------------------------------


def test_coordinator_records_a_group_session_approved_at_once(
    personas, login, publish, volunteers
) -> None:
    driver = publish(personas.org_b, "Driver")
    _place(personas, driver, volunteers["dan"], personas.coordinator_b)
    coordinator = login(personas.coordinator_a)
    page = coordinator.get(GROUP_A).get_data(as_text=True)
    assert "Record a group session" in page
    # Volunteers placed with A today: Ann and Bob; not Cat (ended) nor Dan (organisation B).
    assert personas.volunteer.name in page and "Bob Example" in page
    assert "Cat Example" not in page and "Dan Example" not in page
    # On a date when Cat was still placed she is listed.
    earlier = post_form(
        coordinator,
        GROUP_A,
        {"day": _day(TODAY - timedelta(days=20)), "show": "Show volunteers placed on this date"},
    )
    assert earlier.status_code == 200 and "Cat Example" in earlier.get_data(as_text=True)
    assert _records() == []

    ids = [volunteer_for(volunteers[k]).id for k in ("ann", "bob")]
    response = _group(coordinator, TODAY - timedelta(days=1), ids)
    assert response.status_code == 302, response.get_data(as_text=True)
    records = _records()
    assert sorted(r.volunteer_id for r in records) == sorted(ids)
    for record in records:
        assert record.status == HourStatus.APPROVED.value
        assert record.approved_by_id == personas.coordinator_a.id
        assert record.seconds == 3 * 3600 + 30 * 60
        assert record.date == TODAY - timedelta(days=1)
        assert record.organisation_id == personas.org_a.id
        assert record.note == "Litter pick"
        assert record.placement_id is not None
    assert len(_audits("hours.approved")) == 2
    assert {a.actor_id for a in _audits("hours.approved")} == {personas.coordinator_a.id}
    # The volunteer sees them as approved.
    assert "3.5 hours approved" in login(personas.volunteer).get("/my-hours").get_data(as_text=True)
    # The same form sent again records nothing until the coordinator confirms a second session.
    again = _group(coordinator, TODAY - timedelta(days=1), ids)
    assert again.status_code == 400 and "already recorded for" in again.get_data(as_text=True)
    assert len(_records()) == 2
    confirmed = _group(coordinator, TODAY - timedelta(days=1), ids, confirm="y")
    assert confirmed.status_code == 302 and len(_records()) == 4


def test_group_session_is_all_or_nothing_and_names_each_volunteer(
    personas, login, publish, volunteers
) -> None:
    day = TODAY - timedelta(days=2)
    # Ann already gave 22 hours that day elsewhere; Bob's placement only starts tomorrow-ish.
    driver = publish(personas.org_b, "Driver")
    elsewhere = _place(personas, driver, volunteers["ann"], personas.coordinator_b)
    log_for_placement(
        user=volunteers["ann"], placement=elsewhere, day=day, minutes=22 * 60, today=TODAY
    )
    bob = db.session.scalar(
        select(Placement).where(Placement.volunteer_id == volunteer_for(volunteers["bob"]).id)
    )
    bob.start_date = TODAY - timedelta(days=1)
    db.session.commit()
    before = len(_records())

    coordinator = login(personas.coordinator_a)
    ids = [volunteer_for(volunteers[k]).id for k in ("ann", "bob")]
    response = _group(coordinator, day, ids)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert f"{personas.volunteer.name}: that would make more than 24 hours" in page
    assert "at most 2 hours 0 minutes more" in page
    assert "Nothing was recorded." in page
    assert "Bob Example: their placement started on" in page
    assert len(_records()) == before  # nothing was recorded for anyone

    # The rules shared with logging.
    future = _group(coordinator, TODAY + timedelta(days=1), ids[1:])
    assert future.status_code == 400
    assert "cannot be in the future" in future.get_data(as_text=True)
    nothing = _group(coordinator, TODAY, ids[1:], hours="0", minutes="0")
    assert nothing.status_code == 400
    assert "at least 15 minutes" in nothing.get_data(as_text=True)
    odd = _group(coordinator, TODAY, ids[1:], hours="1", minutes="7")
    assert odd.status_code == 400
    nobody = _group(coordinator, TODAY, [])
    assert nobody.status_code == 400
    assert "Choose at least one volunteer" in nobody.get_data(as_text=True)
    assert len(_records()) == before


def test_coordinator_of_another_organisation_cannot_record_for_it(
    personas, login, publish, volunteers
) -> None:
    driver = publish(personas.org_b, "Driver")
    _place(personas, driver, volunteers["dan"], personas.coordinator_b)
    other = login(personas.coordinator_b)
    assert other.get(GROUP_A).status_code == 404
    assert other.post(GROUP_A, data={}).status_code in {400, 404}
    assert login(personas.volunteer).get(GROUP_A).status_code == 403
    assert login(personas.centre).get(GROUP_A).status_code == 200
    # A volunteer of organisation B posted in A's form is refused, and nobody is recorded.
    coordinator = login(personas.coordinator_a)
    dan = volunteer_for(volunteers["dan"]).id
    ann = volunteer_for(volunteers["ann"]).id
    response = _group(coordinator, TODAY, [ann, dan])
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "only the organisation&#39;s volunteers can be chosen" in page
    assert "Dan Example" not in page
    # A role of organisation B posted in A's form is refused too.
    wrong_role = _group(coordinator, TODAY, [ann], role=str(driver.id))
    assert wrong_role.status_code == 400
    assert _records() == []


def test_a_coordinator_in_their_own_group_session_is_not_approved_by_themselves(
    personas, login, befriender, volunteers
) -> None:
    _place(personas, befriender, personas.coordinator_a, personas.coordinator_b)
    coordinator = login(personas.coordinator_a)
    own = volunteer_for(personas.coordinator_a).id
    ann = volunteer_for(volunteers["ann"]).id
    assert _group(coordinator, TODAY, [own, ann]).status_code == 302
    status = {r.volunteer_id: r.status for r in _records()}
    assert status == {own: HourStatus.SUBMITTED.value, ann: HourStatus.APPROVED.value}


# Automatic approval of coordinators' own hours ---------------------------------------------


def _profile(client, auto: bool):
    data = {"description": "A community group", "submit": "Save"}
    if auto:
        data["auto_approve_coordinator_hours"] = "y"
    return post_form(client, "/organisations/organisation-a", data)


def test_coordinators_own_hours_are_approved_automatically_when_switched_on(
    personas, login, befriender
) -> None:
    personas.coordinator_a.roles.append(UserRole(role="volunteer"))
    own = _place(personas, befriender, personas.coordinator_a, personas.coordinator_b)
    theirs = _place(personas, befriender, personas.volunteer, personas.coordinator_a)
    coordinator = login(personas.coordinator_a)
    page = coordinator.get("/organisations/organisation-a").get_data(as_text=True)
    assert "Approve hours logged by this organisation&#39;s coordinators automatically" in page

    # Off (the default): the coordinator's own hours wait for approval.
    assert _log(coordinator, own, TODAY - timedelta(days=3)).status_code == 302
    assert _records()[-1].status == HourStatus.SUBMITTED.value

    assert _profile(coordinator, auto=True).status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, personas.org_a.id).auto_approve_coordinator_hours
    response = _log(coordinator, own, TODAY - timedelta(days=2))
    assert response.status_code == 302
    record = _records()[-1]
    assert record.status == HourStatus.APPROVED.value
    assert record.approved_by_id is None and record.approved_at is not None
    assert record.decision_reason == "Approved automatically (organisation setting)"
    (event,) = _audits("hours.auto_approved")
    assert event.target_id == str(record.id) and event.actor_id == personas.coordinator_a.id

    # Only for the organisation's coordinators: a volunteer's hours still wait.
    assert _log(login(personas.volunteer), theirs, TODAY - timedelta(days=2)).status_code == 302
    assert _records()[-1].status == HourStatus.SUBMITTED.value
    # A coordinator of another organisation placed with A waits too.
    other = _place(personas, befriender, personas.coordinator_b, personas.coordinator_a)
    log_for_placement(
        user=personas.coordinator_b, placement=other, day=TODAY, minutes=60, today=TODAY
    )
    db.session.commit()
    assert _records()[-1].status == HourStatus.SUBMITTED.value

    # Switched off again: back to waiting.
    assert _profile(coordinator, auto=False).status_code == 302
    db.session.expire_all()
    assert not db.session.get(Organisation, personas.org_a.id).auto_approve_coordinator_hours
    assert _log(coordinator, own, TODAY - timedelta(days=1)).status_code == 302
    assert _records()[-1].status == HourStatus.SUBMITTED.value
    assert len(_audits("hours.auto_approved")) == 1


# Corrections -------------------------------------------------------------------------------


@pytest.fixture
def approved(personas, befriender) -> HourRecord:
    placement = _place(personas, befriender, personas.volunteer, personas.coordinator_a)
    record = log_for_placement(
        user=personas.volunteer,
        placement=placement,
        day=TODAY - timedelta(days=1),
        minutes=120,
        today=TODAY,
    )
    approve(record, approver=personas.coordinator_a)
    db.session.commit()
    return record


def test_approver_corrects_approved_hours_from_the_queue(personas, login, approved) -> None:
    coordinator = login(personas.coordinator_a)
    queue = coordinator.get("/hours/approvals").get_data(as_text=True)
    url = f"/hours/{approved.id}/correct"
    assert f'href="{url}"' in queue
    page = coordinator.get(url).get_data(as_text=True)
    assert personas.volunteer.name in page and "2 hours" in page
    missing = post_form(coordinator, url, {"hours": "1", "minutes": "30", "reason": " "})
    assert missing.status_code == 400 and "Say why" in missing.get_data(as_text=True)
    same = post_form(coordinator, url, {"hours": "2", "minutes": "0", "reason": "Oops"})
    assert same.status_code == 400 and "already recorded" in same.get_data(as_text=True)
    response = post_form(coordinator, url, {"hours": "1", "minutes": "30", "reason": "Left early"})
    assert response.status_code == 302
    old, new = _records()
    assert old.status == "rejected" and old.decision_reason == "Corrected: Left early"
    assert new.status == "approved" and new.seconds == 5400 and new.replaces_id == old.id
    assert new.approved_by_id == personas.coordinator_a.id
    assert len(_audits("hours.corrected")) == 1
    # Both are visible: to the volunteer on the placement's page, the new one in the queue.
    mine = login(personas.volunteer).get(f"/placements/{approved.placement_id}/hours")
    text = mine.get_data(as_text=True)
    assert "Rejected: Corrected: Left early" in text
    assert "1 hour 30 minutes" in text and "2 hours" in text
    assert f'href="/hours/{new.id}/correct"' in coordinator.get("/hours/approvals").get_data(
        as_text=True
    )
    # The old one cannot be corrected again: a second submission (a double click) is told
    # politely that it was already done, and changes nothing.
    again = post_form(
        coordinator, url, {"hours": "1", "minutes": "0", "reason": "Again"}, follow_redirects=True
    )
    assert again.status_code == 200
    assert "These hours were already corrected." in again.get_data(as_text=True)
    assert len(_records()) == 2 and len(_audits("hours.corrected")) == 1


def test_who_may_not_correct(personas, login, befriender, approved) -> None:
    url = f"/hours/{approved.id}/correct"
    assert login(personas.volunteer).get(url).status_code == 404
    assert login(personas.coordinator_b).get(url).status_code == 404
    assert login(personas.stranger).get(url).status_code == 404
    # Submitted hours are decided, not corrected.
    submitted = log_for_placement(
        user=personas.volunteer,
        placement=db.session.get(Placement, approved.placement_id),
        day=TODAY,
        minutes=60,
        today=TODAY,
    )
    db.session.commit()
    coordinator = login(personas.coordinator_a)
    page = coordinator.get(f"/hours/{submitted.id}/correct").get_data(as_text=True)
    assert "Only approved hours can be corrected" in page
    refused = post_form(
        coordinator,
        f"/hours/{submitted.id}/correct",
        {"hours": "2", "minutes": "0", "reason": "More"},
        form_page=url,
    )
    assert refused.status_code == 400
    assert "Only approved hours are corrected" in refused.get_data(as_text=True)
    # A coordinator never corrects their own hours.
    own = _place(personas, befriender, personas.coordinator_a, personas.coordinator_a)
    mine = log_for_placement(
        user=personas.coordinator_a, placement=own, day=TODAY, minutes=60, today=TODAY
    )
    approve(mine, approver=personas.centre)
    db.session.commit()
    own_url = f"/hours/{mine.id}/correct"
    assert "Nobody corrects their own hours" in coordinator.get(own_url).get_data(as_text=True)
    refused = post_form(
        coordinator, own_url, {"hours": "2", "minutes": "0", "reason": "More"}, form_page=url
    )
    assert refused.status_code == 400
    assert "Nobody corrects their own hours" in refused.get_data(as_text=True)
    statuses = {r.id: r.status for r in _records()}
    assert statuses == {approved.id: "approved", submitted.id: "submitted", mine.id: "approved"}


# Milestones and certificates ---------------------------------------------------------------


def _approved(volunteer_id: int, organisation: Organisation, days_ago: int, hours: int, **kw):
    record = HourRecord(
        volunteer_id=volunteer_id,
        organisation_id=organisation.id,
        date=TODAY - timedelta(days=days_ago),
        seconds=hours * 3600,
        status=kw.pop("status", HourStatus.APPROVED.value),
        source=HourSource.IMPORTED.value,
        **kw,
    )
    db.session.add(record)
    return record


def test_milestones_and_certificates(personas, login) -> None:
    OrganisationFactory(name="Riverside Volunteer Centre", kind="volunteer_centre")
    volunteer = volunteer_for(personas.volunteer)
    # 30 hours with A (10 of them in paid time) and 25 with B: 55 approved hours, which reach
    # 50 on the day of the fourth record. Submitted and rejected hours do not count.
    _approved(volunteer.id, personas.org_a, 40, 20)
    _approved(volunteer.id, personas.org_a, 30, 10, employer_time=True)
    _approved(volunteer.id, personas.org_b, 20, 12)
    crossing = _approved(volunteer.id, personas.org_b, 10, 13)
    _approved(volunteer.id, personas.org_b, 9, 20, status=HourStatus.SUBMITTED.value)
    _approved(volunteer.id, personas.council, 8, 24, status=HourStatus.REJECTED.value)
    _approved(volunteer.id, personas.council, 7, 24, status=HourStatus.REJECTED.value)
    db.session.commit()

    client = login(personas.volunteer)
    page = client.get("/my-hours").get_data(as_text=True)
    assert "55 hours approved" in page
    assert page.count("Download certificate (PDF)") == 1
    assert 'href="/my-hours/certificates/50.pdf"' in page
    assert "Next milestone: 100 hours (45 hours to go)" in page

    response = client.get("/my-hours/certificates/50.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.data)).pages
    )
    assert personas.volunteer.name in text
    assert "has given 50 hours" in text
    assert crossing.date.strftime("%-d %B %Y") in text
    assert "Organisation A, Organisation B" in text
    assert "Borough Council" not in text  # only rejected hours there
    assert "Riverside Volunteer Centre" in text

    for milestone in (100, 75, 0):
        assert client.get(f"/my-hours/certificates/{milestone}.pdf").status_code == 404
    # Only the volunteer's own: others have not reached it; staff are not volunteers.
    assert login(personas.stranger).get("/my-hours/certificates/50.pdf").status_code == 404
    assert login(personas.coordinator_a).get("/my-hours/certificates/50.pdf").status_code == 403


def test_milestone_date_is_the_record_that_crossed_it(personas) -> None:
    from volunteer_hub.hours.milestones import progress

    volunteer = volunteer_for(personas.volunteer)
    for days_ago in range(10, 0, -1):  # 10 days of 10 hours, oldest first
        _approved(volunteer.id, personas.org_a, days_ago, 10)
    db.session.commit()
    result = progress(volunteer.id)
    assert result.total_seconds == 100 * 3600
    assert result.reached == {50: TODAY - timedelta(days=6), 100: TODAY - timedelta(days=1)}
    assert result.next_milestone == 250 and result.seconds_to_go == 150 * 3600
    assert db.session.scalar(select(func.count()).select_from(HourRecord)) == 10


def test_approved_in_the_last_30_days_lists_only_recent_decisions_not_old_imports(
    personas, login, befriender, approved
) -> None:
    """A spreadsheet import of 2024 hours arrives approved today, but nobody approved it in the
    queue: it is not listed; hours approved in the queue are."""
    from volunteer_hub.core.models import utcnow

    db.session.add(
        HourRecord(
            volunteer_id=approved.volunteer_id,
            organisation_id=approved.organisation_id,
            role_id=approved.role_id,
            date=date(2024, 3, 9),
            seconds=7 * 3600,
            status=HourStatus.APPROVED.value,
            source=HourSource.IMPORTED.value,
            ref="import-2024-1",
            approved_at=utcnow(),
        )
    )
    db.session.commit()
    page = login(personas.coordinator_a).get("/hours/approvals").get_data(as_text=True)
    recent = page.split("Approved in the last 30 days")[1]
    assert "2024" not in recent
    assert f'href="/hours/{approved.id}/correct"' in recent


def test_the_queue_says_when_a_filter_date_is_not_a_date(personas, login) -> None:
    """A date the filter cannot read was ignored in silence; now it is named, with the list
    shown without that filter (nothing else changes)."""
    client = login(personas.coordinator_a)
    response = client.get("/hours/approvals?from=31+February+2026&to=soon")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert 'href="#from">From must be a real date<' in html
    assert 'href="#to">To must be a real date<' in html
    assert 'id="from-error"' in html and 'id="to-error"' in html
    backwards = client.get("/hours/approvals?from=2+November+2026&to=1+November+2026")
    assert backwards.status_code == 400
    assert "To must be the same as or after From" in backwards.get_data(as_text=True)
    fine = client.get("/hours/approvals?from=1+November+2026&to=30+November+2026")
    assert fine.status_code == 200 and "There is a problem" not in fine.get_data(as_text=True)
