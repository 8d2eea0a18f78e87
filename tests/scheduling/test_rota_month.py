"""The month rota: an organisation's (or one role's) shifts day by day in UK days, gaps under the
minimum picked out, for the organisation's coordinators only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Role
from volunteer_hub.scheduling.models import Shift, SignUp
from volunteer_hub.volunteers.services import volunteer_for


def _shift(role: Role, start: datetime, hours: int = 3, **fields) -> Shift:
    values = {"capacity": 3, "minimum": 0, "who": "anyone", "location": "Hall", **fields}
    shift = Shift(
        role_id=role.id,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        **values,
    )
    db.session.add(shift)
    db.session.commit()
    return shift


def test_month_lists_each_day_with_gaps_highlighted(personas, login, role) -> None:
    short = _shift(role, datetime(2027, 6, 3, 9, tzinfo=UTC), minimum=2)
    covered = _shift(role, datetime(2027, 6, 10, 9, tzinfo=UTC), minimum=1, location="Depot")
    db.session.add(
        SignUp(
            shift_id=covered.id,
            volunteer_id=volunteer_for(personas.volunteer).id,
            status="confirmed",
        )
    )
    _shift(role, datetime(2027, 7, 1, 9, tzinfo=UTC), minimum=3)  # next month: not shown
    db.session.commit()
    client = login(personas.coordinator_a)
    page = client.get(f"/rota/{personas.org_a.id}/month?month=2027-06").get_data(as_text=True)
    assert "Rota: June 2027" in page
    assert "Thursday 3 June 2027" in page and "Thursday 10 June 2027" in page
    assert "Needs 2 more" in page and "Covered" in page
    assert "2 shifts this month" in page and "1 shift below the minimum" in page
    assert f"/shifts/{short.id}" in page and "Depot" in page
    assert "1 July 2027" not in page
    assert "month=2027-05" in page and "month=2027-07" in page


def test_a_shift_just_after_midnight_uk_time_is_on_its_uk_day(personas, login, role) -> None:
    # 23:30 UTC on 31 May is 00:30 on 1 June in UK summer time.
    _shift(role, datetime(2027, 5, 31, 23, 30, tzinfo=UTC), hours=2)
    client = login(personas.coordinator_a)
    june = client.get(f"/rota/{personas.org_a.id}/month?month=2027-06").get_data(as_text=True)
    may = client.get(f"/rota/{personas.org_a.id}/month?month=2027-05").get_data(as_text=True)
    assert "Tuesday 1 June 2027" in june and "1 shift this month" in june
    assert "No shifts this month." in may


def test_month_per_role(personas, login, role) -> None:
    other = Role(organisation_id=personas.org_a.id, title="Driver")
    db.session.add(other)
    db.session.commit()
    _shift(role, datetime(2027, 6, 3, 9, tzinfo=UTC))
    _shift(other, datetime(2027, 6, 4, 9, tzinfo=UTC))
    client = login(personas.coordinator_a)
    url = f"/rota/{personas.org_a.id}/month?month=2027-06"
    both = client.get(url).get_data(as_text=True)
    assert "Driver" in both and "Food bank helper" in both
    only = client.get(f"{url}&role={other.id}").get_data(as_text=True)
    assert "1 shift this month" in only and "Friday 4 June 2027" in only
    assert "Thursday 3 June 2027" not in only


def test_odd_month_and_role_values_show_this_month(personas, login, role) -> None:
    client = login(personas.coordinator_a)
    for value in (
        "2027-13",
        "99999-99",
        "\x00",
        "x" * 3000,
        "2027-06-01",
        "-1--1",
        "２０２７-０６",
    ):
        response = client.get(
            f"/rota/{personas.org_a.id}/month", query_string={"month": value, "role": value}
        )
        # A NUL is refused by the app's input filter (400); anything else is this month.
        assert response.status_code == (400 if "\x00" in value else 200), value


def test_other_organisations_and_volunteers_cannot_see_the_month(personas, login, role) -> None:
    url = f"/rota/{personas.org_a.id}/month"
    assert login(personas.coordinator_b).get(url).status_code == 404
    assert login(personas.volunteer).get(url).status_code in (403, 404)
    assert login(personas.centre).get(url).status_code == 200
    assert login(personas.coordinator_a).get("/rota/999999/month").status_code == 404
