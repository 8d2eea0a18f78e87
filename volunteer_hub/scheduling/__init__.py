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
- Interview slots (``interviews.py``): the role's organisation's coordinators (and the centre)
  publish slots for a role (a Europe/London start stored as UTC, 5 to 480 minutes, a place or an
  https video link; up to 20 at once, one after another with a gap). A role's slots never
  overlap, so the same slots sent twice are added once. Only they see who booked which slot.
- An applicant whose application for the role is at the interview stage books one free,
  upcoming slot, moves to another or cancels; one booking per application and one applicant
  per slot (the application's row lock, then the slot's; partial unique indexes behind them).
  A booking holds its slot only while its application is at the interview stage: one that has
  moved on (offered, declined, withdrawn, placed) frees it at once, and the hourly
  ``interview_slots_release`` job records it and tells both sides.
- Every booking, move and cancellation (by either side, or the coordinators cancelling the
  slot) emails the applicant and the role's coordinators (or the organisation's contact) an
  ``.ics``: METHOD:REQUEST, or METHOD:CANCEL; the booking's UID is stable, its SEQUENCE goes up
  on every move and cancellation. The applicant's copy names nobody else.
- Who may change a shift or a sign-up is one rule each (``services.shift_rule``,
  ``services.signup_rule``), applied through ``get_or_404``.
- QR check-in (``checkin.py``): the shift's coordinators open a kiosk page showing a QR code of
  a signed code for the shift and the current minute (accepted in that minute and the next; the
  page shows a new one every 30 seconds). A signed-in volunteer with a confirmed place scans it
  and checks in from 30 minutes before the start until the end, then checks out (after the
  start). Check-in marks the place attended and makes its one hour record, waiting for approval
  unless the organisation approves check-in hours automatically (``auto_approve_check_ins``).
  Time attended runs from the later of the start and the check-in to the earlier of the end and
  the check-out, to the nearest minute (at least one). Checking out early amends a waiting
  record or corrects an automatically approved one; a coordinator's decision stands. A
  coordinator marking the place attended approves that same record; no-show rejects it. A bad,
  expired or other shift's code, a scan outside the window or without a place changes nothing.
- A new shift takes its organisation's cancellation cut-off (``shift_cutoff_hours``, 0 to 336,
  on the organisation's profile page); shifts keep their own afterwards.
- No-show counts per volunteer (at the organisations the viewer coordinates) are on the roster
  and on the volunteer's shift record page, for coordinators and the centre only.
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
