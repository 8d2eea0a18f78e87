"""Reading back the PDFs the reports write: where each image is drawn, and the tags."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ContentStream


@dataclass(frozen=True)
class Placed:
    page: int  # 1-based
    left: float  # points from the page's left edge
    width: float  # points, as drawn
    pixels: int  # the image's own width in pixels
    page_width: float

    @property
    def dpi(self) -> float:
        return self.pixels / (self.width / 72)


def _multiply(m: list[float], n: list[float]) -> list[float]:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return [
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    ]


def placed_images(data: bytes) -> list[Placed]:
    """Every image XObject drawn on every page, with its drawn width (the current
    transformation matrix at ``Do``, following nested form XObjects)."""
    reader = PdfReader(io.BytesIO(data))
    found: list[Placed] = []

    def walk(stream: Any, resources: Any, ctm: list[float], number: int, width: float) -> None:
        stack: list[list[float]] = []
        xobjects = resources.get("/XObject", {}) if resources else {}
        for operands, operator in ContentStream(stream, reader).operations:
            if operator == b"q":
                stack.append(ctm)
            elif operator == b"Q":
                ctm = stack.pop()
            elif operator == b"cm":
                ctm = _multiply([float(x) for x in operands], ctm)
            elif operator == b"Do":
                xobject = xobjects[operands[0]].get_object()
                if xobject["/Subtype"] == "/Image":
                    drawn = (ctm[0] ** 2 + ctm[1] ** 2) ** 0.5
                    found.append(Placed(number, ctm[4], drawn, int(xobject["/Width"]), width))
                elif xobject["/Subtype"] == "/Form":
                    matrix = [float(x) for x in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])]
                    inner = xobject.get("/Resources", resources)
                    walk(xobject, inner, _multiply(matrix, ctm), number, width)

    for number, page in enumerate(reader.pages, start=1):
        width = float(page.mediabox.width)
        walk(page.get_contents(), page.get("/Resources"), [1, 0, 0, 1, 0, 0], number, width)
    return found


def fetch_pdf(client: Any, fmt: str, query: dict[str, str]) -> Any:
    """A PDF download as a person makes it: ask (the download link answers with the file's
    progress page), let the background job build it (run here, in this process), then follow
    the page's download link. Returns the first answer that is not a redirect to the progress
    page: the download, or the page itself when the report was not released."""
    from volunteer_hub.reports.jobs import build_report_files

    asked = client.get(f"/reports/value/download/{fmt}", query_string=query)
    if asked.status_code != 303:
        return asked
    page_url = asked.headers["Location"]
    build_report_files()
    page = client.get(page_url)
    if f'href="{page_url}/download"' not in page.get_data(as_text=True):
        return page
    return client.get(f"{page_url}/download")
