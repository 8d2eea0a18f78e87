"""Worked example D and the disclosure-control rules."""

from __future__ import annotations

import pandas as pd
import pytest

from volunteer_hub.reports.disclosure import SUPPRESSED as C
from volunteer_hub.reports.disclosure import apply_disclosure_control, percentages

ETHNICITY = pd.DataFrame(
    [[71, 19, 14, 9, 6, 9]],
    index=["Ethnicity"],
    columns=["White", "Asian", "Black", "Mixed", "Other", "Not said"],
)


def test_example_d_k10_ethnicity() -> None:
    out = apply_disclosure_control(ETHNICITY, "k10")
    assert out.loc["Ethnicity"].tolist() == [71, 19, 14, C, C, C, 128]


def test_example_d_k10_gender_secondary_suppression() -> None:
    gender = pd.DataFrame([[90, 35, 3]], index=["Gender"], columns=["Women", "Men", "Other"])
    out = apply_disclosure_control(gender, "k10")
    assert out.loc["Gender"].tolist() == [90, C, C, 128]


def test_example_d_nhs7() -> None:
    out = apply_disclosure_control(ETHNICITY, "nhs7")
    assert out.loc["Ethnicity"].tolist() == [70, 20, 15, 10, C, 10, 130]


def test_zero_is_shown_and_never_used_for_secondary_suppression() -> None:
    table = pd.DataFrame([[50, 0, 4]], index=["x"], columns=["a", "b", "c"])
    assert apply_disclosure_control(table).loc["x"].tolist() == [C, 0, C, 54]


def test_secondary_suppression_works_down_columns_too() -> None:
    table = pd.DataFrame(
        [[20, 30], [12, 5], [40, 41]], index=["r1", "r2", "r3"], columns=["a", "b"]
    )
    out = apply_disclosure_control(table)
    # 5 is suppressed; its row then has one, so 12 goes; column a then has one (12), so 20 goes;
    # row r1 then has one (20), so 30 goes; column b now has two. Stable.
    assert out.loc["r2", "b"] == C and out.loc["r2", "a"] == C
    for line in [out.loc[r, ["a", "b"]].tolist() for r in out.index] + [
        out[c].tolist() for c in ["a", "b"]
    ]:
        assert sum(1 for v in line if v == C) != 1


def test_percentages_only_for_unsuppressed_cells() -> None:
    out = percentages(apply_disclosure_control(ETHNICITY))
    assert out.loc["Ethnicity"].tolist() == ["55.5", "14.8", "10.9", C, C, C]


@pytest.mark.parametrize("bad", [[[1.5]], [[-1]], [[float("nan")]]])
def test_rejects_non_counts(bad) -> None:
    with pytest.raises(ValueError, match="counts"):
        apply_disclosure_control(pd.DataFrame(bad))


def test_unknown_profile() -> None:
    with pytest.raises(ValueError, match="profile"):
        apply_disclosure_control(ETHNICITY, "k5")
