"""Disclosure control for every count of people that leaves the organisation.

``apply_disclosure_control(table, profile)`` takes a table of counts (a pandas DataFrame: rows are
groups such as "Ethnicity", columns the categories) and returns the table to publish, with a
``Total`` column, suppressed cells shown as ``[c]``.

Profiles (shared/docs/value-of-volunteering.md):
- ``k10`` (default): counts 1 to k−1 (k = 10 unless set) are suppressed; zero is shown. Then
  secondary suppression: in any row or column with exactly one suppressed cell, the next smallest
  cell is suppressed too, repeated until no row or column has exactly one, so no suppressed value
  can be recovered from a total. Totals are the true totals.
- ``nhs7``: 0 stays 0, 1 to 7 are suppressed, every other count is rounded to the nearest 5;
  totals are computed from the unrounded data, then rounded.
"""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

SUPPRESSED = "[c]"
PROFILES = ("k10", "nhs7")


def _round5(value: int) -> int:
    return int((Decimal(value) / 5).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 5)


def _validate(table: pd.DataFrame) -> pd.DataFrame:
    if table.empty:
        return table.astype(int)
    values = table.to_numpy()
    for value in values.flat:
        if pd.isna(value) or int(value) != value or value < 0:
            raise ValueError("disclosure control takes whole, non-negative counts")
    return table.astype(int)


def _secondary(mask: list[list[bool]], values: list[list[int]]) -> None:
    """Suppress the next smallest cell in any row/column with exactly one suppressed cell."""
    rows, cols = len(values), len(values[0]) if values else 0
    changed = True
    while changed:
        changed = False
        lines = [[(r, c) for c in range(cols)] for r in range(rows)]
        if rows > 1:
            lines += [[(r, c) for r in range(rows)] for c in range(cols)]
        for line in lines:
            suppressed = [cell for cell in line if mask[cell[0]][cell[1]]]
            if len(suppressed) != 1:
                continue
            candidates = [
                cell for cell in line if not mask[cell[0]][cell[1]] and values[cell[0]][cell[1]] > 0
            ]
            if not candidates:
                continue
            r, c = min(candidates, key=lambda cell: (values[cell[0]][cell[1]], cell))
            mask[r][c] = True
            changed = True


def apply_disclosure_control(
    table: pd.DataFrame, profile: str = "k10", *, k: int = 10
) -> pd.DataFrame:
    if profile not in PROFILES:
        raise ValueError(
            f"unknown disclosure profile {profile!r}; use one of {', '.join(PROFILES)}"
        )
    counts = _validate(table)
    values = [[int(v) for v in row] for row in counts.to_numpy().tolist()]
    totals = [sum(row) for row in values]
    if profile == "nhs7":
        out: list[list[Any]] = [
            [0 if v == 0 else SUPPRESSED if v <= 7 else _round5(v) for v in row] for row in values
        ]
        total_column = [_round5(t) for t in totals]
    else:
        mask = [[0 < v < k for v in row] for row in values]
        _secondary(mask, values)
        out = [
            [SUPPRESSED if mask[r][c] else v for c, v in enumerate(row)]
            for r, row in enumerate(values)
        ]
        total_column = totals
    result = pd.DataFrame(out, index=counts.index, columns=counts.columns, dtype=object)
    result["Total"] = total_column
    return result


def percentages(published: pd.DataFrame) -> pd.DataFrame:
    """Row percentages (one decimal) for unsuppressed cells only; suppressed stay ``[c]``."""
    out = published.copy()
    for index, row in published.iterrows():
        total = row["Total"]
        for column in published.columns:
            if column == "Total":
                continue
            value = row[column]
            out.at[index, column] = (
                SUPPRESSED
                if value == SUPPRESSED or not total
                else str(
                    (Decimal(value) * 100 / Decimal(total)).quantize(
                        Decimal("0.1"), rounding=ROUND_HALF_UP
                    )
                )
            )
    return out.drop(columns=["Total"])


#: The breakdown tables of the value report and the column counting people in each.
PEOPLE_COLUMNS = {
    "by_organisation": "active_volunteers",
    "by_role": "active_volunteers",
    "by_month": "active_volunteers",
    "by_frequency": "volunteers",
}
#: Figures in a row that could reveal what its few people did, suppressed with its count.
ROW_FIGURES = ("hours", "value_generalist")


class TooFewToPublish(ValueError):
    """The selection covers fewer people than the minimum group size."""


def for_partners(report: dict[str, Any], profile: str = "k10", *, k: int = 10) -> dict[str, Any]:
    """The value report as partners may see it: no selection covering fewer than ``k`` active
    volunteers (raises TooFewToPublish); in each breakdown the counts of people pass through
    :func:`apply_disclosure_control`, and a row whose count is suppressed has its hours and value
    suppressed too (else they would describe one or a few people, or could be worked out from
    the totals). Other figures are unchanged."""
    active = int(report["active_volunteers"])
    if 0 < active < k:
        raise TooFewToPublish(
            f"This selection covers fewer than {k} active volunteers, so to protect their "
            "privacy it is not published to partners; choose a longer period or every "
            "organisation."
        )
    published = copy.deepcopy(report)
    if 0 < int(report["new_volunteers"]) < k:
        published["new_volunteers"] = SUPPRESSED
    for table, column in PEOPLE_COLUMNS.items():
        rows = published[table]
        if not rows:
            continue
        counts = pd.DataFrame({column: [int(row[column]) for row in rows]})
        controlled = apply_disclosure_control(counts, profile, k=k)
        for row, value in zip(rows, controlled[column], strict=True):
            if value == SUPPRESSED or (profile == "nhs7" and value != row[column]):
                row[column] = value if isinstance(value, str) else int(value)
            if value == SUPPRESSED:
                for figure in ROW_FIGURES:
                    if figure in row:
                        row[figure] = SUPPRESSED
    published["disclosure"] = {
        "profile": profile,
        "k": k,
        "note": f"Counts of 1 to {k - 1} people, and the hours and value of their rows, are "
        f"shown as {SUPPRESSED}, with more cells hidden where needed so none can be worked out.",
    }
    return published
