"""The time bank's input rules as pure functions (no database): hours, balance limits, an
exchange's fields. Each raises DomainError naming the field to fix; services call them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.geo import outward_code
from volunteer_hub.timebank.models import CATEGORIES, Account, TimeBank

MAX_MINUTES = 24 * 60


def clean(value: Any, limit: int) -> str:
    """One line of text with runs of spaces made one, cut to one past ``limit`` (so a check
    for ``len(text) > limit`` still sees that it was too long)."""
    text = " ".join(str(value or "").split())
    return text[: limit + 1]


def hours_to_minutes(value: Any, *, field: str = "hours") -> int:
    """ "1.5" → 90; hours must be a positive multiple of 0.25, at most 24."""
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError("Enter the hours as a number, like 1.5", field=field) from None
    if not hours.is_finite() or hours <= 0 or hours > 24 or (hours * 4) % 1 != 0:
        raise DomainError(
            "Enter hours in steps of a quarter of an hour (0.25), from 0.25 to 24", field=field
        )
    return int(hours * 60)


def set_limits(timebank: TimeBank, min_hours: str, max_hours: str) -> None:
    """The minimum (0 or negative) and optional maximum balance, from hours as typed."""
    try:
        minimum = Decimal(str(min_hours or "0").strip())
        maximum = Decimal(str(max_hours).strip()) if str(max_hours or "").strip() else None
    except InvalidOperation:
        raise DomainError(
            "Enter the limits as numbers of hours, like -10", field="min_hours"
        ) from None
    if not minimum.is_finite() or minimum > 0 or minimum < -1000 or (minimum * 4) % 1:
        raise DomainError(
            "The minimum balance is 0 or a negative number of hours in quarter hours, down to "
            "-1000",
            field="min_hours",
        )
    if maximum is not None and (
        not maximum.is_finite() or maximum <= 0 or maximum > 10000 or (maximum * 4) % 1
    ):
        raise DomainError(
            "The maximum balance is a positive number of hours, or empty for none",
            field="max_hours",
        )
    timebank.min_balance_minutes = int(minimum * 60)
    timebank.max_balance_minutes = int(maximum * 60) if maximum is not None else None


def check_exchange(
    giver: Account,
    receiver: Account,
    timebank: TimeBank,
    done_on: date | None,
    minutes: int,
    description: str,
    today: date,
) -> str:
    """Every rule an exchange must meet, whoever records it; returns the cleaned description."""
    if giver.id == receiver.id:
        raise DomainError("The giver and the receiver must be different members", field="member")
    for account in (giver, receiver):
        if account.timebank_id != timebank.id or account.kind == "pot":
            raise DomainError("Choose a member of this time bank", field="member")
        if account.status != "approved":
            raise DomainError(
                f"{account.name} is {account.status}: only approved members exchange",
                field="member",
            )
    if done_on is None or done_on > today:
        raise DomainError(
            "Enter the date the help was given; it cannot be in the future", field="done_on"
        )
    if done_on < today - timedelta(days=366):
        raise DomainError("The date is more than a year ago: ask the coordinator", field="done_on")
    description = clean(description, 500)
    if not description or len(description) > 500:
        raise DomainError("Say what was done (up to 500 characters)", field="description")
    if not 0 < minutes <= MAX_MINUTES or minutes % 15:
        raise DomainError("Enter hours in steps of 0.25, up to 24", field="hours")
    return description


def valid_key(key: str) -> str:
    if not key or len(key) > 80:
        raise DomainError("The form has expired: reload the page and try again")
    return key


def pot_minutes(minutes: int) -> int:
    """Hours moved to or from the community pot: quarter hours, up to 100 hours."""
    if not 0 < minutes <= 100 * 60 or minutes % 15:
        raise DomainError("Enter hours in steps of 0.25", field="hours")
    return minutes


def check_member(kind: str, name: str, email: str) -> tuple[str, str]:
    """A member a coordinator records: a person or an organisation, a name, an optional email.
    Returns the cleaned name and email (lower case, or empty)."""
    if kind not in ("person", "organisation"):
        raise DomainError("Choose a person or an organisation", field="kind")
    name = clean(name, 200)
    if not name or len(name) > 200:
        raise DomainError("Enter the member's name", field="name")
    email = email.strip().lower() or ""
    if email and ("@" not in email or len(email) > 254):
        raise DomainError("Enter a real email address, or leave it empty", field="email")
    return name, email


def check_listing(values: dict[str, Any], *, default_area: str | None) -> dict[str, Any]:
    """An offer or request as posted: its kind, category, title, description, postcode district
    (the member's own when empty; never an address) and availability, cleaned."""
    kind = values.get("kind")
    if kind not in ("offer", "request"):
        raise DomainError("Choose an offer or a request", field="kind")
    if values.get("category") not in CATEGORIES:
        raise DomainError("Choose a category", field="category")
    title = clean(values.get("title"), 120)
    if not title or len(title) > 120:
        raise DomainError("Enter a short title (up to 120 characters)", field="title")
    description = str(values.get("description") or "").strip()
    if len(description) > 2000:
        raise DomainError("Keep the description to 2,000 characters", field="description")
    area_text = str(values.get("area") or "")
    area = outward_code(area_text) if area_text else default_area
    if area_text and area is None:
        raise DomainError("Enter a postcode district like SE15, never an address", field="area")
    availability = clean(values.get("availability"), 200)
    if len(availability) > 200:
        raise DomainError("Keep availability to 200 characters", field="availability")
    return {
        "kind": kind,
        "category": values["category"],
        "title": title,
        "description": description or None,
        "area": area,
        "availability": availability or None,
    }
