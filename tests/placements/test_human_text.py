"""Pages write what people read in words: future starts, hours, statuses (issue 16)."""

from __future__ import annotations

from datetime import date, timedelta

from tests.hours.test_hours_logging import _log, _place


def test_a_placement_starting_later_says_starts_not_started(personas, login, publish) -> None:
    role = publish(personas.org_a, "Befriender")
    start = date.today() + timedelta(days=7)
    later = _place(personas, role, personas.volunteer, personas.coordinator_a, start=start)
    page = login(personas.volunteer).get(f"/placements/{later.id}").get_data(as_text=True)
    written = f"{start.day} {start:%B %Y}"
    assert "Starts</dt>" in page and written in page
    assert "Started</dt>" not in page


def test_a_placement_that_has_begun_says_started(personas, login, publish) -> None:
    role = publish(personas.org_a, "Befriender")
    begun = _place(personas, role, personas.volunteer, personas.coordinator_a)
    page = login(personas.volunteer).get(f"/placements/{begun.id}").get_data(as_text=True)
    assert "Started</dt>" in page and "Starts</dt>" not in page


def test_logged_hours_read_in_hours_and_minutes_with_a_status_in_words(
    personas, login, publish
) -> None:
    role = publish(personas.org_a, "Befriender")
    placement = _place(personas, role, personas.volunteer, personas.coordinator_a)
    volunteer = login(personas.volunteer)
    yesterday = date.today() - timedelta(days=1)
    assert _log(volunteer, placement, yesterday, hours="1", minutes="0").status_code == 302
    assert (
        _log(volunteer, placement, yesterday - timedelta(days=1), minutes="30").status_code == 302
    )
    page = volunteer.get(f"/placements/{placement.id}/hours").get_data(as_text=True)
    # 1 hour, never "1.00" or "1 hours"; 2 hours 30 minutes, never "2.50".
    assert ">1 hour<" in page and ">2 hours 30 minutes<" in page
    assert "1 hours" not in page and "2.50" not in page and "Submitted" in page
    mine = volunteer.get("/my-hours").get_data(as_text=True)
    assert "3.5 hours waiting for approval" in mine
