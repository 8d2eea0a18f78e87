"""Scheduling: shifts of a role, recurring patterns, sign-ups, waiting lists and attendance.

Rules:
- A shift belongs to a role (and through it to the role's organisation). It has a start and an
  end entered as Europe/London wall-clock times and stored as UTC instants (a time the clocks
  skip is refused; a time they repeat is the first of the two), a location, a capacity (1 to
  500), a minimum needed (fewer confirmed is a gap on the rota), who may sign up (``placed``:
  volunteers with a placement in the role covering the shift's day; ``anyone``: any volunteer),
  a cut-off in hours for volunteers' cancellations, a ``version`` and a cancelled flag. A shift
  lasts at most 24 hours. An imported shift keeps its ``ref``, unique, so a re-import skips it.
- A pattern repeats a shift weekly, fortnightly, or on the nth (or last) weekday of the month
  (RRULE semantics from python-dateutil), leaving out bank holidays in England and Wales when it
  says so; it is expanded into shifts for the next 91 days, each occurrence once.
- Signing up gives a place while the shift has one and otherwise the next place on the waiting
  list; capacity is never exceeded, also under parallel requests (the shift's row is locked
  first). Nobody holds places on two overlapping shifts, nobody signs up twice, and nobody signs
  up to a shift that has started or been cancelled.
- A volunteer cancels up to the shift's cut-off; the organisation's coordinators (and the centre)
  cancel anyone's place until the shift starts. A freed place goes to the first person waiting
  who has no overlapping shift, who is emailed through the outbox.
- Coordinators cancel a shift before it starts: its ``version`` goes up and everyone with a
  place or on the waiting list is emailed once (through the outbox).
- Coordinators assign a volunteer to a place (never beyond capacity; the overlap rule applies,
  the who-may-sign-up rule does not).
- Once a shift has started its coordinators mark each place attended or no-show. Attended makes
  exactly one approved hour record (the shift's length, the shift's UK day, the role's
  organisation), through the hours services, linked from the sign-up; changing attendance
  corrects it (no-show rejects the record "Corrected: …"; attended again makes an approved
  replacement naming the record it replaces), never a second approved record.
- Imports (``shifts import``, ``shifts import-signups``): all or nothing, every bad line named.
  Imported sign-ups are taken as given for any existing volunteer (no who-may-sign-up or overlap
  rule), but capacity holds: confirmed rows beyond it join the waiting list in file order;
  ``attended`` makes the approved hour record once, however often the file is imported.
- The day before: a place on a shift starting in the next 24 hours is reminded by email once
  per shift version (a changed shift is reminded again), by the hourly ``shift_reminders`` job.
- No-shows are shown to coordinators only, never to other volunteers.
- Who may change a shift or a sign-up is one rule each (``services.shift_rule``,
  ``services.signup_rule``), applied through ``get_or_404``.
- The day-before reminder is not sent to someone who turned "Your shifts, the day before" off
  on their reminder settings page (asked through ``core.preferences``; not recorded as sent, so
  turning it back on before the shift sends it).
- Moving a shift (``moves.py``): coordinators change a future shift's day, times or place; a
  compare-and-set on ``version`` moves it once and bumps it; everyone with a place or waiting is
  emailed once (old and new). Anyone whose other shift now overlaps keeps their place, is told,
  and is flagged on the roster until one of the two is cancelled.
- The month rota (``months.py``) lists an organisation's shifts, or one role's, day by day in
  UK days, with the shifts below their minimum listed first as gaps.
- Calendar feeds (``feeds.py``): each person's private iCalendar link holds a secret of which
  only a SHA-256 hash is stored; resetting it revokes the old link (404). A volunteer's feed has
  their own places, training bookings, next supervision meetings and placement start days; a
  coordinator's has their organisations' shifts with counts, never names. UIDs are stable,
  SEQUENCE is the shift's version, an organisation's cancellation stays as STATUS:CANCELLED,
  and a place given up leaves the feed.
"""
