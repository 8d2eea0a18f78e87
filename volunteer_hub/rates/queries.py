"""Read-side queries on rates (for reports): the rate in force for a period, and occupation
rates by SOC code."""

from __future__ import annotations

from volunteer_hub.rates.models import Rate
from volunteer_hub.rates.services import (
    occupation_rate_for,
    occupation_rates_in_force,
    rate_for_period_end,
    rate_in_force,
)

__all__ = [
    "Rate",
    "occupation_rate_for",
    "occupation_rates_in_force",
    "rate_for_period_end",
    "rate_in_force",
]
