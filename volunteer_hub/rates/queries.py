"""Read-side queries on rates (for reports and the rates page): the rate in force for a period,
occupation rates by SOC code, and every rate."""

from __future__ import annotations

from sqlalchemy import select

from volunteer_hub.extensions import db
from volunteer_hub.rates.models import Rate
from volunteer_hub.rates.services import (
    occupation_rate_for,
    occupation_rates_in_force,
    rate_for_period_end,
    rate_in_force,
)

__all__ = [
    "Rate",
    "all_rates",
    "occupation_rate_for",
    "occupation_rates_in_force",
    "rate_for_period_end",
    "rate_in_force",
]


def all_rates() -> list[Rate]:
    """Every rate: general rates first, then occupation rates, each by key."""
    return list(db.session.scalars(select(Rate).order_by(Rate.soc_code.is_not(None), Rate.key)))
