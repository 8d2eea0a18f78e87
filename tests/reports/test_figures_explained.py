"""Figures explained, not drafted (issue 17 §3): rates carry their final source and reference
date, internal keys never reach a page, PDF or sheet (the JSON keeps them), and the on-cost line
says in words what was added."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from pypdf import PdfReader

from tests.reports.pdf_tools import fetch_pdf
from volunteer_hub.rates.services import DEFAULT_RATES
from volunteer_hub.reports.formatting import oncost_text

pytestmark = pytest.mark.usefixtures("default_rates")

#: Q1 of 2026/27: the National Living Wage from 1 April 2026 is the floor.
Q1_2026 = {"period": "quarter", "year": "2026", "quarter": "1"}
KEY = re.compile(r"\b(uk|london)_[a-z_]+_20\d\d\b")


@pytest.fixture
def hours_2026(cli) -> None:
    cli(
        "hours",
        [
            [
                f"q{n}",
                f"q{n}@example.org",
                f"Q {n}",
                "Organisation Q",
                "",
                "",
                "2026-05-04",
                "10",
                "no",
            ]
            for n in range(12)
        ],
        "--create-missing",
    )


def _texts(client) -> dict[str, str]:
    page = client.get("/reports/value", query_string=Q1_2026)
    pdf = fetch_pdf(client, "pdf", Q1_2026)
    xlsx = client.get("/reports/value/download/xlsx", query_string=Q1_2026)
    assert page.status_code == pdf.status_code == xlsx.status_code == 200
    reader = PdfReader(io.BytesIO(pdf.data))
    with zipfile.ZipFile(io.BytesIO(xlsx.data)) as archive:
        sheets = " ".join(
            archive.read(name).decode() for name in archive.namelist() if name.endswith(".xml")
        )
    return {
        "page": page.get_data(as_text=True),
        "pdf": " ".join(" ".join(p.extract_text() for p in reader.pages).split()),
        "xlsx": sheets,
    }


def test_shipped_rates_carry_their_final_source_and_reference_date() -> None:
    for rate in DEFAULT_RATES:
        assert "confirm" not in str(rate["source"]).lower(), rate["key"]
        assert rate["reference_date"], rate["key"]
    living_wage_2026 = next(r for r in DEFAULT_RATES if r["key"] == "uk_national_living_wage_2026")
    assert str(living_wage_2026["amount"]) == "12.71"
    assert living_wage_2026["source"] == "GOV.UK National Minimum Wage rates"
    assert living_wage_2026["reference_date"] == "from 1 April 2026"


def test_no_draft_text_or_internal_key_reaches_a_page_pdf_or_sheet(
    hours_2026, personas, login
) -> None:
    client = login(personas.centre)
    for name, text in _texts(client).items():
        assert "confirm before release" not in text, name
        assert not KEY.search(text), (name, KEY.search(text))
        assert "Oncost" not in text and "oncost" not in text, name
        assert "no employer on-costs added" in text, name
        assert "GOV.UK National Minimum Wage rates" in text, name
        assert "from 1 April 2026" in text, name
        assert "weekly_or_more" not in text and "coordinator_salary" not in text, name
    # The JSON contract keeps its keys.
    data = client.get("/reports/value/download/json", query_string=Q1_2026).get_json()
    assert data["value"]["floor"]["rate_key"] == "uk_national_living_wage_2026"
    assert data["method"]["oncost"] == "0"


def test_on_costs_are_said_in_words(hours_2026, personas, login, app) -> None:
    app.config["VALUE_ONCOST"] = "0.21"
    texts = _texts(login(personas.centre))
    for name, text in texts.items():
        assert "employer on-costs of 21% added" in text, name
    assert oncost_text("0") == "no employer on-costs added"
    assert oncost_text("0.125") == "employer on-costs of 12.5% added"


Q1_2025 = {"period": "quarter", "year": "2025", "quarter": "1"}


@pytest.fixture
def two_quarters(cli) -> None:
    """Q4 of 2024/25: 12 people, 5 hours each (60 hours); Q1 of 2025/26: the same 12 people,
    10 hours each (120 hours)."""
    rows = []
    for n in range(12):
        for day, hours in (("2025-02-03", "5"), ("2025-05-01", "10")):
            rows.append(
                [f"c{n}-{day}", f"c{n}@example.org", f"C {n}", "Org C", "", "", day, hours, "no"]
            )
    cli("hours", rows, "--create-missing")


def test_headline_figures_show_the_change_on_earlier_periods(two_quarters, personas, login) -> None:
    client = login(personas.centre)
    page = client.get("/reports/value", query_string=Q1_2025).get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "120.00 Up 60.00 (100.0%) on the previous quarter (60.00)" in text
    assert "Up 120.00 on the same quarter last year (0.00)" in text
    assert "£2,155.20 Up £1,077.60 (100.0%) on the previous quarter (£1,077.60)" in text
    assert "12 No change on the previous quarter" in text
    pdf = fetch_pdf(client, "pdf", Q1_2025)
    pdf_text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split()
    )
    assert "Up 60.00 (100.0%) on the previous quarter (60.00)" in pdf_text
    # A financial year is compared with the year before.
    year = client.get("/reports/value", query_string={"period": "year", "year": "2025"})
    assert "on the previous year" in year.get_data(as_text=True)
    # The JSON contract is unchanged: no comparison keys.
    data = client.get("/reports/value/download/json", query_string=Q1_2025).get_json()
    assert not any("change" in key or "previous" in key for key in data)


def test_a_period_still_running_is_not_compared_with_a_whole_earlier_one(
    two_quarters, personas, login
) -> None:
    from freezegun import freeze_time

    with freeze_time("2026-11-30 12:00"):
        client = login(personas.centre)
        page = client.get("/reports/value", query_string={"period": "year", "year": "2026"})
    text = " ".join(re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)).split())
    assert (
        "Not compared with earlier periods: this period runs to 31 March 2027, "
        "which has not passed yet." in text
    )
    assert "on the previous year" not in text
