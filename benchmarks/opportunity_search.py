"""The public search with 10,000 published roles: the recruitment issue asks for < 200 ms.

Run:
    .venv/bin/python benchmarks/opportunity_search.py                  # SQLite, temporary file
    .venv/bin/python benchmarks/opportunity_search.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

It builds the schema with the migrations, inserts 10,000 published roles (200 organisations in
good standing, 13 categories, postcodes across the bundled outward codes), then times whole
`GET /opportunities` requests through the app (routing, queries, template) for typical searches:
median and 95th percentile over 30 runs each.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import statistics
import time
from datetime import date, timedelta

import sqlalchemy
from tempdb import temporary_database

SEARCHES = {
    "first page, no filters": {},
    "keyword": {"q": "garden"},
    "two keywords": {"q": "older neighbours"},
    "category + remote": {"category": "befriending", "remote": "1"},
    "postcode within 3 miles, nearest": {"postcode": "NB1 4RT", "miles": "3", "sort": "nearest"},
    "under-18s, starting soon": {"under_18": "1", "starting_soon": "1"},
    "page 50": {"page": "50"},
}
WORDS = [
    "garden",
    "older",
    "neighbours",
    "food",
    "drive",
    "library",
    "children",
    "park",
    "lunch",
    "walk",
    "digital",
    "advice",
    "art",
    "sport",
    "hospital",
    "river",
    "trees",
    "reading",
]


def populate(app, roles: int) -> None:
    from volunteer_hub.core.geo import ensure_bundled_outcodes
    from volunteer_hub.core.models import utcnow
    from volunteer_hub.extensions import db
    from volunteer_hub.organisations.models import Category, Organisation, Role, role_categories
    from volunteer_hub.organisations.roles import (
        ensure_default_categories,
        refresh_search_documents,
    )

    rng = random.Random(4)  # invented data
    today = date.today()
    with app.app_context():
        ensure_default_categories()
        ensure_bundled_outcodes()
        db.session.commit()
        categories = [c.id for c in db.session.scalars(sqlalchemy.select(Category))]
        organisations = [
            {
                "name": f"Benchmark organisation {n:03d}",
                "slug": f"benchmark-{n:03d}",
                "kind": "vco",
                "safeguarding_lead": "Invented lead",
                "safeguarding_review_date": today + timedelta(days=365),
                "insurance_expiry": today + timedelta(days=365),
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
            for n in range(200)
        ]
        db.session.execute(sqlalchemy.insert(Organisation), organisations)
        org_ids = list(db.session.scalars(sqlalchemy.select(Organisation.id)))
        outcodes = [(f"NB{n}", 51.46 + 0.012 * n, -0.16 + 0.012 * n) for n in range(1, 10)]
        rows = []
        for n in range(roles):
            code, latitude, longitude = rng.choice(outcodes)
            words = " ".join(rng.sample(WORDS, 4))
            rows.append(
                {
                    "organisation_id": rng.choice(org_ids),
                    "title": f"Role {n:05d} {rng.choice(WORDS)}",
                    "status": "published",
                    "slug": f"role-{n:05d}",
                    "version": 1,
                    "purpose": f"Help with {words}.",
                    "activities": f"Activities about {words}.",
                    "skills": "Friendly.",
                    "commitment": rng.choice(["regular", "one_off"]),
                    "location_type": rng.choice(["on_site", "on_site", "remote", "hybrid"]),
                    "postcode": f"{code} 1AA",
                    "latitude": latitude,
                    "longitude": longitude,
                    "under_18_welcome": rng.random() < 0.3,
                    "start_date": today + timedelta(days=rng.randrange(-60, 120)),
                    "dbs_level": "none",
                    "employer_supported": False,
                    "published_at": utcnow(),
                    "created_at": utcnow(),
                    "updated_at": utcnow(),
                }
            )
        db.session.execute(sqlalchemy.insert(Role), rows)
        role_ids = list(db.session.scalars(sqlalchemy.select(Role.id)))
        db.session.execute(
            sqlalchemy.insert(role_categories),
            [{"role_id": r, "category_id": rng.choice(categories)} for r in role_ids],
        )
        refresh_search_documents()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                    sqlalchemy.text("VACUUM ANALYZE")
                )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--roles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--postgres", default=None)
    options = parser.parse_args()
    with temporary_database(options.postgres, "search") as (url, _tmp):
        os.environ["DATABASE_URL"] = url
        from flask_migrate import upgrade

        from volunteer_hub import create_app
        from volunteer_hub.extensions import db

        app = create_app(
            {
                "SECRET_KEY": secrets.token_urlsafe(48),
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            upgrade()
        started = time.perf_counter()
        populate(app, options.roles)
        took = time.perf_counter() - started
        print(f"{options.roles:,} published roles inserted in {took:.1f} s ({url.split(':')[0]})")
        client = app.test_client()
        for label, query in SEARCHES.items():
            client.get("/opportunities", query_string=query)  # warm up
            samples = []
            for _ in range(options.runs):
                begun = time.perf_counter()
                response = client.get("/opportunities", query_string=query)
                samples.append((time.perf_counter() - begun) * 1000)
                assert response.status_code == 200
            samples.sort()
            p95 = samples[max(0, round(0.95 * len(samples)) - 1)]
            match = re.search(r'role="status">(\d+) ', response.get_data(as_text=True))
            found = match.group(1) if match else "?"
            median = statistics.median(samples)
            print(f"  {label:36} median {median:6.1f} ms  p95 {p95:6.1f} ms  ({found} found)")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
