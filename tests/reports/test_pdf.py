"""The designed PDFs (value report and quarterly monitoring), read back with pypdf.

Data: ``year_of_hours`` (tests/reports/conftest.py).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.reports.conftest import ORGANISATIONS
from tests.reports.pdf_tools import placed_images

pytestmark = pytest.mark.usefixtures("default_rates")

YEAR = {"period": "year", "year": "2025"}
Q3 = {"period": "quarter", "year": "2025", "quarter": "3"}
#: A4 is 595.3 points wide; the pages have 16 mm (45.4 pt) side margins.
A4_WIDTH = 595.3
MARGIN = 45.3


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
