"""The public search: filters, keyword (full-text on PostgreSQL, LIKE on SQLite), pagination."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.recruitment.conftest import TODAY


def _titles(client, **query) -> list[str]:
    page = client.get("/opportunities", query_string=query)
    assert page.status_code == 200
    return re.findall(
        r'<h2 class="govuk-heading-m[^"]*"><a class="govuk-link" '
        r'href="/opportunities/[^"]+">([^<]+)</a>',
        page.get_data(as_text=True),
    )


def test_filters(client, personas, publish) -> None:
    publish(personas.org_a, "Befriender", purpose="Visit lonely neighbours")
    publish(
        personas.org_a,
        "Minibus driver",
        categories=("driving",),
        commitment="one_off",
        purpose="Drive people to the lunch club",
    )
    publish(
        personas.org_b,
        "Online tutor",
        location_type="remote",
        postcode="",
        under_18_welcome=True,
        purpose="Help pupils with reading",
    )
    publish(
        personas.org_b,
        "Tree planter",
        categories=("environment",),
        start_date=TODAY + timedelta(days=10),
        purpose="Plant trees in the park",
    )
    assert len(_titles(client)) == 4
    assert _titles(client, q="lunch") == ["Minibus driver"]
    assert _titles(client, q="PUPILS reading") == ["Online tutor"]
    assert _titles(client, category="driving") == ["Minibus driver"]
    assert _titles(client, commitment="one_off") == ["Minibus driver"]
    assert _titles(client, remote="1") == ["Online tutor"]
    assert _titles(client, under_18="1") == ["Online tutor"]
    assert _titles(client, starting_soon="1") == ["Tree planter"]
    assert _titles(client, sort="title") == [
        "Befriender",
        "Minibus driver",
        "Online tutor",
        "Tree planter",
    ]
    # Unknown values are ignored, never errors; search text is data.
    assert len(_titles(client, category="nonsense", sort="id; DROP TABLE", commitment="x")) == 4
    assert _titles(client, q="100%") == [] and _titles(client, q="_") == []
    assert _titles(client, q="<script>alert(1)</script>") == []


def test_pagination(client, personas, publish) -> None:
    for n in range(23):
        publish(personas.org_a, f"Role {n:02d}")
    first = client.get("/opportunities", query_string={"sort": "title"}).get_data(as_text=True)
    assert "23 opportunities, page 1 of 2" in first and 'rel="next"' in first
    second = _titles(client, sort="title", page="2")
    assert second == ["Role 20", "Role 21", "Role 22"]
    assert _titles(client, sort="title", page="99") == second  # past the end: the last page
    assert len(_titles(client, page="abc")) == 20


def test_drafts_and_submitted_roles_are_not_public(client, personas, publish) -> None:
    from volunteer_hub.organisations.roles import save_role

    save_role(
        actor=personas.centre,
        organisation=personas.org_a,
        values={"title": "Secret draft"},
        category_ids=[],
    )
    from volunteer_hub.extensions import db

    db.session.commit()
    assert _titles(client) == []
    assert client.get("/opportunities/secret-draft-organisation-a").status_code == 404
