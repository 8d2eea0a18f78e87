"""The expenses input rules as pure functions (no database): amounts in pounds, miles,
postcodes, a policy's settings and an item's fields. Each raises DomainError (or ValueError,
for :func:`pounds_to_pence`) naming what to fix; services and the import call them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from volunteer_hub.core.errors import DomainError
from volunteer_hub.expenses.models import ITEM_TYPES, ExpenseItem, ItemDecision
from volunteer_hub.expenses.storage import sniff

#: The most a single item may claim (larger amounts are mistakes): £5,000.
MAX_ITEM_PENCE = 500_000
#: The longest single mileage item: 2,000 miles.
MAX_ITEM_TENTHS = 20_000
MAX_ITEMS = 50
POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def pounds_to_pence(text: str) -> int:
    """Like core's parse_pounds, but an exponent too large for the decimal context (``1e309``)
    is a ValueError too, never an exception the user sees."""
    from volunteer_hub.core.money import parse_pounds

    try:
        return parse_pounds(text)
    except ArithmeticError:
        raise ValueError(f"amount {text!r} is not a number of pounds, like 1250.00") from None


def miles_to_tenths(text: str) -> int | None:
    """Miles as typed ("12.5") in whole tenths of a mile (125); None when empty."""
    text = text.strip()
    if not text:
        return None
    try:
        miles = Decimal(text)
    except InvalidOperation:
        raise DomainError("Enter the miles as a number, like 12.5", field="miles") from None
    if not miles.is_finite():
        raise DomainError("Enter the miles as a number, like 12.5", field="miles")
    # Range first: arithmetic on a huge number (1e999999999) would overflow.
    if miles <= 0 or miles > 2000:
        raise DomainError("Enter the miles, more than 0 and at most 2,000", field="miles")
    if miles * 10 != (miles * 10).to_integral_value():
        raise DomainError("Enter the miles to at most one decimal place", field="miles")
    return int(miles * 10)


def normalise_postcode(text: str | None) -> str | None:
    cleaned = " ".join((text or "").upper().split())
    if not cleaned:
        return None
    if " " not in cleaned and len(cleaned) >= 5:
        cleaned = cleaned[:-3] + " " + cleaned[-3:]
    return cleaned


def check_policy(
    *,
    types: list[str],
    mileage_policy: str,
    fixed_pence_per_mile: int | None,
    deadline_days: int,
    receipt_threshold_pence: int,
) -> int | None:
    """A policy's settings; returns the fixed rate to store (None under HMRC rates)."""
    unknown = [t for t in types if t not in ITEM_TYPES]
    if unknown or not types:
        raise DomainError("Choose at least one type of expense to repay", field="types")
    if mileage_policy not in {"hmrc", "fixed"}:
        raise DomainError("Choose HMRC rates or a fixed rate", field="mileage_policy")
    if mileage_policy == "fixed":
        if fixed_pence_per_mile is None or not 1 <= fixed_pence_per_mile <= 100:
            raise DomainError(
                "Enter the fixed rate as whole pence a mile, from 1 to 100",
                field="fixed_pence_per_mile",
            )
    else:
        fixed_pence_per_mile = None
    if not 1 <= deadline_days <= 730:
        raise DomainError("Enter a deadline from 1 to 730 days", field="deadline_days")
    if not 0 <= receipt_threshold_pence <= MAX_ITEM_PENCE:
        raise DomainError("Enter a threshold from £0 to £5,000", field="receipt_threshold")
    return fixed_pence_per_mile


def check_item(
    *,
    item_type: str,
    repaid: list[str],
    organisation: str,
    day: date,
    description: str,
    today: date,
) -> str:
    """An item's type (one the policy repays), date and description; returns the description
    cleaned."""
    if item_type not in ITEM_TYPES:
        raise DomainError("Choose the type of expense", field="item_type")
    if item_type not in repaid:
        raise DomainError(
            f"{organisation} does not repay {ITEM_TYPES[item_type].lower()}", field="item_type"
        )
    if day > today:
        raise DomainError("The date cannot be in the future", field="day")
    if day < date(today.year - 2, 1, 1):
        raise DomainError("The date is too long ago to claim", field="day")
    description = " ".join(description.split())
    if not description or len(description) > 500:
        raise DomainError("Describe the expense (up to 500 characters)", field="description")
    return description


def check_journey(
    *,
    item_type: str,
    miles_tenths: int | None,
    start_postcode: str | None,
    end_postcode: str | None,
    passengers: int,
) -> tuple[int, str, str]:
    """A mileage item's miles, start and end postcodes and (for the passenger supplement) the
    number of passengers; returns the miles and the postcodes normalised."""
    if miles_tenths is None or not 0 < miles_tenths <= MAX_ITEM_TENTHS:
        raise DomainError("Enter the miles, more than 0 and at most 2,000", field="miles")
    start, end = normalise_postcode(start_postcode), normalise_postcode(end_postcode)
    for value, name, label in ((start, "start_postcode", "start"), (end, "end_postcode", "end")):
        if value is None or not POSTCODE_RE.match(value):
            raise DomainError(f"Enter the {label} postcode, like AB1 2CD", field=name)
    if item_type == "passenger_mileage" and not 1 <= passengers <= 8:
        raise DomainError("Enter the number of passengers, from 1 to 8", field="passengers")
    assert start is not None and end is not None
    return miles_tenths, start, end


def check_receipt(data: bytes, *, limit: int, attached: int) -> str:
    """A receipt file: not empty, under ``limit`` bytes, a PDF, JPEG, PNG or HEIC by its content,
    and at most 5 to an item (``attached`` already); returns its content type."""
    if not data:
        raise DomainError("The selected file is empty", field="receipt")
    if len(data) > limit:
        raise DomainError(f"The file must be smaller than {limit // (1024 * 1024)} MB")
    content_type = sniff(data)
    if content_type is None:
        raise DomainError("The receipt must be a PDF, JPEG, PNG or HEIC file", field="receipt")
    if attached >= 5:
        raise DomainError("An item can have at most 5 receipts", field="receipt")
    return content_type


def _pounds(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def check_decision(
    item: ExpenseItem, choice: tuple[str, int | None, str] | None
) -> tuple[str, int, str | None]:
    """One item's decision, checked: (decision, pence to pay, reason). Approved is exactly the
    claimed amount (for mileage: what the miles were priced at), rejected is nothing, and
    part-approved is more than nothing and less than that: never more than was claimed."""
    if choice is None or choice[0] not in {d.value for d in ItemDecision}:
        raise DomainError(
            f"Choose a decision for every item ({item.description})", field=f"decision-{item.id}"
        )
    decision, amount, reason = choice
    reason = " ".join(reason.split())
    if len(reason) > 500:
        raise DomainError("A reason must be 500 characters or fewer", field=f"reason-{item.id}")
    if decision == ItemDecision.APPROVED.value:
        amount = item.claimed_pence
    elif decision == ItemDecision.REJECTED.value:
        amount = 0
    else:
        field = f"amount-{item.id}"
        if amount is None:
            raise DomainError(f"Enter the amount to pay for {item.description}", field=field)
        if amount <= 0:
            raise DomainError(
                f"The amount to pay for {item.description} must be more than £0.00: to pay "
                "nothing, reject the item",
                field=field,
            )
        if amount >= item.claimed_pence:
            claimed = "the mileage comes to" if item.is_mileage else "claimed"
            raise DomainError(
                f"The amount to pay for {item.description} must be less than the "
                f"{_pounds(item.claimed_pence)} {claimed}: to pay it all, approve it in full",
                field=field,
            )
    if decision != ItemDecision.APPROVED.value and not reason:
        raise DomainError(
            f"Give a reason for the decision on {item.description}", field=f"reason-{item.id}"
        )
    return decision, amount, reason or None
