"""One path for every output: the typed figures, a typed disclosure decision, and the shown
figures that the JSON, CSV, XLSX, charts and pages all format.

Data as in test_pages: Organisation A 12 volunteers × 10 hours, Organisation B 3 × 10 hours, all
on 2025-05-01 (Q1 of 2025/26). Partners see both organisations' rows as [c].
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from volunteer_hub.reports import exports
from volunteer_hub.reports.disclosure import publish
from volunteer_hub.reports.published import (
    HIDDEN,
    Disclosure,
    Shown,
    ValueReport,
    render_json,
    shown_tree,
)
from volunteer_hub.reports.value import build_value_report
from volunteer_hub.reports.views import quarter_period

pytestmark = pytest.mark.usefixtures("default_rates")


def _q1() -> tuple[ValueReport, ValueReport]:
    period = quarter_period(2025, 1)
    full = build_value_report(start=period.start, end=period.end, organisation=None)
    published = publish(full)
    assert isinstance(published, ValueReport)
    return full, published


def test_the_published_report_is_its_figures_rendered_with_a_typed_disclosure(hours) -> None:
    full, published = _q1()
    assert published.figures is full.figures
    decided = published.disclosure
    assert isinstance(decided, Disclosure) and full.disclosure is None
    # Both organisations' rows hidden, by the audit's keys; the rows' figures are [c].
    assert {("org", 0), ("org", 1)} <= decided.hidden
    assert all(row["hours"] == HIDDEN for row in published["by_organisation"])
    # Rendering the same figures with the same decision gives the same JSON, key for key.
    assert render_json(published.figures, decided) == published
    assert published["disclosure"]["note"] == decided.note


def test_the_shown_figures_are_typed_and_the_json_writes_them(hours) -> None:
    full, published = _q1()
    assert full.figures is not None
    tree = shown_tree(full.figures)
    assert tree["total_hours"] == Decimal("150.00") and full["total_hours"] == "150.00"
    assert isinstance(tree["value"]["generalist"]["amount"], Decimal)
    assert str(tree["value"]["generalist"]["amount"]) == full["value"]["generalist"]["amount"]
    shown = Shown(published.figures, published.disclosure)
    rows = shown.rows("by_organisation")
    assert [row.hours for row in rows] == [HIDDEN, HIDDEN]
    months = shown.rows("by_month")
    assert months[0].hours == Decimal("150.00") and months[0].people == 15


def test_csv_holds_the_jsons_values(hours) -> None:
    _full, published = _q1()
    rows = list(csv.reader(io.StringIO(exports.to_csv(published))))
    values = {(table, item, measure): value for table, item, measure, value in rows[1:]}
    assert values[("summary", "", "total_hours")] == published["total_hours"]
    assert values[("by_organisation", "Organisation A", "hours")] == HIDDEN
    assert values[("value", "generalist", "amount")] == published["value"]["generalist"]["amount"]
