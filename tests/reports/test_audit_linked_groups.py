"""Hidden figures linked through a figure published as a range (a rounded count) are solved
together: apart, each group would let the shared figure take a different value (review of
issue 17)."""

from __future__ import annotations

import pytest

from volunteer_hub.reports.audit import (
    PEOPLE,
    Auditor,
    Cell,
    Model,
    Protection,
    Relation,
    audit,
)


def _model() -> Model:
    """A + S = 10 and B = S, with S published only as 0 to 10 (rounded) and B at least 3: so
    S ≥ 3 and A ≤ 7, although A's own equation alone allows A up to 10."""
    model = Model({}, [], Protection(0.25, {PEOPLE: 3.0}, {PEOPLE: 1.0}), {PEOPLE: 0.0})
    model.add(Cell(("total",), {PEOPLE: 10.0}, {PEOPLE: (10.0, 10.0)}, hideable=False))
    model.add(Cell(("zero",), {PEOPLE: 0.0}, {PEOPLE: (0.0, 0.0)}, hideable=False))
    model.add(Cell(("S",), {PEOPLE: 5.0}, {PEOPLE: (0.0, 10.0)}, hideable=False))
    model.add(Cell(("A",), {PEOPLE: 5.0}, {PEOPLE: (5.0, 5.0)}, sensitive=True))
    model.add(Cell(("B",), {PEOPLE: 5.0}, {PEOPLE: (5.0, 5.0)}, floor={PEOPLE: 3.0}))
    model.relations += [
        Relation(PEOPLE, ((("total",), 1.0), (("A",), -1.0), (("S",), -1.0))),
        Relation(PEOPLE, ((("B",), 1.0), (("S",), -1.0), (("zero",), -1.0))),
    ]
    return model


def test_groups_linked_through_a_range_published_figure_are_solved_together() -> None:
    model = _model()
    hidden = frozenset({("A",), ("B",)})
    auditor = Auditor(model)
    low, high = auditor.interval(PEOPLE, hidden, ("A",))
    assert (low, high) == pytest.approx((0.0, 7.0), abs=1e-6)
    # A (5 people) needs 2 to 8: with the groups solved together it is not protected.
    result = audit(model, hidden)
    assert not result.passed
    assert result.failures[0].key == ("A",) and result.failures[0].high == pytest.approx(7.0)


def test_a_figure_published_exactly_still_separates_groups() -> None:
    model = _model()
    model.cells[("S",)].shown[PEOPLE] = (5.0, 5.0)
    auditor = Auditor(model)
    hidden = frozenset({("A",), ("B",)})
    assert auditor.interval(PEOPLE, hidden, ("A",)) == pytest.approx((5.0, 5.0), abs=1e-6)
    assert auditor._groups(PEOPLE, hidden)[("A",)] == frozenset({("A",)})
