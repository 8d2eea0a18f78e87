"""The worked examples of shared/docs/value-of-volunteering.md, through the real commands.

Expected figures are the document's, computed by hand there; nothing here is copied from output.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.usefixtures("default_rates")

FY25_START, FY25_END = "2025-04-01", "2026-03-31"


def _spread(
    volunteer: int,
    total_hours: int,
    *,
    start: date,
    org: str,
    role: str = "",
    soc: str = "",
    per_record: int = 3,
    prefix: str = "a",
) -> list[list[str]]:
    """``total_hours`` for one volunteer as records of ``per_record`` hours, one a week."""
    rows = []
    for i in range(total_hours // per_record):
        day = start + timedelta(days=7 * i % 360)
        rows.append(
            [
                f"{prefix}-{volunteer}-{i}",
                f"vol{volunteer}@example.org",
                f"Volunteer {volunteer}",
                org,
                role,
                soc,
                day.isoformat(),
                str(per_record),
                "no",
            ]
        )
    return rows


def test_example_a_generalist_value_range_and_viva(cli) -> None:
    rows = []
    for v in range(40):  # 40 volunteers × 150 h = 6,000 h
        rows += _spread(v, 150, start=date(2025, 4, 2), org="Riverside Befriending Network")
    cli("hours", rows, "--create-missing")
    investment = [
        ("coordinator_salary", "19200"),
        ("other_staff", "2000"),
        ("recruitment", "800"),
        ("training", "1500"),
        ("expenses_reimbursed", "2300"),
        ("dbs_insurance", "700"),
        ("overheads", "3500"),
    ]
    cli(
        "investment",
        [["Riverside Befriending Network", FY25_START, FY25_END, c, a] for c, a in investment],
    )

    report = cli("report", None, "--start", FY25_START, "--end", FY25_END)

    assert report["period"] == {"start": FY25_START, "end": FY25_END}
    assert report["total_hours"] == "6000.00"
    assert report["active_volunteers"] == 40
    assert report["value"]["generalist"]["amount"] == "107760.00"
    assert report["value"]["generalist"]["rate"] == "17.96"
    assert report["value"]["generalist"]["rate_key"] == "uk_median_hourly_2025"
    assert report["value"]["generalist"]["source"] == "ONS Annual Survey of Hours and Earnings 2025"
    assert report["value"]["generalist"]["reference_date"] == "April 2025"
    assert report["value"]["floor"]["amount"] == "73260.00"
    assert report["value"]["floor"]["rate"] == "12.21"
    assert report["investment"]["total"] == "30000.00"
    assert report["investment"]["by_category"]["coordinator_salary"] == "19200.00"
    assert report["investment"]["by_category"]["recognition"] == "0.00"
    assert report["viva_ratio"]["generalist"] == "3.59"
    assert report["viva_ratio"]["floor"] == "2.44"
    assert report["net_value"] == "77760.00"
    assert report["hours_per_active_volunteer"] == "150.00"
    assert report["fte"] == "3.08"
    assert report["caveat"].startswith("Replacement cost values the time given")


def test_example_b_specialist_value_with_fallback(cli) -> None:
    # Occupation rates are test fixtures, not real figures.
    cli(
        "rates",
        [
            [
                "test_befriending",
                "12.50",
                "GBP",
                "Test occupation rate",
                "UK",
                "2025",
                "Test fixture",
                "2025-04-01",
                "",
                "6145",
            ],
            [
                "test_office_support",
                "13.20",
                "GBP",
                "Test occupation rate",
                "UK",
                "2025",
                "Test fixture",
                "2025-04-01",
                "",
                "4159",
            ],
            [
                "test_trustee",
                "25.00",
                "GBP",
                "Test occupation rate",
                "UK",
                "2025",
                "Test fixture",
                "2025-04-01",
                "",
                "1259",
            ],
            [
                "test_driving",
                "13.00",
                "GBP",
                "Test occupation rate",
                "UK",
                "2025",
                "Test fixture",
                "2025-04-01",
                "",
                "8214",
            ],
        ],
    )
    org = "Northbridge Community Action"
    rows = []
    for v, (role, soc, hours) in enumerate(
        [
            ("Befriender", "6145", 2000),
            ("Office support", "4159", 800),
            ("Trustee", "1259", 200),
            ("Driver", "8214", 500),
            ("Gardener", "", 300),
        ]
    ):
        for n in range(hours // 20):  # 20-hour records spread over several volunteers
            rows.append(
                [
                    f"b-{v}-{n}",
                    f"b{v}-{n % 5}@example.org",
                    f"B {v} {n % 5}",
                    org,
                    role,
                    soc,
                    (date(2025, 5, 1) + timedelta(days=n % 300)).isoformat(),
                    "20",
                    "no",
                ]
            )
    cli("hours", rows, "--create-missing")

    report = cli("report", None, "--start", FY25_START, "--end", FY25_END)

    assert report["total_hours"] == "3800.00"
    assert report["value"]["specialist"]["amount"] == "52448.00"
    assert report["value"]["specialist"]["coverage"] == "92.1"
    assert report["value"]["generalist"]["amount"] == "68248.00"


def test_example_c_retention_and_new_volunteers(cli) -> None:
    rows = []
    # 120 volunteers active in FY 2024/25; 78 of them active again in FY 2025/26; 45 new in 2025/26.
    for v in range(120):
        rows.append(
            [
                f"c-prev-{v}",
                f"c{v}@example.org",
                f"C {v}",
                "Greenway Community Garden",
                "",
                "",
                "2024-06-01",
                "2",
                "no",
            ]
        )
        if v < 78:
            rows.append(
                [
                    f"c-now-{v}",
                    f"c{v}@example.org",
                    f"C {v}",
                    "Greenway Community Garden",
                    "",
                    "",
                    "2025-06-01",
                    "2",
                    "no",
                ]
            )
    for v in range(120, 165):
        rows.append(
            [
                f"c-now-{v}",
                f"c{v}@example.org",
                f"C {v}",
                "Greenway Community Garden",
                "",
                "",
                "2025-09-01",
                "2",
                "no",
            ]
        )
    cli("hours", rows, "--create-missing")

    report = cli("report", None, "--start", FY25_START, "--end", FY25_END)

    assert report["active_volunteers"] == 123
    assert report["new_volunteers"] == 45
    assert report["retention_rate"] == "65.0"
    previous = cli("report", None, "--start", "2024-04-01", "--end", "2025-03-31")
    assert previous["active_volunteers"] == 120
    assert previous["retention_rate"] is None  # nobody active in FY 2023/24
