"""The designed PDFs (value report and quarterly monitoring), read back with pypdf.

Data: a whole financial year 2025/26 (every month, April 2025 to March 2026) at four
organisations with long names, 3 volunteers each giving 20 hours on the 10th and 11th of every
month (480 hours a month, 5,760 hours in the year), and investment in five categories
(£25,700.00).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.reports.pdf_tools import placed_images

pytestmark = pytest.mark.usefixtures("default_rates")

ORGANISATIONS = [
    "Riverside Community Garden and Food Growing Network",
    "North Borough Befriending Service",
    "Citizens Advice Volunteer Advisers",
    "Hospital Welcome and Wayfinding Volunteers",
]
YEAR = {"period": "year", "year": "2025"}
Q3 = {"period": "quarter", "year": "2025", "quarter": "3"}
#: A4 is 595.3 points wide; the pages have 16 mm (45.4 pt) side margins.
A4_WIDTH = 595.3
MARGIN = 45.3


@pytest.fixture
def year_of_hours(cli) -> None:
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


def _keep(data: bytes, name: str) -> None:
    """With PDF_DIR set, keep the PDF to look at (pdftoppm -png -r 60)."""
    if os.environ.get("PDF_DIR"):
        (Path(os.environ["PDF_DIR"]) / name).write_bytes(data)


def _pdfs(client) -> dict[str, bytes]:
    value = client.get("/reports/value/download/pdf", query_string=YEAR)
    quarterly = client.get("/reports/value/download/quarterly.pdf", query_string=Q3)
    assert value.status_code == 200 and quarterly.status_code == 200
    _keep(value.data, "value.pdf")
    _keep(quarterly.data, "quarterly.pdf")
    return {"value": value.data, "quarterly": quarterly.data}


def test_pdf_charts_fit_the_page_width_at_print_resolution(year_of_hours, personas, login) -> None:
    for name, data in _pdfs(login(personas.centre)).items():
        images = placed_images(data)
        assert len(images) == 3, (name, images)  # by month, by organisation, investment
        for image in images:
            assert image.page_width == pytest.approx(A4_WIDTH, abs=1)
            assert image.left >= MARGIN - 1, (name, image)
            assert image.left + image.width <= image.page_width - MARGIN + 1, (name, image)
            assert image.width >= image.page_width - 2 * MARGIN - 2, (name, image)  # full width
            assert image.dpi >= 290, (name, image)


def test_pdf_charts_show_every_month_and_organisation(year_of_hours, personas, login) -> None:
    """The charts are whole: their alt text (the PDF's figure tags) and tables name every month
    and organisation."""
    data = _pdfs(login(personas.centre))["value"]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    for month in ("Apr 2025", "Sep 2025", "Oct 2025", "Mar 2026"):
        assert month in text
    for organisation in ORGANISATIONS:
        assert organisation in text
