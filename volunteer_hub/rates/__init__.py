"""Rates: the dated, versioned table of reference rates (wage rates for valuing volunteer time,
and later HMRC mileage rates).

Rules:
- Rates are data, never constants in code. Each has a key, an amount (Decimal), currency, unit,
  basis, geography, reference date, source, and the dates it is in force (``effective_to`` empty
  means still in force). Occupation (specialist) rates carry a UK SOC 2020 code.
- A rate *family* is its key without a trailing ``_YYYY`` (``uk_median_hourly_2025`` is in the
  ``uk_median_hourly`` family). A report uses, from the family it needs, the rate in force on the
  last day of its period; the latest ``effective_from`` wins.
- Rates are never edited: a new rate supersedes an old one by closing its ``effective_to`` the day
  before the new one starts. The shipped defaults are loaded by the first migration.
- A rate is in force on a day from its ``effective_from`` to its ``effective_to`` (if any), both
  included (``Rate.in_force``). Adding a rate from the page is audited (``services.add_rate_by``).
"""
