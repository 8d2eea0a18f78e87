"""The smaller changes of state are exactly-once under real parallel requests too: a category
switched off, an organisation, course, session or rate added, equality answers saved or
deleted; ten identical clicks act once, never a 500."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from tests.parallel import Shot
from tests.training.test_training import _course
from tests.volunteers.test_profile import EQUALITY
from volunteer_hub.accounts.models import AuditEvent
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Category, Organisation
from volunteer_hub.rates.models import Rate
from volunteer_hub.rates.services import ensure_default_rates, rate_in_force
from volunteer_hub.training.models import Course, TrainingSession
from volunteer_hub.volunteers.equality import EqualityAnswers

TODAY = date.today()


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _audits(action: str) -> int:
    return _count(AuditEvent, AuditEvent.action == action)


def test_ten_parallel_clicks_switch_a_category_off_once(personas, login, parallel) -> None:
    category = db.session.scalar(select(Category).where(Category.key == "befriending"))
    results = parallel.post(
        login(personas.centre),
        f"/categories/{category.id}/toggle",
        {"active": "no"},
        form_page="/categories",
    )
    assert results.server_errors == []
    assert _audits("category.toggled") == 1
    assert db.session.get(Category, category.id).active is False


def test_ten_parallel_new_organisations_add_one(personas, login, parallel) -> None:
    results = parallel.post(
        login(personas.centre), "/organisations", {"name": "Riverside Trust", "kind": "vco"}
    )
    assert results.server_errors == []
    assert _count(Organisation, Organisation.name == "Riverside Trust") == 1
    assert _audits("organisation.created") == 1


def test_ten_parallel_new_courses_add_one(personas, login, parallel) -> None:
    results = parallel.post(
        login(personas.coordinator_a),
        "/training/courses/new",
        {"title": "Food hygiene", "provider": str(personas.org_a.id), "hours": "2", "minutes": "0"},
    )
    assert results.server_errors == []
    assert _count(Course) == 1
    assert _audits("training.course_saved") == 1


def test_ten_parallel_new_sessions_add_one(personas, login, parallel) -> None:
    course = _course(personas.org_a)
    day = TODAY + timedelta(days=10)
    results = parallel.post(
        login(personas.coordinator_a),
        f"/training/courses/{course.id}/sessions/new",
        {
            "held_on": [str(day.day), str(day.month), str(day.year)],
            "starts_at": "18:30",
            "place": "Hall",
            "capacity": "12",
        },
    )
    assert results.server_errors == []
    assert _count(TrainingSession) == 1
    assert _audits("training.session_added") == 1


def test_ten_parallel_equality_saves_and_deletions(personas, login, parallel) -> None:
    volunteer = login(personas.volunteer)
    saved = parallel.post(volunteer, "/profile/equality", EQUALITY)
    assert saved.server_errors == []
    assert _count(EqualityAnswers) == 1
    page = "/profile/equality"
    deleted = parallel.post(volunteer, f"{page}/delete", {}, form_page=page)
    assert deleted.server_errors == []
    assert _count(EqualityAnswers) == 0
    assert _audits("volunteer.equality_deleted") == 1
    assert _audits("consent.withdrawn") == 1


RATE = {
    "key": "uk_median_hourly_2026",
    "amount": "18.60",
    "basis": "Median gross hourly pay, all employees",
    "geography": "UK",
    "reference_date": "April 2026",
    "source": "Test fixture figures, not real",
    "effective_from": "2026-11-01",
    "effective_to": "",
    "soc_code": "",
}


def test_ten_parallel_rates_add_one_and_close_the_old_once(personas, login, parallel) -> None:
    ensure_default_rates()
    db.session.commit()
    old = rate_in_force("uk_median_hourly", date(2026, 10, 31))
    admin = login(personas.admin)
    results = parallel.run(
        [
            Shot(admin, "/admin/rates", {**RATE, "supersedes": str(old.id)}, times=5),
            Shot(
                admin,
                "/admin/rates",
                {**RATE, "effective_from": "2026-12-01", "supersedes": str(old.id)},
                times=5,
            ),
        ]
    )
    assert results.server_errors == []
    assert _audits("rate.added") == 1
    assert _count(Rate, Rate.key == "uk_median_hourly_2026") == 1
    closed = db.session.get(Rate, old.id).effective_to
    added = db.session.scalar(select(Rate).where(Rate.key == "uk_median_hourly_2026"))
    assert closed == added.effective_from - timedelta(days=1)
