"""The hours approval queue: 5,000 pending records for one organisation.

Run: .venv/bin/python benchmarks/approval_queue.py [--postgres URL]
Targets (issue 7): the queue's first page renders in under 300 ms; approving 1,000 records in
bulk takes under 2 s. Times whole requests through the app (the coordinator signed in).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import time
from datetime import date, timedelta

import sqlalchemy
from tempdb import temporary_database

PASSWORD = "a long enough benchmark passphrase"  # noqa: S105 - invented


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--postgres", default=None)
    options = parser.parse_args()
    with temporary_database(options.postgres, "queue") as (url, _tmp):
        os.environ["DATABASE_URL"] = url
        from flask_migrate import upgrade

        from volunteer_hub import create_app
        from volunteer_hub.accounts.models import Membership, User
        from volunteer_hub.accounts.passwords import hash_password
        from volunteer_hub.core.models import utcnow
        from volunteer_hub.extensions import db
        from volunteer_hub.hours.models import HourRecord
        from volunteer_hub.organisations.models import Organisation
        from volunteer_hub.volunteers.models import Volunteer

        app = create_app(
            {
                "SECRET_KEY": secrets.token_urlsafe(48),
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            upgrade()
            organisation = Organisation(name="Queue org", slug="queue-org", kind="vco")
            user = User(
                email="coordinator@bench.invalid",
                name="Coordinator",
                password_hash=hash_password(PASSWORD),
                email_verified_at=utcnow(),
            )
            db.session.add_all([organisation, user])
            db.session.flush()
            db.session.add(
                Membership(user_id=user.id, organisation_id=organisation.id, role="coordinator")
            )
            volunteers = [
                Volunteer(name=f"Volunteer {n}", email=f"v{n}@bench.invalid") for n in range(500)
            ]
            db.session.add_all(volunteers)
            db.session.flush()
            today = date.today()
            db.session.execute(
                sqlalchemy.insert(HourRecord),
                [
                    {
                        "volunteer_id": volunteers[n % 500].id,
                        "organisation_id": organisation.id,
                        "date": today - timedelta(days=n % 300),
                        "seconds": 7200,
                        "status": "submitted",
                        "source": "logged",
                        "employer_time": False,
                        "created_at": utcnow(),
                    }
                    for n in range(options.records)
                ],
            )
            db.session.commit()
        client = app.test_client()
        page = client.get("/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/sign-in",
            data={
                "email": "coordinator@bench.invalid",
                "password": PASSWORD,
                "csrf_token": token,
            },
        )
        samples = []
        for _ in range(20):
            started = time.perf_counter()
            response = client.get("/hours/approvals")
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        samples.sort()
        median, p95 = statistics.median(samples), samples[18]
        kind = url.split(":")[0]
        print(
            f"{options.records:,} pending ({kind}): first page "
            f"median {median:.1f} ms, p95 {p95:.1f} ms"
        )
        with app.app_context():
            ids = list(db.session.scalars(sqlalchemy.select(HourRecord.id).limit(1000)))
        csrf = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True)
        ).group(1)
        started = time.perf_counter()
        response = client.post(
            "/hours/approvals",
            data={"csrf_token": csrf, "record": [str(i) for i in ids], "action": "approve"},
        )
        took = time.perf_counter() - started
        assert response.status_code == 302
        with app.app_context():
            approved = db.session.scalar(
                sqlalchemy.select(sqlalchemy.func.count()).where(HourRecord.status == "approved")
            )
            db.engine.dispose()
        print(f"bulk approval of {len(ids):,} records: {took:.2f} s ({approved:,} approved)")


if __name__ == "__main__":
    main()
