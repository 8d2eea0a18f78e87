"""Figures that no published total contains still pass through disclosure control: the
employer-time hours of a small group, and a small time bank's activity (review of issue 17)."""

from __future__ import annotations

import pytest

from volunteer_hub.reports.disclosure import SUPPRESSED
from volunteer_hub.reports.disclosure_model import protect_unlinked

pytestmark = pytest.mark.usefixtures("default_rates")
Q1 = ["--start", "2025-04-01", "--end", "2025-06-30"]


def _employer_time(cli, people: int) -> None:
    cli(
        "hours",
        [
            [
                f"e{n}",
                f"e{n}@example.org",
                f"E {n}",
                "Organisation A",
                "",
                "",
                "2025-05-02",
                "7",
                "yes",
            ]
            for n in range(people)
        ],
        "--create-missing",
    )


def test_employer_time_hours_of_a_small_group_are_hidden_from_partners(hours, cli) -> None:
    _employer_time(cli, 2)
    full = cli("report", None, *Q1)
    published = cli("report", None, *Q1, "--published")
    assert full["employer_time_hours"] == "14.00"
    assert published["employer_time_hours"] == SUPPRESSED
    assert published["total_hours"] == full["total_hours"]  # nothing else changes


def test_employer_time_hours_of_ten_or_more_are_published(hours, cli) -> None:
    _employer_time(cli, 10)
    published = cli("report", None, *Q1, "--published")
    assert published["employer_time_hours"] == "70.00"


def test_a_small_time_banks_activity_is_hidden_together() -> None:
    timebank = {
        "hours_exchanged": "39.75",
        "exchanges": 32,
        "members": 8,
        "active_members": 8,
        "hours_per_active_member": "4.97",
        "notional_value": "713.91",
        "note": "words",
    }
    published = {"employer_time_hours": "0.00", "timebank": dict(timebank)}
    protect_unlinked({}, published, 9)
    assert published["timebank"] == {
        **{key: SUPPRESSED for key in timebank if key != "note"},
        "note": "words",
    }
    large = {"timebank": {**timebank, "members": 40, "active_members": 12}}
    protect_unlinked({}, large, 9)
    assert large["timebank"]["hours_exchanged"] == "39.75"


def test_partners_chosen_dates_are_snapped_to_whole_months(hours, personas, login) -> None:
    """Two selections a day apart could be subtracted; partners get whole months."""
    custom = {"period": "custom", "start": "2025-05-03", "end": "2025-05-20"}
    partner = login(personas.partner)
    page = partner.get("/reports/value", query_string=custom).get_data(as_text=True)
    assert "Reports for partners cover whole months, so this report is for May 2025" in page
    assert "(you chose 3 May 2025 to 20 May 2025)" in page
    data = partner.get("/reports/value/download/json", query_string=custom).get_json()
    assert data["period"] == {"start": "2025-05-01", "end": "2025-05-31"}
    assert data["total_hours"] == "150.00"
    # The centre sees exactly the dates it chose.
    centre = login(personas.centre)
    data = centre.get("/reports/value/download/json", query_string=custom).get_json()
    assert data["period"] == {"start": "2025-05-03", "end": "2025-05-20"}
