"""HMRC mileage: tax years, pricing an item across the 10,000-mile band, tax-free amounts.

Pure arithmetic on whole tenths of a mile and Decimal pence; the only database read is the
dated rate table (:func:`hmrc_rates`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

#: The car band: 10,000 miles in tenths.
BAND_TENTHS = 100_000
#: Statutory HMRC approved mileage allowance rates, pence a mile (used when the rate table has
#: none in force).
STATUTORY = {
    "hmrc_mileage_car_first_10000": Decimal(45),
    "hmrc_mileage_car_after_10000": Decimal(25),
    "hmrc_mileage_motorcycle": Decimal(24),
    "hmrc_mileage_bicycle": Decimal(20),
    "hmrc_mileage_passenger": Decimal(5),
}


@dataclass(frozen=True)
class HmrcRates:
    """Pence a mile."""

    car_first: Decimal = STATUTORY["hmrc_mileage_car_first_10000"]
    car_after: Decimal = STATUTORY["hmrc_mileage_car_after_10000"]
    motorcycle: Decimal = STATUTORY["hmrc_mileage_motorcycle"]
    bicycle: Decimal = STATUTORY["hmrc_mileage_bicycle"]
    passenger: Decimal = STATUTORY["hmrc_mileage_passenger"]


def tax_year_of(day: date) -> int:
    """The tax year (by its first calendar year) containing ``day``: 5 April 2025 → 2024."""
    return day.year if day >= date(day.year, 4, 6) else day.year - 1


def tax_year_bounds(year: int) -> tuple[date, date]:
    return date(year, 4, 6), date(year + 1, 4, 5)


def tax_year_label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def pence(tenths: int | Decimal, rate: Decimal) -> Decimal:
    """Exact pence for ``tenths`` of a mile at ``rate`` pence a mile (not yet rounded)."""
    return Decimal(tenths) * rate / 10


def to_pence(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def hmrc_rates(year: int) -> HmrcRates:
    """The rates in force on the first day of tax year ``year``: the rate table's (in pounds a
    mile) where it holds them, otherwise the statutory ones."""
    from volunteer_hub.rates.services import rate_in_force

    found: dict[str, Decimal] = {}
    for family, default in STATUTORY.items():
        rate = rate_in_force(family, date(year, 4, 6))
        found[family] = rate.amount * 100 if rate is not None else default
    return HmrcRates(
        car_first=found["hmrc_mileage_car_first_10000"],
        car_after=found["hmrc_mileage_car_after_10000"],
        motorcycle=found["hmrc_mileage_motorcycle"],
        bicycle=found["hmrc_mileage_bicycle"],
        passenger=found["hmrc_mileage_passenger"],
    )


def car_hmrc_pence(tenths: int, prior_tenths: int, rates: HmrcRates) -> Decimal:
    """Car miles after ``prior_tenths`` already driven in the tax year: the part up to the
    10,000th mile at the first rate, the rest at the second."""
    in_band = max(0, min(tenths, BAND_TENTHS - prior_tenths))
    return pence(in_band, rates.car_first) + pence(tenths - in_band, rates.car_after)


def price_item(
    *,
    item_type: str,
    tenths: int,
    passengers: int,
    mileage_policy: str,
    fixed_pence_per_mile: int | None,
    prior_car_tenths: int,
    rates: HmrcRates,
) -> int:
    """What a mileage item pays, in whole pence (rounded half-up once)."""
    if item_type == "passenger_mileage":
        return to_pence(pence(tenths * max(passengers, 1), rates.passenger))
    if mileage_policy == "fixed" and fixed_pence_per_mile is not None:
        return to_pence(pence(tenths, Decimal(fixed_pence_per_mile)))
    if item_type == "car_mileage":
        return to_pence(car_hmrc_pence(tenths, prior_car_tenths, rates))
    if item_type == "motorcycle_mileage":
        return to_pence(pence(tenths, rates.motorcycle))
    if item_type == "bicycle_mileage":
        return to_pence(pence(tenths, rates.bicycle))
    raise ValueError(f"{item_type} is not a mileage type")


def tax_free_pence(
    *,
    car_tenths: int,
    motorcycle_tenths: int,
    bicycle_tenths: int,
    passenger_tenths: int,
    rates: HmrcRates,
) -> int:
    """The most a volunteer can be paid for a tax year's mileage without tax (``passenger_tenths``
    is miles × passengers)."""
    exact = (
        car_hmrc_pence(car_tenths, 0, rates)
        + pence(motorcycle_tenths, rates.motorcycle)
        + pence(bicycle_tenths, rates.bicycle)
        + pence(passenger_tenths, rates.passenger)
    )
    return to_pence(exact)
