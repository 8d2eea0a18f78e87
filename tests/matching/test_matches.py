"""Matching volunteers and roles: scores explained in words, recommendations, a role's best
matches within reach, invitations through the outbox, "I'm interested" once, and the weekly
digest once per person and week."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from tests.helpers import post_form
from volunteer_hub.accounts.models import OutboxMessage
from volunteer_hub.accounts.services import give_consent
from volunteer_hub.extensions import db
from volunteer_hub.matching.digest import send_digests
from volunteer_hub.matching.models import DigestSent, Invitation
from volunteer_hub.matching.reach import DIGEST
from volunteer_hub.matching.scoring import Opening, Person, score, slot_words, slots_of
from volunteer_hub.recruitment.models import Application


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_a_match_is_scored_and_explained_in_words() -> None:
    person = Person(1, "Gardening, cooking", "Driving", ["sat_morning"], (51.512, -0.11))
    opening = Opening(
        role_id=2,
        text="Community garden helper. Gardening and weeding.",
        skills_text="Nothing in particular",
        days_and_times="Saturday mornings",
        remote=False,
        place=(51.52, -0.09),
    )
    match = score(person, opening)
    assert match is not None
    assert match.explain() == (
        "matches your interest in gardening, Saturday mornings, about 1 mile away"
    )
    assert match.explain(to_volunteer=False).startswith("interested in gardening, free Saturday")
    # No shared time, too far, or nothing in common: no match.
    assert score(Person(1, "Gardening", None, ["mon_evening"], None), opening) is None
    assert score(Person(1, "Gardening", None, [], (55.0, -3.0)), opening) is None
    assert score(Person(1, "Knitting", "Chess", [], None), opening) is None


def test_role_times_are_read_into_the_profile_grid() -> None:
    assert slots_of("Saturday mornings") == {"sat_morning"}
    assert len(slots_of("Weekday afternoons")) == 5
    assert slots_of("Weekends") == {
        f"{d}_{p}" for d in ("sat", "sun") for p in ("morning", "afternoon", "evening")
    }
    assert slots_of("Flexible, to suit you") == set()
    assert slots_of(None) == set()
    assert slot_words({"sat_morning", "sat_afternoon", "sun_morning"}) == [
        "Saturday mornings",
        "Saturday afternoons",
        "1 more time",
    ]


def test_recommended_for_you_explains_each_role(world, login) -> None:
    html = login(world.carol_user).get("/matching/recommended").get_data(as_text=True)
    assert "Community garden helper" in html
    assert "Matches your interest in gardening" in html
    assert "Saturday mornings" in html
    assert "Lunch club cook" not in html  # weekday afternoons; Carol is free on Saturdays


def test_a_roles_matches_are_the_consenting_or_connected(world, personas, login) -> None:
    page = f"/matching/roles/{world.garden.id}"
    a = login(personas.coordinator_a)
    html = a.get(page).get_data(as_text=True)
    assert "Carol Invented" in html  # findable
    assert "Dave Invented" not in html  # agreed to nothing
    assert "Alice Invented" not in html  # already applied for it
    assert "Interested in gardening" in html
    assert login(personas.coordinator_b).get(page).status_code == 404
    assert login(personas.volunteer).get(page).status_code == 403


def _invite(client, world, volunteer, form_page=None):
    page = f"/matching/roles/{world.garden.id}"
    return post_form(client, f"{page}/invite/{volunteer.id}", {}, form_page=form_page or page)


def _link(to: str) -> str:
    body = db.session.scalar(
        select(OutboxMessage.body_text).where(
            OutboxMessage.to_address == to, OutboxMessage.kind == "matching_invitation"
        )
    )
    return re.search(r"http://[^\s]+/matching/interested/\S+", body).group(0)


def test_inviting_emails_once_and_only_people_in_reach(world, personas, login) -> None:
    a = login(personas.coordinator_a)
    assert _invite(a, world, world.carol).status_code == 302
    assert _invite(a, world, world.carol).status_code == 302  # "already invited"
    assert _count(Invitation) == 1
    assert _count(OutboxMessage, OutboxMessage.kind == "matching_invitation") == 1
    assert "I'm interested" in db.session.scalar(select(OutboxMessage.body_html))
    # Dave agreed to nothing, Bob is Organisation B's: not Organisation A's to invite.
    assert _invite(a, world, world.dave).status_code == 404
    assert _invite(a, world, world.bob).status_code == 404
    b = login(personas.coordinator_b)
    assert _invite(b, world, world.carol, form_page="/matching/searches").status_code == 404
    assert _count(Invitation) == 1


def test_im_interested_applies_once_as_that_person(world, personas, login) -> None:
    _invite(login(personas.coordinator_a), world, world.carol)
    link = _link("carol@example.test")
    path = link.split("localhost", 1)[-1] if "localhost" in link else "/" + link.split("/", 3)[3]
    # Someone else signed in: nothing there.
    assert login(world.dave_user).get(path).status_code == 404
    assert login(world.dave_user).get(path[:-3] + "abc").status_code == 404
    carol = login(world.carol_user)
    page = carol.get(path)
    assert page.status_code == 200 and "Community garden helper" in page.get_data(as_text=True)
    response = post_form(carol, path, {"age_group": "adult"})
    assert response.status_code == 302
    assert "/applications/" in response.headers["Location"]
    response = post_form(carol, path, {"age_group": "adult"})
    assert _count(Application, Application.volunteer_id == world.carol.id) == 1
    invitation = db.session.scalar(select(Invitation))
    assert invitation.responded_at is not None and invitation.application_id is not None
    # The coordinator sees the answer on the role's matches (Carol has applied: not listed).
    html = login(personas.coordinator_a).get(f"/matching/volunteers/{world.carol.id}")
    assert "Interested" in html.get_data(as_text=True)


def test_the_age_question_is_a_form_error_not_a_crash(world, personas, login) -> None:
    _invite(login(personas.coordinator_a), world, world.carol)
    link = _link("carol@example.test")
    path = "/" + link.split("/", 3)[3]
    carol = login(world.carol_user)
    response = post_form(carol, path, {"message": "hello\x00"})
    assert response.status_code == 400
    response = post_form(carol, path, {})
    assert response.status_code == 400  # 18 or over? not answered
    assert _count(Application, Application.volunteer_id == world.carol.id) == 0
    assert db.session.scalar(select(Invitation.responded_at)) is None


def test_the_weekly_digest_goes_once_per_person_and_week(world, personas) -> None:
    give_consent(world.carol_user, DIGEST, "test")
    give_consent(world.dave_user, DIGEST, "test")
    db.session.commit()
    now = datetime.now(UTC)
    first = send_digests(now)
    db.session.commit()
    assert first["queued"] == 2
    again = send_digests(now + timedelta(hours=1))
    db.session.commit()
    assert again["queued"] == 0 and again["already_sent"] == 2
    assert _count(DigestSent) == 2
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "matching_digest")
    ).all()
    assert sorted(m.to_address for m in mails) == ["carol@example.test", "dave@example.test"]
    assert "Community garden helper" in mails[0].body_text
    assert "matches your interest in gardening" in mails[0].body_text
    # Alice did not opt in; Bob neither. Next week, the roles are no longer new.
    later = send_digests(now + timedelta(days=8))
    db.session.commit()
    assert later["queued"] == 0 and _count(DigestSent) == 2


def test_the_digest_job_is_declared_weekly() -> None:
    from volunteer_hub.jobs.queue import JOBS

    job = JOBS["matching_digest"]
    assert job.periodic and "weekly" in job.when
