"""`flask report value`, `flask investment import` and `flask rates import`: the contract."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("default_rates")

ORG_A, ORG_B = "Riverside Befriending Network", "Greenway Community Garden"


def _hours(
    ref: str, email: str, org: str, day: str, hours: str, employer: str = "no", role: str = ""
) -> list[str]:
    return [ref, email, email.split("@")[0], org, role, "", day, hours, employer]


@pytest.fixture
def data(cli) -> None:
    cli(
        "hours",
        [
            _hours("1", "a@example.org", ORG_A, "2025-04-10", "10"),
            _hours("2", "b@example.org", ORG_A, "2025-05-10", "5.5", role="Befriender"),
            _hours("3", "c@example.org", ORG_B, "2025-06-10", "4.5"),
            _hours("4", "d@example.org", ORG_B, "2025-06-11", "8", employer="yes"),
            _hours("5", "a@example.org", ORG_B, "2026-04-01", "3"),  # after the period
        ],
        "--create-missing",
    )


def test_employer_time_is_counted_separately_and_not_valued(cli, data) -> None:
    report = cli("report", None, "--start", "2025-04-01", "--end", "2026-03-31")
    assert report["total_hours"] == "20.00"
    assert report["employer_time_hours"] == "8.00"
    assert report["active_volunteers"] == 3
    assert report["value"]["generalist"]["amount"] == "359.20"  # 20 × 17.96
    assert report["viva_ratio"] == {"generalist": None, "floor": None, "specialist": None}
    assert report["organisation"] is None
    assert [o["name"] for o in report["by_organisation"]] == [ORG_B, ORG_A]
    assert report["by_organisation"][1] == {
        "name": ORG_A,
        "hours": "15.50",
        "active_volunteers": 2,
        "value_generalist": "278.38",
    }
    assert report["by_month"][0] == {"month": "2025-04", "hours": "10.00", "active_volunteers": 1}
    assert {
        "organisation": ORG_A,
        "role": "Befriender",
        "hours": "5.50",
        "active_volunteers": 1,
        "value_generalist": "98.78",
    } in report["by_role"]


def test_organisation_filter(cli, data) -> None:
    report = cli(
        "report", None, "--start", "2025-04-01", "--end", "2026-03-31", "--organisation", ORG_B
    )
    assert report["organisation"] == ORG_B
    assert report["total_hours"] == "4.50"
    assert report["employer_time_hours"] == "8.00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2025-04-01", "--end", "2025-03-31"], "--end is before --start"),
        (["--start", "2025-13-01", "--end", "2026-03-31"], "--start '2025-13-01' is not a date"),
        (["--start", "2025-04-01", "--end", "tomorrow"], "--end 'tomorrow' is not a date"),
        (
            ["--start", "2025-04-01", "--end", "2026-03-31", "--organisation", "Nowhere"],
            "no organisation is called 'Nowhere'",
        ),
    ],
)
def test_bad_arguments_exit_non_zero_with_one_clear_line(cli, args, message) -> None:
    result = cli("report", None, *args, expect_ok=False)
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0]


def test_investment_counts_in_proportion_to_overlapping_days(cli, data) -> None:
    cli(
        "investment",
        [
            [
                ORG_A,
                "2025-04-01",
                "2026-03-31",
                "coordinator_salary",
                "3650",
            ],  # wholly inside: full
            [ORG_A, "2025-01-01", "2025-04-30", "training", "1200"],  # 30 of 120 days: 300.00
            [
                ORG_B,
                "2026-03-01",
                "2026-04-30",
                "overheads",
                "100",
            ],  # 31 of 61 days: 50.82 (50.819…)
        ],
    )
    report = cli("report", None, "--start", "2025-04-01", "--end", "2026-03-31")
    assert report["investment"]["by_category"]["coordinator_salary"] == "3650.00"
    assert report["investment"]["by_category"]["training"] == "300.00"
    assert report["investment"]["by_category"]["overheads"] == "50.82"
    assert report["investment"]["total"] == "4000.82"
    assert report["viva_ratio"]["generalist"] == "0.09"  # 359.20 / 4000.82


def test_investment_import_is_all_or_nothing_and_safe_to_rerun(cli) -> None:
    cli("hours", [_hours("1", "a@example.org", ORG_A, "2025-04-10", "1")], "--create-missing")
    bad = cli(
        "investment",
        [
            [ORG_A, "2025-04-01", "2026-03-31", "training", "100"],
            ["Unknown Org", "2025-04-01", "2026-03-31", "training", "100"],
            [ORG_A, "2025-04-01", "2026-03-31", "cake", "100"],
            [ORG_A, "2025-04-01", "2026-03-31", "training", "-5"],
            [ORG_A, "2026-03-31", "2025-04-01", "training", "5"],
        ],
        expect_ok=False,
    )
    assert bad.exit_code != 0
    for line, text in [
        (3, "not known"),
        (4, "category 'cake'"),
        (5, "must not be negative"),
        (6, "before period_start"),
    ]:
        assert f"line {line}:" in bad.output and text in bad.output
    report = cli("report", None, "--start", "2025-04-01", "--end", "2026-03-31")
    assert report["investment"]["total"] == "0.00"
    rows = [[ORG_A, "2025-04-01", "2026-03-31", "training", "100"]] * 2
    cli("investment", rows)
    second = cli("investment", rows)
    assert "Imported 0" in second.output and "2 already held" in second.output
    report = cli("report", None, "--start", "2025-04-01", "--end", "2026-03-31")
    assert report["investment"]["total"] == "200.00"


def test_rates_import_supersedes_by_date_and_rejects_bad_rows(cli, data) -> None:
    bad = cli(
        "rates",
        [["BadKey", "x", "GBP", "b", "UK", "2026", "s", "2026-01-01", "", "abc"]],
        expect_ok=False,
    )
    assert bad.exit_code != 0 and "line 2:" in bad.output
    cli(
        "rates",
        [
            [
                "uk_median_hourly_2026",
                "18.50",
                "GBP",
                "ASHE median",
                "UK",
                "April 2026",
                "ONS ASHE 2026",
                "2026-03-01",
                "",
                "",
            ]
        ],
    )
    report = cli("report", None, "--start", "2025-04-01", "--end", "2026-03-31")
    assert report["value"]["generalist"]["rate"] == "18.50"
    assert report["value"]["generalist"]["rate_key"] == "uk_median_hourly_2026"
    earlier = cli("report", None, "--start", "2025-04-01", "--end", "2026-02-28")
    assert earlier["value"]["generalist"]["rate"] == "17.96"


def test_csv_output(cli, data, tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    result = cli(
        "report",
        None,
        "--start",
        "2025-04-01",
        "--end",
        "2026-03-31",
        "--format",
        "csv",
        "--output",
        str(out),
    )
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0] == ["table", "item", "measure", "value"]
    assert ["summary", "", "total_hours", "20.00"] in rows
    assert ["value", "generalist", "amount", "359.20"] in rows
    assert ["value", "generalist", "source", "ONS Annual Survey of Hours and Earnings 2025"] in rows


def test_xlsx_output_has_a_sheet_per_table_and_method_and_sources(
    cli, data, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "report.xlsx"
    cli(
        "report",
        None,
        "--start",
        "2025-04-01",
        "--end",
        "2026-03-31",
        "--format",
        "xlsx",
        "--output",
        str(out),
    )
    workbook = load_workbook(out)
    assert workbook.sheetnames == [
        "Summary",
        "Investment",
        "By organisation",
        "By role",
        "By month",
        "By frequency",
        "Method and sources",
    ]
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert float(summary["Total hours"]) == 20.0
    assert float(summary["Value, generalist (£)"]) == 359.2
    method = [row for row in workbook["Method and sources"].iter_rows(values_only=True)]
    assert any(
        r[0] == "Generalist (median pay)" and r[4] == "ONS Annual Survey of Hours and Earnings 2025"
        for r in method
    )
    assert not any("uk_median_hourly" in str(cell) for r in method for cell in r)


def test_pdf_output_contains_the_figures(cli, data, tmp_path: Path) -> None:
    from pypdf import PdfReader

    out = tmp_path / "report.pdf"
    cli(
        "report",
        None,
        "--start",
        "2025-04-01",
        "--end",
        "2026-03-31",
        "--format",
        "pdf",
        "--output",
        str(out),
    )
    assert out.read_bytes().startswith(b"%PDF")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(out).pages).split())
    assert "Value of volunteering" in text
    assert "359.20" in text and "ONS Annual Survey of Hours and Earnings 2025" in text
    assert "Replacement cost values the time given" in text


def test_json_is_the_default_on_standard_output(cli, data) -> None:
    result = cli(
        "report",
        None,
        "--start",
        "2025-04-01",
        "--end",
        "2026-03-31",
        "--format",
        "json",
        expect_ok=False,
    )
    assert json.loads(result.output)["total_hours"] == "20.00"


def test_csv_cells_are_neutralised(cli, tmp_path: Path) -> None:
    cli(
        "hours",
        [_hours("1", "a@example.org", '=HYPERLINK("http://evil")', "2025-04-10", "1")],
        "--create-missing",
    )
    out = tmp_path / "r.csv"
    cli(
        "report",
        None,
        "--start",
        "2025-04-01",
        "--end",
        "2026-03-31",
        "--format",
        "csv",
        "--output",
        str(out),
    )
    assert "'=HYPERLINK" in out.read_text()


def test_people_are_counted_once_per_role_and_organisation(cli, default_rates) -> None:
    """One volunteer recorded under two occupation codes of one role is one person there.

    Hand count: Driver at Org A has volunteers d1 (3 h under 8214 and 2 h under 82) and d2
    (1 h under 8214): 2 people, 6 hours; Org A has d1, d2 and d3 (Admin, 4 h): 3 people, 10 h.
    """
    rows = [
        ["p1", "d1@example.org", "D1", "Org A", "Driver", "8214", "2025-05-01", "3", "no"],
        ["p2", "d1@example.org", "D1", "Org A", "Driver", "82", "2025-05-02", "2", "no"],
        ["p3", "d2@example.org", "D2", "Org A", "Driver", "8214", "2025-05-01", "1", "no"],
        ["p4", "d3@example.org", "D3", "Org A", "Admin", "", "2025-05-01", "4", "no"],
    ]
    cli("hours", rows, "--create-missing")
    report = cli("report", None, "--start", "2025-04-01", "--end", "2026-03-31")
    driver = next(r for r in report["by_role"] if r["role"] == "Driver")
    assert driver["active_volunteers"] == 2 and driver["hours"] == "6.00"
    assert report["by_organisation"] == [
        {"name": "Org A", "hours": "10.00", "active_volunteers": 3, "value_generalist": "179.60"}
    ]
    assert report["active_volunteers"] == 3
    assert report["by_month"] == [{"month": "2025-05", "hours": "10.00", "active_volunteers": 3}]


def test_a_rate_family_is_matched_exactly(cli, default_rates) -> None:
    """uk_national_living_wage_18_20_2025 is another family: the floor stays £12.21."""
    cli(
        "rates",
        [
            [
                "uk_national_living_wage_18_20_2025",
                "10.00",
                "GBP",
                "NMW 18 to 20",
                "UK",
                "April 2025",
                "Test fixture figures, not real",
                "2025-04-01",
                "",
                "",
            ]
        ],
    )
    cli(
        "hours",
        [["x1", "x@example.org", "X", "Org", "", "", "2025-05-01", "10", "no"]],
        "--create-missing",
    )
    report = cli("report", None, "--start", "2025-04-01", "--end", "2026-03-31")
    assert report["value"]["floor"]["rate"] == "12.21"
    assert report["value"]["floor"]["amount"] == "122.10"


def test_negative_net_value_stays_a_number_in_csv(cli, default_rates, tmp_path: Path) -> None:
    # 1 h × £17.96 against £100.00 of investment: net value −£82.04.
    cli(
        "hours",
        [["n1", "n@example.org", "N", "Org", "", "", "2025-05-01", "1", "no"]],
        "--create-missing",
    )
    cli("investment", [["Org", "2025-04-01", "2026-03-31", "training", "100.00"]])
    out = tmp_path / "r.csv"
    cli(
        "report",
        None,
        "--start",
        "2025-04-01",
        "--end",
        "2026-03-31",
        "--format",
        "csv",
        "--output",
        str(out),
    )
    assert "summary,,net_value,-82.04" in out.read_text()


def test_out_of_range_dates_are_one_line(cli) -> None:
    result = cli("report", None, "--start", "0001-01-01", "--end", "0001-12-31", expect_ok=False)
    assert result.exit_code != 0 and "Dates must be between" in result.output
    assert "Traceback" not in result.output
