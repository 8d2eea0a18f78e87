"""Value reports made from invented records, without a database: the same JSON shape and
rounding as ``build_value_report`` for the figures disclosure control touches, computed here
independently (distinct people per row, sums of seconds, half-up rounding)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

RATE = Decimal("17.96")
BANDS = ("weekly_or_more", "monthly_or_more", "less_often")


@dataclass(frozen=True)
class Record:
    volunteer: int
    organisation: str
    role: str
    month: str
    seconds: int


def _two_dp(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _hours(seconds: int) -> str:
    return _two_dp(Decimal(seconds) / 3600)


def _value(seconds: int) -> str:
    return _two_dp(Decimal(seconds) / 3600 * RATE)


def report_from(records: Iterable[Record], *, new_volunteers: int = 0) -> dict[str, Any]:
    records = list(records)
    seconds: dict[tuple[str, ...], int] = defaultdict(int)
    people: dict[tuple[str, ...], set[int]] = defaultdict(set)
    months_of: dict[int, set[str]] = defaultdict(set)
    volunteer_seconds: dict[int, int] = defaultdict(int)
    for r in records:
        for key in (("org", r.organisation), ("role", r.organisation, r.role), ("month", r.month)):
            seconds[key] += r.seconds
            people[key].add(r.volunteer)
        months_of[r.volunteer].add(r.month)
        volunteer_seconds[r.volunteer] += r.seconds
    total = sum(r.seconds for r in records)
    bands: dict[str, list[int]] = {band: [0, 0] for band in BANDS}
    for volunteer, months in months_of.items():
        band = BANDS[0] if len(months) >= 3 else BANDS[1] if len(months) == 2 else BANDS[2]
        bands[band][0] += 1
        bands[band][1] += volunteer_seconds[volunteer]
    keys = sorted(seconds)
    return {
        "period": {"start": "2025-04-01", "end": "2026-03-31"},
        "organisation": None,
        "total_hours": _hours(total),
        "active_volunteers": len(months_of),
        "new_volunteers": min(new_volunteers, len(months_of)),
        "value": {
            "generalist": {"amount": _value(total), "rate": str(RATE)},
            "floor": {"amount": _two_dp(Decimal(total) / 3600 * Decimal("12.21"))},
            "specialist": {"amount": _value(total), "coverage": "0.0" if total else None},
        },
        "method": {"oncost": "0"},
        "by_organisation": [
            {
                "name": k[1],
                "hours": _hours(seconds[k]),
                "active_volunteers": len(people[k]),
                "value_generalist": _value(seconds[k]),
            }
            for k in keys
            if k[0] == "org"
        ],
        "by_role": [
            {
                "organisation": k[1],
                "role": k[2],
                "hours": _hours(seconds[k]),
                "active_volunteers": len(people[k]),
                "value_generalist": _value(seconds[k]),
            }
            for k in keys
            if k[0] == "role"
        ],
        "by_month": [
            {"month": k[1], "hours": _hours(seconds[k]), "active_volunteers": len(people[k])}
            for k in keys
            if k[0] == "month"
        ],
        "by_frequency": [
            {"band": band, "volunteers": n, "hours": _hours(s)} for band, (n, s) in bands.items()
        ],
        "caveat": "Invented figures.",
    }


def people(organisation: str, role: str, count: int, hours: float, month: str, first: int):
    """``count`` volunteers (numbered from ``first``) with ``hours`` each."""
    return [Record(first + n, organisation, role, month, int(hours * 3600)) for n in range(count)]
