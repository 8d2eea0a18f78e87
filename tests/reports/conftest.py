"""Fixtures shared with the other value-report tests (see tests/value_fixtures.py), and the
hours of the pages' and charts' tests.

Organisation A has 12 volunteers with 10 hours each on 2025-05-01, Organisation B 3 volunteers
with 10 hours each: 150 hours in Q1 of FY 2025/26. A's volunteers answered 10 White, 2 Asian;
B's did not answer.

``year_of_hours``: a whole financial year 2025/26 (every month, April 2025 to March 2026) at four
organisations with long names, 3 volunteers each giving 20 hours on the 10th and 11th of every
month (480 hours a month, 5,760 hours in the year), and investment in five categories
(£25,700.00).
"""

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.value_fixtures import cli, default_rates, login, personas, write_csv  # noqa: F401
from volunteer_hub.extensions import db
from volunteer_hub.volunteers.equality import EqualityAnswers
from volunteer_hub.volunteers.models import Volunteer


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    """PDFs asked for on the web are built into a folder of the test's own."""
    return {"REPORT_FILE_FOLDER": str(tmp_path / "report-files")}


ORGANISATIONS = [
    "Riverside Community Garden and Food Growing Network",
    "North Borough Befriending Service",
    "Citizens Advice Volunteer Advisers",
    "Hospital Welcome and Wayfinding Volunteers",
]


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


@pytest.fixture
def year_of_hours(cli) -> None:  # noqa: F811 (the imported fixture)
    rows = []
    for o, organisation in enumerate(ORGANISATIONS):
        for v in range(3):
            for month, day in ((m, d) for m in range(12) for d in (10, 11)):
                year, number = (2025, 4 + month) if month < 9 else (2026, month - 8)
                rows.append(
                    [
                        f"p{o}{v}-{month}-{day}",
                        f"p{o}{v}@example.org",
                        f"Person {o} {v}",
                        organisation,
                        "",
                        "",
                        f"{year}-{number:02d}-{day}",
                        "20",
                        "no",
                    ]
                )
    cli("hours", rows, "--create-missing")
    cli(
        "investment",
        [
            [ORGANISATIONS[0], "2025-04-01", "2026-03-31", "coordinator_salary", "19200"],
            [ORGANISATIONS[0], "2025-04-01", "2026-03-31", "training", "1500"],
            [ORGANISATIONS[1], "2025-04-01", "2026-03-31", "recruitment", "800"],
            [ORGANISATIONS[2], "2025-04-01", "2026-03-31", "overheads", "3500"],
            [ORGANISATIONS[3], "2025-04-01", "2026-03-31", "dbs_insurance", "700"],
        ],
    )
