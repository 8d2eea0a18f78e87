"""Hours: records of time volunteers give.

Rules:
- An hour record is one volunteer's time for one organisation (and optionally one role) on one
  date. Durations are stored in whole seconds so that imported decimal hours (two decimal places,
  e.g. 2.33) are exact; logging screens use 15-minute steps.
- Status is ``submitted``, ``approved`` or ``rejected``; only approved records count in reports.
  Nobody approves their own hours. Imported records arrive approved.
- Employer-supported volunteering done in paid time (``employer_time``) is counted and reported
  separately, never in the value of volunteering.
- The occupation (SOC) code that values a record is copied from its role (or the import row) when
  the record is made, so later changes to a role do not rewrite past reports.
- An import with any bad row imports nothing and lists every bad row by line number. A row whose
  ``ref`` was imported before is skipped, so running the same import again is safe.
"""
