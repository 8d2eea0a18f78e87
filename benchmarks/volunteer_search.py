"""Finding volunteers: the centre's search over a generated borough of volunteers.

Run: .venv/bin/python benchmarks/volunteer_search.py [--volunteers 20000] [--postgres URL]
Generates invented volunteers (half connected to an organisation by an application, a third
agreed to be found), then times ``matching.search.run`` for typical searches against a floor:
one query reading the id, name and postcode of every volunteer (what any search must at least
look at when nothing narrows it). Prints each median in ms and its ratio to the floor.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import time
from datetime import date

from tempdb import temporary_database

SKILLS = ["driving", "cooking", "first aid", "listening", "carpentry", "coaching", "IT"]
INTERESTS = ["gardening", "befriending", "food", "football", "wildlife", "reading", "art"]
SEARCHES = {
    "everyone": {},
    "skill": {"skill": "driving"},
    "skill+time": {"skill": "driving", "slots": ["sat_morning"]},
    "near NB1 (3 miles)": {"postcode": "NB1", "miles": 3},
    "interest+near+time": {"interest": "gardening", "postcode": "NB2", "miles": 5,
                           "slots": ["sat_morning", "sun_morning"]},
}  # fmt: skip


def _median(run, times: int = 7) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--volunteers", type=int, default=20000)
    parser.add_argument("--postgres", default=None)
    options = parser.parse_args()
    with temporary_database(options.postgres, "vsearch") as (url, _tmp):
        os.environ["DATABASE_URL"] = url
        from flask_migrate import upgrade
        from sqlalchemy import insert, select

        from volunteer_hub import create_app
        from volunteer_hub.accounts.models import ConsentRecord, User, UserRole
        from volunteer_hub.core.geo import ensure_bundled_outcodes
        from volunteer_hub.extensions import db
        from volunteer_hub.matching import queries
        from volunteer_hub.organisations.models import Organisation
        from volunteer_hub.recruitment.models import Application
        from volunteer_hub.volunteers.models import SLOTS, Volunteer

        app = create_app({"SECRET_KEY": secrets.token_urlsafe(48), "RATELIMIT_ENABLED": False})
        rng = random.Random(21)
        with app.app_context():
            upgrade()
            ensure_bundled_outcodes()
            organisation = Organisation(name="Bench org", slug="bench-org", kind="vco")
            centre = User(email="centre@bench.invalid", name="Centre", email_verified_at=None)
            db.session.add_all([organisation, centre])
            db.session.flush()
            db.session.add(UserRole(user_id=centre.id, role="centre_coordinator"))
            n = options.volunteers
            users = db.session.scalars(
                insert(User).returning(User.id, sort_by_parameter_order=True),
                [{"email": f"v{i}@bench.invalid", "name": f"Volunteer {i}"} for i in range(n)],
            ).all()
            rows = [
                {
                    "user_id": users[i],
                    "name": f"Volunteer {i}",
                    "skills": ", ".join(rng.sample(SKILLS, 2)),
                    "interests": ", ".join(rng.sample(INTERESTS, 2)),
                    "languages": "English",
                    "availability": rng.sample(SLOTS, 4),
                    "postcode": f"NB{rng.randint(1, 7)} {rng.randint(1, 9)}AA",
                }
                for i in range(n)
            ]
            ids = db.session.scalars(
                insert(Volunteer).returning(Volunteer.id, sort_by_parameter_order=True), rows
            ).all()
            db.session.execute(
                insert(Application),
                [
                    {"volunteer_id": v, "organisation_id": organisation.id, "stage": "applied"}
                    for v in ids[: n // 2]
                ],
            )
            db.session.execute(
                insert(ConsentRecord),
                [
                    {"user_id": u, "purpose": "found_by_partners", "version": "1", "method": "x"}
                    for u in users[::3]
                ],
            )
            db.session.commit()
            viewer = db.session.get(User, centre.id)
            today = date.today()

            def floor() -> None:
                list(db.session.execute(select(Volunteer.id, Volunteer.name, Volunteer.postcode)))

            base = _median(floor)
            print(f"{n:,} volunteers on {db.engine.dialect.name}; floor {base:.1f} ms")
            for name, params in SEARCHES.items():
                result = queries.run_search(viewer, params, today)
                took = _median(lambda p=params: queries.run_search(viewer, p, today))
                print(f"  {name:22} {result.total:6,} found  {took:7.1f} ms  x{took / base:.1f}")


if __name__ == "__main__":
    main()
