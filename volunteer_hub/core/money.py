"""Money, hours and ratio formatting: Decimal throughout, rounded half-up only for output."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")
TENTH = Decimal("0.1")
#: No single amount in the service reaches a billion pounds; larger ones are mistakes.
MAX_POUNDS = Decimal(10) ** 9


def round_money(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def two_dp(value: Decimal) -> str:
    return str(value.quantize(PENNY, rounding=ROUND_HALF_UP))


def one_dp(value: Decimal) -> str:
    return str(value.quantize(TENTH, rounding=ROUND_HALF_UP))


def pence_to_pounds(pence: int) -> Decimal:
    return Decimal(pence) / 100


def parse_pounds(text: str) -> int:
    """'£1,234.50' → 123450 pence; raises ValueError for anything else (negative, NaN, 3 d.p.)."""
    cleaned = text.strip().replace(",", "").removeprefix("£").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"amount {text!r} is not a number of pounds, like 1250.00") from None
    if not amount.is_finite():
        raise ValueError(f"amount {text!r} is not a number of pounds, like 1250.00")
    if amount < 0:
        raise ValueError(f"amount {text!r} must not be negative")
    # Size first: quantizing a huge number (1e309) would itself fail.
    if amount >= MAX_POUNDS:
        raise ValueError(f"amount {text!r} is too large (the most is £999,999,999.99)")
    if amount != amount.quantize(PENNY):
        raise ValueError(f"amount {text!r} has more than two decimal places")
    return int(amount * 100)
