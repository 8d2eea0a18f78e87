"""The designed PDFs (value report and quarterly monitoring), read back with pypdf.

Data: ``year_of_hours`` (tests/reports/conftest.py).
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.reports.conftest import ORGANISATIONS
from tests.reports.pdf_tools import fetch_pdf, placed_images

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
    value = fetch_pdf(client, "pdf", YEAR)
    quarterly = fetch_pdf(client, "quarterly.pdf", Q3)
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


def test_pdf_tables_name_every_month_and_organisation(year_of_hours, personas, login) -> None:
    """Beside the charts, the tables name every month (as people read it) and organisation."""
    data = _pdfs(login(personas.centre))["value"]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    for month in ("Apr 2025", "Sep 2025", "Oct 2025", "Mar 2026"):
        assert month in text
    for organisation in ORGANISATIONS:
        assert organisation in text


def _pages(data: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]


def _structure(data: bytes) -> tuple[dict, list[str], list[str]]:
    """The catalogue, every structure element's type, and each figure's alt text."""
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    kinds: list[str] = []
    alts: list[str] = []

    def walk(node) -> None:
        node = node.get_object()
        if not hasattr(node, "get"):
            return
        kind = node.get("/S")
        if kind:
            kinds.append(str(kind))
            if kind == "/Figure":
                alts.append(str(node.get("/Alt", "")))
        children = node.get("/K")
        for child in children if isinstance(children, list) else [children]:
            if child is not None and hasattr(child.get_object(), "get"):
                walk(child)

    walk(root["/StructTreeRoot"])
    return root, kinds, alts


def test_pdf_is_tagged_pdf_ua_with_title_and_language(year_of_hours, personas, login) -> None:
    pdfs = _pdfs(login(personas.centre))
    for name, data in pdfs.items():
        root, kinds, alts = _structure(data)
        assert bool(root["/MarkInfo"]["/Marked"]), name
        assert root["/Lang"] == "en-GB", name
        assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]), name
        for kind in ("/Document", "/H1", "/H2", "/P", "/Table", "/TH", "/TD", "/Caption"):
            assert kind in kinds, (name, kind)
        # Each chart is a figure whose alt text says what it shows.
        assert len(alts) == 3, name
        assert alts[0].startswith("Bar chart of approved hours by month.")
        assert "Citizens Advice Volunteer Advisers recorded the most" in alts[1] or name != "value"
        reader = PdfReader(io.BytesIO(data))
        assert b"pdfuaid:part=" in reader.xmp_metadata.stream.get_data(), name
    value = PdfReader(io.BytesIO(pdfs["value"]))
    assert (
        value.metadata.title == "Value of volunteering, April 2025 to March 2026: All organisations"
    )


def test_pdf_opens_with_a_summary_page_and_ends_with_the_method_annex(
    year_of_hours, personas, login
) -> None:
    data = _pdfs(login(personas.centre))["value"]
    pages = _pages(data)
    first = pages[0]
    assert first.startswith("Volunteer Hub · Northbridge Volunteer Centre Value of volunteering")
    assert "April 2025 to March 2026 · All organisations" in first
    # The headline figures and the value range in words.
    assert "From April 2025 to March 2026, 12 volunteers gave 5,760.00 approved hours" in first
    assert "worth between £70,329.60 (at the National Living Wage, £12.21 an hour) and " in first
    assert "£103,449.60 (at median hourly pay, £17.96 an hour)" in first
    assert "each £1 invested was matched by £4.03 of volunteer time" in first
    assert "Replacement cost values the time given" in first
    # Charts with their tables come after the summary page; the method annex comes last.
    images = placed_images(data)
    assert min(image.page for image in images) == 2
    assert pages[1].split("Page 2 of")[0].count("Hours by month") == 1
    annex = next(n for n, text in enumerate(pages) if "Annex: method and sources" in text)
    assert annex == len(pages) - 1 or "Annex: method and sources" in pages[-1]
    assert annex > max(image.page for image in images) - 1
    equality = next(n for n, text in enumerate(pages) if "Equality profile" in text)
    assert equality < annex
    assert "ONS Annual Survey of Hours and Earnings 2025" in " ".join(pages[annex:])


def test_pdf_pages_have_a_running_header_and_page_numbers(year_of_hours, personas, login) -> None:
    for name, data in _pdfs(login(personas.centre)).items():
        pages = _pages(data)
        total = len(pages)
        assert total >= 3
        for number, text in enumerate(pages, start=1):
            assert f"Page {number} of {total}" in text, (name, number)
            if number > 1:
                assert "Volunteer Hub · Northbridge Volunteer Centre" in text, (name, number)
                assert "All organisations" in text, (name, number)
        assert "April 2025 to March 2026 · All organisations" in pages[1] or name != "value"
        if name == "quarterly":
            # Short enough to stay on one line beside the service's name.
            assert "Quarter 3 of 2025 to 2026 · All organisations" in pages[1]
            assert "Partnership board quarterly monitoring" not in pages[1]


def test_pdf_dates_months_and_numbers_are_for_people(year_of_hours, personas, login) -> None:
    pdfs = _pdfs(login(personas.centre))
    for name, data in pdfs.items():
        text = " ".join(_pages(data))
        assert not re.search(r"\b\d{4}-\d{2}(-\d{2})?\b", text), (
            name,
            re.findall(r"\S*\d{4}-\d\d\S*", text),
        )
        assert "5,760.00" in text or name != "value"
        assert "25,862.40" in text or name != "value"  # 1,440 × £17.96 by organisation
    value = " ".join(_pages(pdfs["value"]))
    assert all(f"{m} 2025" in value for m in ("Apr", "May", "Sep", "Oct", "Dec"))
    assert "Mar 2026" in value
    quarterly = " ".join(_pages(pdfs["quarterly"]))
    assert "This quarter Oct to Dec 2025" in quarterly
    assert "Year to date Apr to Dec 2025" in quarterly
    assert "Same quarter last year Oct to Dec 2024" in quarterly
    assert "(s)" not in value and "(s)" not in quarterly
    assert "12 months had approved hours" in value


def test_pdf_charts_sit_on_the_page_of_their_table(year_of_hours, personas, login) -> None:
    """A chart is never split from its data table: the table's caption is on the chart's page."""
    captions = (
        "Approved hours and active volunteers by month",
        "Approved hours, volunteers and generalist value by organisation",
        "Investment in volunteers by category",
    )
    for name, data in _pdfs(login(personas.centre)).items():
        pages = _pages(data)
        images = placed_images(data)
        assert len(images) == len(captions)
        for image, caption in zip(images, captions, strict=True):
            assert caption in pages[image.page - 1], (name, caption, image.page)
