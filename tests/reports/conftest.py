"""Fixtures shared with the other value-report tests (see tests/value_fixtures.py), and the
hours of the pages' and charts' tests.

Organisation A has 12 volunteers with 10 hours each on 2025-05-01, Organisation B 3 volunteers
with 10 hours each: 150 hours in Q1 of FY 2025/26. A's volunteers answered 10 White, 2 Asian;
B's did not answer.
"""

import pytest
from sqlalchemy import select

from tests.value_fixtures import cli, default_rates, login, personas, write_csv  # noqa: F401
from volunteer_hub.extensions import db
from volunteer_hub.volunteers.equality import EqualityAnswers
from volunteer_hub.volunteers.models import Volunteer


@pytest.fixture
def hours(cli, personas) -> None:  # noqa: F811 (the imported fixtures)
    rows = []
    for n in range(12):
        rows.append(
            [
                f"a{n}",
                f"a{n}@example.org",
                f"A {n}",
                "Organisation A",
                "",
                "",
                "2025-05-01",
                "10",
                "no",
            ]
        )
    for n in range(3):
        rows.append(
            [
                f"b{n}",
                f"b{n}@example.org",
                f"B {n}",
                "Organisation B",
                "",
                "",
                "2025-05-01",
                "10",
                "no",
            ]
        )
    cli("hours", rows, "--create-missing")
    for n in range(12):
        volunteer = db.session.scalar(
            select(Volunteer).where(Volunteer.email == f"a{n}@example.org")
        )
        db.session.add(
            EqualityAnswers(
                volunteer_id=volunteer.id,
                ethnicity="white_british" if n < 10 else "asian_indian",
                sex="female" if n % 2 else "male",
            )
        )
    db.session.commit()
