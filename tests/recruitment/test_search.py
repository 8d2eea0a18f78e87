"""The public search: filters, keyword (full-text on PostgreSQL, LIKE on SQLite), pagination."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.conftest import TODAY


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
    publish(personas.org_a, "Long shifts", hours_per_week=6)
    assert "Long shifts" not in _titles(client, max_hours="4")
    assert "Long shifts" in _titles(client, max_hours="8")
    assert len(_titles(client, max_hours="99")) == 5  # not an offered limit: ignored


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


def test_distance_from_a_postcode(client, personas, publish) -> None:
    """Bundled centroids: NB1 (51.512, -0.110), NB9 (51.460, -0.050) ≈ 4.2 miles apart,
    NB2 (51.520, -0.090) ≈ 1.0 mile from NB1."""
    publish(personas.org_a, "Near role", postcode="NB2 1AA")
    publish(personas.org_a, "Far role", postcode="NB9 9ZZ")
    publish(personas.org_b, "Remote role", location_type="remote", postcode="")
    near = _titles(client, postcode="nb1 4rt", miles="3", sort="nearest")
    assert near == ["Near role", "Remote role"]
    assert _titles(client, postcode="NB1", miles="5", sort="nearest") == [
        "Near role",
        "Far role",
        "Remote role",
    ]
    page = client.get("/opportunities", query_string={"postcode": "NB1 4RT", "miles": "5"})
    assert "about 1 mile away" in page.get_data(as_text=True)
    same = client.get("/opportunities", query_string={"postcode": "NB2 7XY", "miles": "5"})
    assert "Near role</a>" in same.get_data(as_text=True)
    assert "less than a mile away" in same.get_data(as_text=True)
    assert "0.0 miles" not in same.get_data(as_text=True)


def test_a_postcode_outside_the_known_area_is_an_error_with_a_summary(client, personas) -> None:
    """A real postcode outside the bundled outward codes is told so plainly (error summary,
    "Error:" in the title, the field marked), as is something that is not a postcode."""
    for postcode, words in (
        (
            "SW1A 1AA",
            "We cannot search near SW1A 1AA: it is outside the area we know. "
            "Enter a postcode starting NB, or search without one",
        ),
        ("hello", "Enter a full postcode, like NB1 4RT, or search without one"),
    ):
        response = client.get("/opportunities", query_string={"postcode": postcode})
        html = response.get_data(as_text=True)
        assert re.search(r"<title>\s*Error: Find volunteering opportunities", html), postcode
        summary = html.split('class="govuk-error-summary"')[1].split("</div>\n</div>")[0]
        assert words in summary and 'href="#postcode"' in summary, postcode
        assert 'id="postcode-error"' in html and "check it" not in html
    fine = client.get("/opportunities", query_string={"postcode": "NB1 4RT"}).get_data(as_text=True)
    assert "govuk-error-summary" not in fine and "<title>Error" not in fine


def test_load_outcodes_command(runner, tmp_path, personas, publish) -> None:
    role = publish(personas.org_a, "Somewhere role", postcode="AB1 2CD")
    assert role.latitude is None
    good = tmp_path / "outcodes.csv"
    good.write_text("outcode,latitude,longitude\nAB1,57.1,-2.1\n")
    result = runner.invoke(args=["recruitment", "load-outcodes", str(good)])
    assert "Loaded 1 outward codes" in result.output
    from volunteer_hub.extensions import db
    from volunteer_hub.organisations.models import Role

    db.session.expire_all()
    assert db.session.get(Role, role.id).latitude == 57.1
    bad = tmp_path / "bad.csv"
    bad.write_text("outcode,latitude,longitude\nAB2,north,-2\nXX1,10,10\n")
    result = runner.invoke(args=["recruitment", "load-outcodes", str(bad)])
    assert result.exit_code != 0 and "line 2" in result.output and "line 3" in result.output


def test_odd_numbers_in_the_query_are_ignored(client, personas, publish) -> None:
    publish(personas.org_a, "Befriender")
    for query in ({"page": "²"}, {"postcode": "NB1", "miles": "²"}, {"page": "٣"}):
        assert client.get("/opportunities", query_string=query).status_code == 200
