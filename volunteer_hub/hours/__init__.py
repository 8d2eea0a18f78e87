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
- Group sessions (``group.py``): a coordinator of the organisation (or the centre) records one
  session (an event, a group shift) for many volunteers in one form. Only volunteers with a
  placement with that organisation on the date can be chosen; each record follows the logging
  rules (not in the future, 15-minute steps, at most 24 hours a day across every organisation).
  All or nothing: if any chosen volunteer breaks a rule nothing is recorded and the error names
  each of them. The records are approved at once by the coordinator (audited), except the
  coordinator's own, which waits for someone else (or the automatic approval below).
- Automatic approval: an organisation may choose (``auto_approve_coordinator_hours``, on its
  profile) that hours its own coordinators log for their own placements there are approved as
  they are logged: decided by nobody, with the reason "Approved automatically (organisation
  setting)", audited as ``hours.auto_approved``. Everyone else's hours still wait for approval.
- Corrections: approved hours are never edited. An approver (the placement's supervisor, the
  organisation's coordinators or the centre) corrects them from the approval page: the record is
  rejected with "Corrected: <reason>" (a reason is required) and an approved replacement made
  with the right time, in 15-minute steps. Nobody corrects their own hours; only approved
  records are corrected.
- Milestones (``milestones.py``): 50, 100, 250, 500 and 1,000 approved hours, counting every
  approved record of the volunteer (all organisations, employer time included). A milestone is
  reached on the date of the record that took the total to it (records in order of date, then
  entry). The volunteer alone downloads a PDF certificate for each milestone they have reached.
- Employer-supported volunteering done in paid time (``employer_time``) is counted and reported
  separately, never in the value of volunteering.
- The occupation (SOC) code that values a record is copied from its role (or the import row) when
  the record is made, so later changes to a role do not rewrite past reports.
- An import with any bad row imports nothing and lists every bad row by line number. A row whose
  ``ref`` was imported before is skipped, so running the same import again is safe.
- Pages load a volunteer's own placement, or an organisation the coordinator records for, in one
  place each; the reads they show (the queue, recent decisions, a week's hours) are in
  ``queries.py``, and a week is logged all or nothing by ``logging.log_week``.
"""
