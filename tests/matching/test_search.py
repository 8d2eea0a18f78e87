"""Finding volunteers: nobody is seen outside the searcher's reach, by search or by URL; every
filter works; hostile arguments are form errors; consent to be found is withdrawable at once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.helpers import post_form
from volunteer_hub.accounts.models import AuditEvent
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.matching.models import SavedSearch
from volunteer_hub.matching.queries import saved_search_volunteer_ids, saved_searches_for
from volunteer_hub.recruitment.models import DbsRecord
from volunteer_hub.training.models import Completion, Course

NAMES = ("Alice Invented", "Bob Invented", "Carol Invented", "Dave Invented")


def found(client, query: str = "") -> set[str]:
    response = client.get(f"/matching/volunteers{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:3000]
    page = response.get_data(as_text=True)
    return {name for name in NAMES if name in page}


def test_each_coordinator_finds_only_their_own_volunteers(world, personas, login) -> None:
    assert found(login(personas.coordinator_a)) == {"Alice Invented"}
    assert found(login(personas.coordinator_b)) == {"Bob Invented"}
    # The centre: everyone connected to any organisation, and the findable; never Dave.
    assert found(login(personas.centre)) == {"Alice Invented", "Bob Invented", "Carol Invented"}
    assert found(login(personas.admin)) == {"Alice Invented", "Bob Invented", "Carol Invented"}


def test_search_filters_stay_inside_the_reach(world, personas, login) -> None:
    a = login(personas.coordinator_a)
    # Carol and Dave drive too, but only Alice is Organisation A's.
    assert found(a, "?skill=driving") == {"Alice Invented"}
    assert found(a, "?skill=cooking") == set()  # Bob cooks, but is Organisation B's
    centre = login(personas.centre)
    assert found(centre, "?skill=driving") == {"Alice Invented", "Carol Invented"}
    assert found(centre, "?interest=cooking") == {"Alice Invented", "Bob Invented"}
    assert found(centre, "?language=welsh") == {"Alice Invented"}
    assert found(centre, "?slots=mon_afternoon") == {"Bob Invented"}
    assert found(centre, "?slots=sat_morning&slots=mon_afternoon") == set(NAMES) - {"Dave Invented"}


@pytest.mark.parametrize("role", ["volunteer", "partner", "stranger"])
def test_people_who_are_not_staff_cannot_search(world, personas, login, role) -> None:
    assert login(personas.get(role)).get("/matching/volunteers").status_code == 403


def test_a_volunteer_page_opens_only_within_reach(world, personas, login) -> None:
    a, b = login(personas.coordinator_a), login(personas.coordinator_b)
    page = f"/matching/volunteers/{world.alice.id}"
    assert a.get(page).status_code == 200
    assert b.get(page).status_code == 404
    assert b.get(f"/matching/volunteers/{world.bob.id}").status_code == 200
    assert a.get(f"/matching/volunteers/{world.bob.id}").status_code == 404
    for client in (a, b, login(personas.centre)):
        assert client.get(f"/matching/volunteers/{world.dave.id}").status_code == 404
        assert client.get("/matching/volunteers/999999").status_code == 404
    assert login(personas.volunteer).get(page).status_code == 403
    assert login(personas.partner).get(page).status_code == 403
    # The page shows the area, never the full postcode.
    html = a.get(page).get_data(as_text=True)
    assert "NB1" in html and "NB1 2AA" not in html


def test_withdrawing_consent_hides_a_volunteer_at_once(world, personas, login) -> None:
    centre = login(personas.centre)
    carol = login(world.carol_user)
    assert "Carol Invented" in found(centre)
    assert centre.get(f"/matching/volunteers/{world.carol.id}").status_code == 200
    response = post_form(carol, "/matching/preferences", {})  # both boxes unticked
    assert response.status_code == 302
    assert "Carol Invented" not in found(centre)
    assert centre.get(f"/matching/volunteers/{world.carol.id}").status_code == 404
    # …and giving it again (with the time it was given) brings her back.
    post_form(carol, "/matching/preferences", {"findable": "y"})
    assert "Carol Invented" in found(centre)


def test_consent_is_off_by_default_and_recorded_when_given(world, login) -> None:
    from volunteer_hub.accounts.models import ConsentRecord

    dave = login(world.dave_user)
    html = dave.get("/matching/preferences").get_data(as_text=True)
    assert "checked" not in html
    post_form(dave, "/matching/preferences", {"findable": "y", "digest": "y"})
    records = db.session.scalars(
        select(ConsentRecord).where(ConsentRecord.user_id == world.dave_user.id)
    ).all()
    assert {r.purpose for r in records} == {"found_by_partners", "contact_opportunities"}
    assert all(r.given_at is not None and r.withdrawn_at is None for r in records)


def test_distance_from_a_postcode(world, personas, login) -> None:
    centre = login(personas.centre)
    # Alice and Carol are in NB1; Bob in NB2, about a mile and a half away.
    assert found(centre, "?postcode=NB1+1AA&miles=1") == {"Alice Invented", "Carol Invented"}
    assert found(centre, "?postcode=NB1&miles=5") == {
        "Alice Invented",
        "Bob Invented",
        "Carol Invented",
    }
    html = centre.get("/matching/volunteers?postcode=NB2").get_data(as_text=True)
    assert html.index("Bob Invented") < html.index("Alice Invented")  # nearest first


def test_training_in_date_and_activity(world, personas, login) -> None:
    course = Course(title="Food hygiene", provider_id=personas.org_a.id, duration_minutes=60)
    db.session.add(course)
    db.session.flush()
    today = date.today()
    db.session.add_all(
        [
            Completion(
                volunteer_id=world.alice.id,
                course_id=course.id,
                completed_on=today - timedelta(days=30),
                expires_on=today + timedelta(days=300),
                source="external",
            ),
            Completion(  # expired
                volunteer_id=world.bob.id,
                course_id=course.id,
                completed_on=today - timedelta(days=800),
                expires_on=today - timedelta(days=1),
                source="external",
            ),
            HourRecord(
                volunteer_id=world.alice.id,
                organisation_id=personas.org_a.id,
                date=today - timedelta(days=20),
                seconds=3 * 3600,
                status="approved",
            ),
            HourRecord(  # at another organisation: not Organisation A's to count
                volunteer_id=world.alice.id,
                organisation_id=personas.org_b.id,
                date=today - timedelta(days=20),
                seconds=10 * 3600,
                status="approved",
            ),
        ]
    )
    db.session.commit()
    centre = login(personas.centre)
    assert found(centre, f"?course={course.id}") == {"Alice Invented"}
    a = login(personas.coordinator_a)
    assert found(a, "?months=3") == {"Alice Invented"}
    assert found(a, "?months=3&min_hours=3") == {"Alice Invented"}
    assert found(a, "?months=3&min_hours=4") == set()  # her hours elsewhere are not counted
    assert found(centre, "?months=3&min_hours=13") == {"Alice Invented"}


def test_dbs_only_where_the_viewer_may_see_it(world, personas, login) -> None:
    db.session.add(
        DbsRecord(
            volunteer_id=world.alice.id,
            certificate_number="001234567890",
            issue_date=date.today() - timedelta(days=100),
            level="enhanced",
            workforce="adult",
            outcome="clear",
        )
    )
    db.session.commit()
    centre = login(personas.centre)
    assert found(centre, "?dbs=y") == {"Alice Invented"}
    html = centre.get("/matching/volunteers").get_data(as_text=True)
    assert "Clear check in date" in html
    assert db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "matching.dbs_searched")
    )
    a = login(personas.coordinator_a)  # not Organisation A's safeguarding lead
    html = a.get("/matching/volunteers").get_data(as_text=True)
    assert "DBS" not in html
    assert a.get("/matching/volunteers?dbs=y").status_code == 400
    assert "DBS" not in a.get(f"/matching/volunteers/{world.alice.id}").get_data(as_text=True)
    # Made Organisation A's safeguarding lead, the coordinator sees it.
    personas.org_a.safeguarding_lead_user_id = personas.coordinator_a.id
    db.session.commit()
    assert found(a, "?dbs=y") == {"Alice Invented"}
    assert "Clear check in date" in a.get(f"/matching/volunteers/{world.alice.id}").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "query",
    [
        "?skill=dri%00ving",
        "?interest=%01",
        "?postcode=ZZZZZZZZ",
        "?postcode=QQ99",  # well formed, but no known area
        "?postcode=NB1&miles=-1",
        "?postcode=NB1&miles=99999999999999999999999",
        "?postcode=NB1&miles=1e3",
        "?miles=5",
        "?months=0",
        "?months=100000000000000",
        "?months=3&min_hours=-4",
        "?min_hours=4",
        "?course=99999999999999999999",
        "?course=abc",
        "?slots=caturday_morning",
        "?page=0",
        "?page=%EF%BF%BF",
        "?skill=" + "x" * 500,
    ],
)
def test_hostile_arguments_are_form_errors(world, personas, login, query) -> None:
    response = login(personas.centre).get(f"/matching/volunteers{query}")
    assert response.status_code == 400, query
    assert "There is a problem" in response.get_data(as_text=True)


def test_equality_answers_are_never_searched_or_shown(world, personas, login) -> None:
    html = (
        login(personas.centre).get("/matching/volunteers?ethnicity=x&sex=y").get_data(as_text=True)
    )
    for word in ("Ethnicity", "Sexual orientation", "Religion", "Disability"):
        assert word not in html


def test_saved_searches_are_the_owners_and_reapply_reach(world, personas, login) -> None:
    centre = login(personas.centre)
    response = post_form(
        centre,
        "/matching/searches?skill=driving",
        {"name": "Drivers"},
        form_page="/matching/volunteers?skill=driving",
    )
    assert response.status_code == 302
    saved = db.session.scalar(select(SavedSearch))
    assert saved.params["skill"] == "driving"
    assert [s.name for s in saved_searches_for(personas.centre)] == ["Drivers"]
    assert saved_search_volunteer_ids(saved.id, personas.centre) == {
        world.alice.id,
        world.carol.id,
    }
    # Another coordinator's: nothing, and no way in by URL.
    assert saved_search_volunteer_ids(saved.id, personas.coordinator_a) == set()
    assert saved_searches_for(personas.coordinator_a) == []
    a = login(personas.coordinator_a)
    assert a.get("/matching/searches").status_code == 200
    assert "Drivers" not in a.get("/matching/searches").get_data(as_text=True)
    assert (
        post_form(a, f"/matching/searches/{saved.id}/delete", {}, form_page="/matching/searches")
    ).status_code == 404
    # The same name twice: a form error, not a 500.
    again = post_form(
        centre,
        "/matching/searches?skill=driving",
        {"name": "Drivers"},
        form_page="/matching/volunteers?skill=driving",
        follow_redirects=True,
    )
    assert "already have a search called" in again.get_data(as_text=True)
    # Reach applies when it is used: Carol withdraws, and drops out.
    post_form(login(world.carol_user), "/matching/preferences", {})
    assert saved_search_volunteer_ids(saved.id, personas.centre) == {world.alice.id}
    html = centre.get("/matching/searches").get_data(as_text=True)
    assert "skill=driving" in html
    response = post_form(
        centre, f"/matching/searches/{saved.id}/delete", {}, form_page="/matching/searches"
    )
    assert response.status_code == 302
    assert db.session.scalar(select(SavedSearch)) is None
