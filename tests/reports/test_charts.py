"""Charts on the web: each an ``<img>`` from its own URL with alt text, drawn from the same
figures as the page (published ones for partners), so the page needs no inline styles.

Data as in test_pages: Organisation A 12 volunteers × 10 hours, Organisation B 3 × 10 hours,
all on 2025-05-01 (Q1 of 2025/26). Partners see both organisations' rows as [c].
"""

from __future__ import annotations

import re

import pytest

from tests.reports.test_pages import Q1
from volunteer_hub.reports.charts import chart_png
from volunteer_hub.reports.disclosure import publish
from volunteer_hub.reports.value import build_value_report
from volunteer_hub.reports.views import quarter_period

pytestmark = pytest.mark.usefixtures("default_rates")

PNG = b"\x89PNG\r\n\x1a\n"


def _images(page: str) -> dict[str, tuple[str, str]]:
    """name → (src, alt) of each chart image on the page."""
    found = re.findall(r'<img class="vh-chart__image[^"]*" src="([^"]+)" alt="([^"]+)"', page)
    return {re.search(r"/chart/(\w+)\.png", src).group(1): (src, alt) for src, alt in found}


def _main(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def test_report_page_shows_each_chart_as_an_image_with_alt_text(hours, personas, login) -> None:
    client = login(personas.centre)
    page = client.get("/reports/value", query_string=Q1).get_data(as_text=True)
    images = _images(page)
    assert set(images) == {"by_month", "by_organisation"}  # no investment entered
    src, alt = images["by_month"]
    assert "period=quarter" in src and "year=2025" in src and "quarter=1" in src
    assert alt.startswith("Bar chart of approved hours by month.") and "May 2025" in alt
    assert "Organisation A recorded the most (120.00 hours)" in images["by_organisation"][1]
    main = _main(page)
    assert "<svg" not in main and " style=" not in main and "<style" not in main
    for src, _alt in images.values():
        response = client.get(src.replace("&amp;", "&"))
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.data.startswith(PNG)


def test_default_report_page_charts_load_too(hours, personas, login) -> None:
    client = login(personas.coordinator_a)
    page = client.get("/reports/value").get_data(as_text=True)
    for src, _alt in _images(page).values():
        assert client.get(src.replace("&amp;", "&")).status_code == 200


def test_partner_chart_shows_only_published_figures(hours, personas, login, app) -> None:
    """Both organisations' rows are hidden from partners, so there is no organisation chart for
    them at any URL, while the centre's shows both; the month chart is drawn from the published
    report, exactly."""
    url = "/reports/value/chart/by_organisation.png"
    assert login(personas.centre).get(url, query_string=Q1).status_code == 200
    partner = login(personas.partner)
    assert partner.get(url, query_string=Q1).status_code == 404
    page = partner.get("/reports/value", query_string=Q1).get_data(as_text=True)
    assert "by_organisation" not in _images(page)
    month = partner.get("/reports/value/chart/by_month.png", query_string=Q1)
    period = quarter_period(2025, 1)
    published = publish(build_value_report(start=period.start, end=period.end, organisation=None))
    assert month.status_code == 200 and month.data == chart_png(published, "by_month")


def test_partner_cannot_chart_a_small_organisation(hours, personas, login) -> None:
    response = login(personas.partner).get(
        "/reports/value/chart/by_month.png",
        query_string={**Q1, "organisation": str(personas.org_b.id)},
    )
    assert response.status_code == 400  # too few people to publish, as on the page


def test_coordinator_of_other_org_cannot_see_its_chart(hours, personas, login) -> None:
    response = login(personas.coordinator_a).get(
        "/reports/value/chart/by_month.png",
        query_string={**Q1, "organisation": str(personas.org_b.id)},
    )
    assert response.status_code == 403


def test_volunteers_strangers_and_unknown_charts_are_refused(
    hours, personas, login, client
) -> None:
    url = "/reports/value/chart/by_month.png"
    assert login(personas.volunteer).get(url, query_string=Q1).status_code == 403
    anonymous = client.get(url, query_string=Q1)
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]
    centre = login(personas.centre)
    assert centre.get("/reports/value/chart/secrets.png", query_string=Q1).status_code == 404
