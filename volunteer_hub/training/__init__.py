"""Training: a catalogue of courses, sessions and bookings, and each volunteer's completions.

Rules:
- A course has a provider (the volunteer centre or an organisation), a description, a length
  and how many months a completion stays valid (empty: it never expires, e.g. an induction).
  The provider's coordinators (or the centre) add courses and sessions.
- A role's task description can name courses its volunteers must hold (``RoleCourse``).
- A session has a date and start time, a place or an online link (at least one) and a capacity.
  A volunteer books a place while there is one and joins the waiting list when it is full; when
  a booked volunteer cancels, the first on the waiting list takes the place and is emailed. Nobody
  books twice, and nobody books a session that has started or been cancelled.
- The trainer (the session's creator, the provider's coordinators or the centre) marks attendance
  on or after the day; "attended" records a completion dated the session day whose expiry is the
  course's validity added to it. A completion done elsewhere is recorded by a coordinator of the
  volunteer's organisation (or the centre) with the evidence seen.
- A placement cannot be made while a course its role requires is missing, or expired on the
  start date (or today, if later), unless a coordinator has recorded an exception for that
  volunteer, role and course with a reason. A placement whose required training has expired, or
  expires within 60 days, is flagged on the placement and on the coordinators' expiries page.
- The volunteer sees their completions, bookings and what is due; coordinators see expiries in
  the next 60 days for volunteers placed in their organisations (the centre: everyone's).
- Who may change a course or a session is one rule each (``services.course_rule``,
  ``services.session_rule``), which every page applies through ``get_or_404``. The reads (who
  manages what, what a volunteer holds and needs, what expires) are in ``queries.py``; a session
  is bookable until the day before it (``TrainingSession.bookable_on``) and marked on or after
  the day (``markable_on``).
"""
