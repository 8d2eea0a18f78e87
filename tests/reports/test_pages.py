"""The reports pages and downloads, through the real forms, permissions and files.

Data (hand-computed): Organisation A has 12 volunteers with 10 hours each on 2025-05-01,
Organisation B 3 volunteers with 10 hours each: 150 hours in Q1 of FY 2025/26.
Generalist 150 × £17.96 = £2,694.00; floor 150 × £12.21 = £1,831.50.
Equality (ethnicity): A's volunteers answered 10 White, 2 Asian; B's did not answer.
All organisations: Asian 2 → [c], Not answered 3 → [c], and White 10 → [c] too: were it shown,
15 − 10 = 5 would leave Asian and Not answered each 1 to 4, narrower than the ±3 people the
disclosure audit requires. (Were it shown it would be 10/15 = 66.7%.)
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from tests.reports.pdf_tools import fetch_pdf
from volunteer_hub.extensions import db

pytestmark = pytest.mark.usefixtures("default_rates")

Q1 = {"period": "quarter", "year": "2025", "quarter": "1"}
ETHNICITY_TABLE = '<caption class="govuk-table__caption govuk-table__caption--s">Ethnic group'


def _errors(response) -> list[str]:
    import re

    return re.findall(r"Error:</span>(.*?)</", _text(response), re.S)


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["centre", "partner", "admin"])
def test_centre_partners_and_admins_see_every_organisation(hours, personas, login, who) -> None:
    response = login(personas.get(who)).get("/reports/value", query_string=Q1)
    assert response.status_code == 200, _errors(response)
    page = _text(response)
    assert "Quarter 1 of 2025 to 2026" in page and "April 2025 to June 2025" in page
    assert "2,694.00" in page and "1,831.50" in page
    assert "£17.96 an hour" in page and "uk_median_hourly" not in page
    assert "Organisation A" in page and "Organisation B" in page
    # Equality profile, disclosure-controlled: small counts hidden, and White with them.
    assert ETHNICITY_TABLE in page and "[c]" in page and "66.7%" not in page
    assert "a0@example.org" not in page and "A 0" not in page  # never a row about a person


def test_organisation_coordinator_sees_only_their_own(hours, personas, login) -> None:
    client = login(personas.coordinator_a)
    response = client.get("/reports/value", query_string=Q1)
    page = _text(response)
    assert response.status_code == 200
    # 12 × 10 = 120 hours; £2,155.20 generalist (120 × 17.96).
    assert "2,155.20" in page and "Organisation B" not in page
    other = client.get(
        "/reports/value", query_string={**Q1, "organisation": str(personas.org_b.id)}
    )
    assert other.status_code == 403
    # Asking for every organisation gives their own: they never see the borough's figures.
    everyone = client.get("/reports/value", query_string={**Q1, "organisation": ""})
    assert everyone.status_code == 200 and "2,694.00" not in _text(everyone)
    assert (
        client.get(
            "/reports/value/download/csv",
            query_string={**Q1, "organisation": str(personas.org_b.id)},
        ).status_code
        == 403
    )


def test_volunteers_and_anonymous_are_refused(hours, personas, login, client) -> None:
    assert login(personas.volunteer).get("/reports/value").status_code == 403
    response = client.get("/reports/value")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_small_group_equality_profile_is_withheld(hours, personas, login) -> None:
    response = login(personas.centre).get(
        "/reports/value", query_string={**Q1, "organisation": str(personas.org_b.id)}
    )
    page = _text(response)
    assert "not shown for fewer than 10 active volunteers" in page
    assert "66.7%" not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"period": "custom", "start": "2025-13-01", "end": "2025-12-31"},
            "Enter a real date, like 1 April 2025",
        ),
        (
            {"period": "custom", "start": "2025-06-01", "end": "2025-05-01"},
            "The last day must be on or after the first day",
        ),
        (
            {"period": "custom", "start": "", "end": "2025-05-01"},
            "Enter the first day of the period",
        ),
        ({"period": "custom", "start": "2000-01-01", "end": "2025-05-01"}, "at most ten years"),
        ({"period": "weekly"}, "Not a valid choice"),
    ],
)
def test_bad_periods_say_what_to_fix(hours, personas, login, query, message) -> None:
    response = login(personas.centre).get("/reports/value", query_string=query)
    assert response.status_code == 400
    page = _text(response)
    assert message in page and "There is a problem" in page


def test_custom_dates_and_default_view(hours, personas, login) -> None:
    client = login(personas.centre)
    response = client.get(
        "/reports/value",
        query_string={"period": "custom", "start": "2025-05-01", "end": "2025-05-01"},
    )
    assert response.status_code == 200 and "2,694.00" in _text(response)
    assert client.get("/reports/value").status_code == 200  # the current financial year


def test_csv_download(hours, personas, login) -> None:
    response = login(personas.partner).get("/reports/value/download/csv", query_string=Q1)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = _text(response)
    assert "summary,,total_hours,150.00" in text
    assert "value,generalist,amount,2694.00" in text


def test_xlsx_download_has_a_sheet_per_table_and_method(hours, personas, login) -> None:
    response = login(personas.centre).get("/reports/value/download/xlsx", query_string=Q1)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    for sheet in (
        "Summary",
        "Investment",
        "By organisation",
        "By role",
        "By month",
        "Equality profile",
        "Method and sources",
    ):
        assert sheet in workbook.sheetnames
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True)}
    assert str(summary["Total hours"]) == "150"
    assert float(summary["Value, generalist (£)"]) == 2694.0
    equality = list(workbook["Equality profile"].iter_rows(values_only=True))
    white = next(r for r in equality if r[:2] == ("Ethnic group", "White"))
    assert white[2:] == ("[c]", "[c]")
    assert ("Ethnic group", "Total", 15, None) in equality
    assert ("Ethnic group", "Asian or Asian British", "[c]", "[c]") in equality
    method = [row for row in workbook["Method and sources"].iter_rows(values_only=True)]
    assert any(
        row[0] == "Generalist (median pay)" and row[4].startswith("ONS Annual Survey")
        for row in method
    )
    assert not any("uk_median_hourly" in str(cell) for row in method for cell in row)


def test_pdf_and_quarterly_monitoring_pdf(hours, personas, login) -> None:
    client = login(personas.centre)
    response = fetch_pdf(client, "pdf", Q1)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Value of volunteering" in text and "2,694.00" in text and "Ethnic group" in text

    quarterly = fetch_pdf(client, "quarterly.pdf", Q1)
    assert quarterly.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(quarterly.data)).pages)
    flat = " ".join(text.split())
    assert "Quarterly monitoring: Quarter 1 of 2025 to 2026" in flat
    assert "Year to date" in flat and "Same quarter last year" in flat
    assert "Apr to Jun 2024" in flat  # the same quarter a year earlier
    # A financial year has no quarterly monitoring.
    year = client.get(
        "/reports/value/download/quarterly.pdf", query_string={"period": "year", "year": "2025"}
    )
    assert year.status_code == 400


def test_downloads_are_audited(hours, personas, login) -> None:
    from volunteer_hub.accounts.models import AuditEvent

    login(personas.partner).get("/reports/value/download/csv", query_string=Q1)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.downloaded"))
    assert event is not None and event.details["format"] == "csv"


def test_partners_see_small_groups_suppressed(hours, personas, login) -> None:
    """For a partner, B's 3 volunteers are [c] with their hours and value, and A's 12 too
    (secondary suppression, else B's would be total − A); the centre sees them all."""
    page = _text(login(personas.partner).get("/reports/value", query_string=Q1))
    assert "Counts of 1 to 9 people" in page
    assert "1,155.00" not in page  # B's value would not be 30 × 17.96 = 538.80 either
    assert "538.80" not in page and "2,155.20" not in page
    centre = _text(login(personas.centre).get("/reports/value", query_string=Q1))
    assert "538.80" in centre and "2,155.20" in centre


def test_partners_cannot_isolate_a_small_organisation(hours, personas, login) -> None:
    response = login(personas.partner).get(
        "/reports/value", query_string={**Q1, "organisation": str(personas.org_b.id)}
    )
    assert response.status_code == 400
    assert "fewer than 10 active volunteers" in _text(response)
    download = login(personas.partner).get(
        "/reports/value/download/csv",
        query_string={**Q1, "organisation": str(personas.org_b.id)},
    )
    assert download.status_code == 400


def test_partners_get_equality_profiles_for_whole_periods_only(hours, personas, login) -> None:
    custom = {"period": "custom", "start": "2025-04-01", "end": "2025-06-30"}
    page = _text(login(personas.partner).get("/reports/value", query_string=custom))
    assert "whole financial years and quarters only" in page and ETHNICITY_TABLE not in page
    centre = _text(login(personas.centre).get("/reports/value", query_string=custom))
    assert ETHNICITY_TABLE in centre


def test_odd_query_parameters_do_not_break_download_links(hours, personas, login) -> None:
    response = login(personas.centre).get(
        "/reports/value", query_string={**Q1, "fmt": "x", "_method": "POST", "_external": "1"}
    )
    assert response.status_code == 200
    assert "fmt=x" not in _text(response) and "_external" not in _text(response)


def test_dates_out_of_range_are_refused(hours, personas, login) -> None:
    response = login(personas.centre).get(
        "/reports/value",
        query_string={"period": "custom", "start": "0001-01-01", "end": "0001-12-31"},
    )
    assert response.status_code == 400
    assert "Dates must be between 1990-01-01 and 2100-12-31" in _text(response)


def test_any_organisation_name_charts_and_downloads(cli, personas, login) -> None:
    name = "Łódź $5 & $10 Helpers"
    rows = [
        [f"z{n}", f"z{n}@example.org", f"Z {n}", name, "", "", "2025-05-01", "2", "no"]
        for n in range(3)
    ]
    cli("hours", rows, "--create-missing")
    client = login(personas.centre)
    page = client.get("/reports/value", query_string=Q1)
    assert page.status_code == 200 and "Łódź $5 &amp; $10 Helpers" in _text(page)
    assert 'alt="Bar chart of approved hours by organisation.' in _text(page)
    assert "Łódź $5 &amp; $10 Helpers recorded the most" in _text(page)
    from volunteer_hub.organisations.queries import by_name

    chosen = by_name("łódź $5 & $10 HELPERS")
    assert chosen is not None
    download = fetch_pdf(client, "pdf", {**Q1, "organisation": str(chosen.id)})
    assert download.status_code == 200
    assert (
        "filename=value-report-lodz-5-10-helpers-2025-04-01-to-2025-06-30.pdf"
        in (download.headers["Content-Disposition"])
    )


def test_partners_quarterly_monitoring_uses_the_published_figures(hours, personas, login) -> None:
    """The board's quarterly PDF for a partner: the quarter as on the partner's page (A's and
    B's rows hidden), the year to date (the same quarter here) audited with it."""
    response = fetch_pdf(login(personas.partner), "quarterly.pdf", Q1)
    assert response.status_code == 200
    text = " ".join(
        "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages).split()
    )
    assert "Quarterly monitoring: Quarter 1 of 2025 to 2026" in text and "2,694.00" in text
    assert "538.80" not in text and "2,155.20" not in text
