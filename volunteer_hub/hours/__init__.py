"""Hours: records of time volunteers give.

Rules:
- An hour record is one volunteer's time for one organisation (and optionally one role) on one
  date. Durations are stored in whole seconds so that imported decimal hours (two decimal places,
  e.g. 2.33) are exact; logging screens use 15-minute steps.
- Status is ``submitted``, ``approved`` or ``rejected``; only approved records count in reports.
  Nobody approves their own hours. Imported records arrive approved. Logged hours are decided by
  the placement's supervisor, the organisation's coordinators or the centre (``logging.py``).
- Logging (``logging.py``): against the volunteer's own placement, within its dates, never in the
  future, in 15-minute steps, at most 24 hours in a day across every organisation; the same
  placement, date and duration again only when the volunteer confirms a second session.
- Employer-supported volunteering done in paid time (``employer_time``) is counted and reported
  separately, never in the value of volunteering.
- The occupation (SOC) code that values a record is copied from its role (or the import row) when
  the record is made, so later changes to a role do not rewrite past reports.
- An import with any bad row imports nothing and lists every bad row by line number. A row whose
  ``ref`` was imported before is skipped, so running the same import again is safe.
"""
