"""The volunteer's profile and equality answers: their own only, never shown on staff pages."""

from __future__ import annotations

from sqlalchemy import select

from tests.helpers import post_form
from volunteer_hub.extensions import db
from volunteer_hub.recruitment.models import Application
from volunteer_hub.volunteers.equality import EqualityAnswers
from volunteer_hub.volunteers.models import Volunteer

EQUALITY = {
    "age_band": "35_44",
    "sex": "female",
    "gender_identity": "yes",
    "ethnicity": "asian_bangladeshi",
    "disability": "yes",
    "religion": "buddhist",
    "sexual_orientation": "bisexual",
}


def test_profile_is_saved_and_validated(personas, login) -> None:
    client = login(personas.volunteer)
    response = post_form(
        client,
        "/profile",
        {
            "phone": "07700 900000",
            "postcode": "nb1 4rt",
            "availability": ["mon_morning", "sat_afternoon"],
            "heard_about": "friend",
            "access_needs": "Step-free access please",
        },
    )
    assert response.status_code == 302
    volunteer = db.session.scalar(
        select(Volunteer).where(Volunteer.user_id == personas.volunteer.id)
    )
    assert volunteer.postcode == "NB1 4RT" and volunteer.availability == [
        "mon_morning",
        "sat_afternoon",
    ]
    bad = post_form(client, "/profile", {"date_of_birth": ["1", "1", "2020"]})
    assert bad.status_code == 400 and "Volunteers must be 14 or over" in bad.get_data(as_text=True)
    odd = post_form(client, "/profile", {"availability": ["funday_morning"]})
    assert odd.status_code == 400


def test_equality_answers_are_the_volunteers_own_and_never_on_staff_pages(
    personas, login, publish
) -> None:
    client = login(personas.volunteer)
    assert post_form(client, "/profile/equality", EQUALITY).status_code == 302
    volunteer = db.session.scalar(
        select(Volunteer).where(Volunteer.user_id == personas.volunteer.id)
    )
    answers = db.session.scalar(
        select(EqualityAnswers).where(EqualityAnswers.volunteer_id == volunteer.id)
    )
    assert answers.ethnicity == "asian_bangladeshi"
    assert post_form(client, "/profile/equality", {"ethnicity": "martian"}).status_code == 400

    role = publish(personas.org_a, "Befriender")
    post_form(
        client, f"/opportunities/{role.slug}/apply", {"message": "Hello", "age_group": "adult"}
    )
    application = db.session.scalar(select(Application))
    pages = {
        "coordinator": (
            login(personas.coordinator_a),
            [
                f"/applications/{application.id}",
                f"/organisations/{personas.org_a.slug}/applicants",
            ],
        ),
        "centre": (login(personas.centre), [f"/applications/{application.id}", "/centre"]),
    }
    words = (
        "Bangladeshi",
        "Buddhist",
        "Bisexual",
        "Sexual orientation",
        "Ethnic group",
        "35 to 44",
    )
    for _who, (staff, paths) in pages.items():
        for path in paths:
            html = staff.get(path).get_data(as_text=True)
            assert staff.get(path).status_code == 200, path
            for word in words:
                assert word not in html, (path, word)
    # Staff cannot open the volunteer's equality page: it is always the signed-in person's own.
    assert login(personas.coordinator_a).get("/profile/equality").status_code == 403

    # Deleting takes one click.
    post_form(client, "/profile/equality/delete", {}, form_page="/profile/equality")
    assert db.session.scalar(select(EqualityAnswers)) is None


def test_a_record_is_never_someone_elses(personas, login) -> None:
    """A record kept under an email address is linked only to a verified owner of that address
    and never when it already belongs to another account."""
    from volunteer_hub.core.models import utcnow
    from volunteer_hub.volunteers.services import volunteer_for

    theirs = Volunteer(
        name="Someone Else", email=personas.stranger.email, user_id=personas.admin.id
    )
    db.session.add(theirs)
    db.session.commit()
    mine = volunteer_for(personas.stranger)
    assert mine.id != theirs.id and mine.email is None and mine.user_id == personas.stranger.id

    imported = Volunteer(name="Imported", email="imported@example.org")
    db.session.add(imported)
    db.session.flush()
    from tests.factories import UserFactory

    unverified = UserFactory(email="imported@example.org", email_verified_at=None)
    db.session.flush()
    assert volunteer_for(unverified).id != imported.id
    verified = UserFactory(email="other-imported@example.org")
    other = Volunteer(name="Imported 2", email="other-imported@example.org")
    db.session.add(other)
    db.session.flush()
    verified.email_verified_at = utcnow()
    assert volunteer_for(verified).id == other.id
