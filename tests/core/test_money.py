"""Parsing pounds: clear refusals, never an unhandled error (huge exponents included)."""

from __future__ import annotations

import pytest

from volunteer_hub.core.money import parse_pounds


@pytest.mark.parametrize(
    ("text", "pence"), [("£1,234.50", 123450), ("0.01", 1), ("12", 1200), (" 7.5 ", 750)]
)
def test_parse_pounds(text: str, pence: int) -> None:
    assert parse_pounds(text) == pence


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e309", "too large"),
        ("1e-309", "more than two decimal places"),
        ("12.345", "more than two decimal places"),
        ("-1", "must not be negative"),
        ("NaN", "not a number"),
        ("Infinity", "not a number"),
        ("twelve", "not a number"),
    ],
)
def test_parse_pounds_refuses_clearly(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_pounds(text)
