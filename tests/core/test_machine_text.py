"""The page walk's check for machine-written dates, numbers and codes (no browser needed)."""

from __future__ import annotations

import pytest

from tests.e2e.machine_text import find_machine_text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Due on 2026-11-30", "ISO date"),
        ("Reporting period 2025-04-01 to 2026-03-31", "ISO date"),
        ("Hours in 2026-11", "ISO month"),
        ("3 volunteer(s) waiting", "(s) plural"),
        ("You gave 1 hours", "singular with a plural"),
        ("Took 1 minutes", "singular with a plural"),
        ("about 0.0 miles away", "zero miles"),
        ("Total £2176.00", "number without a thousands separator"),
        ("1975.5 hours in the year", "number without a thousands separator"),
        ("12345 volunteers", "number without a thousands separator"),
        ("For example 1250.00", "number without a thousands separator"),
        ("2026.50 claimed", "number without a thousands separator"),
        ("Check: enhanced_barred", "internal code"),
        ("Rate uk_national_living_wage_2026 used", "internal code"),
    ],
)
def test_machine_text_is_found(text: str, kind: str) -> None:
    findings = find_machine_text(text)
    assert findings, f"nothing found in {text!r}"
    assert any(f.startswith(kind) for f in findings), findings


@pytest.mark.parametrize(
    "text",
    [
        "5 February 2027",
        "Paid on 16 November 2026. These claims are locked.",
        "April 2025 to March 2026",
        "2025 to 2026",
        "£2,176.00",
        "1,975.5 hours",
        "2.5 hours",
        "2 hours 30 minutes",
        "1 hour",
        "1 volunteer",
        "less than a mile",
        "about 1.5 miles",
        "SW1A 1AA",
        "M1 1AE and N1C 4AG",
        "09:30 to 12:30",
        "Batch PB-2026-0001",
        "Call 020 7946 0123 or 0161 496 0000",
        "Email first_last@example.org",
        "See https://www.example.org/some_page",
        "Financial year 2025 to 2026: 14 volunteers gave 70 hours",
        "Ages 25 to 34",
        "Step 1 of 3",
        "Id 4566 · Soc code 5113 · for example SOC 6135 · Ref 10023 · Hours approved Record 4576",
    ],
)
def test_text_written_for_people_is_not_flagged(text: str) -> None:
    assert find_machine_text(text) == []


def test_each_finding_says_where_it_is() -> None:
    (finding,) = find_machine_text("Paid on 2026-11-30 by bank transfer")
    assert "2026-11-30" in finding and "Paid on" in finding
