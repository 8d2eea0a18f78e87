"""A task description's occupation code is chosen from a searchable list of SOC 2020 unit
groups (an HTML datalist: the browser filters it as people type; any code may be typed)."""

from __future__ import annotations

from sqlalchemy import select

from tests.helpers import post_form
from tests.organisations.test_roles import _form
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Role
from volunteer_hub.organisations.soc2020 import code_of


def test_coordinator_chooses_the_occupation_from_a_searchable_list(personas, login) -> None:
    coordinator = login(personas.coordinator_a)
    url = f"/organisations/{personas.org_a.slug}/roles/new"
    page = coordinator.get(url).get_data(as_text=True)
    assert 'list="soc-2020-unit-groups"' in page
    assert '<datalist id="soc-2020-unit-groups">' in page
    assert '<option value="6135 Care workers and home carers"></option>' in page

    # Choosing "6135 Care workers and home carers" stores the code.
    response = post_form(coordinator, url, _form(soc_code="6135 Care workers and home carers"))
    assert response.status_code == 302
    role = db.session.scalar(select(Role).where(Role.title == "Telephone befriender"))
    assert role.soc_code == "6135"
    # Editing shows the code with its title.
    edit = coordinator.get(f"/roles/{role.id}/edit").get_data(as_text=True)
    assert 'value="6135 Care workers and home carers"' in edit


def test_any_code_may_be_typed_and_nonsense_is_a_form_error(personas, login) -> None:
    assert code_of("8214") == "8214" and code_of(" 61 ") == "61"
    assert code_of("care workers") == "care workers"
    coordinator = login(personas.coordinator_a)
    url = f"/organisations/{personas.org_a.slug}/roles/new"
    response = post_form(coordinator, url, _form(soc_code="care workers"))
    assert response.status_code == 400
    assert "Choose a code from the list, or type 1 to 4 digits" in response.get_data(as_text=True)
