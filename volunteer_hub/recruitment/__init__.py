"""Recruitment: finding opportunities, applying, and moving applicants to a placement.

Rules:
- ``/opportunities`` and ``/opportunities/<slug>`` are public. Only roles the volunteer centre has
  published appear, while their organisation's safeguarding and insurance checks are in date and
  before their closing date; a role page shows the latest approved version of the task
  description, so an edit waiting for approval never changes what applicants read.
- Search parameters are data: keyword matching uses bound parameters (PostgreSQL full-text
  search where available, a portable LIKE fallback on SQLite), and sort keys come from an
  allow-list.
- Applying: one open application per volunteer and role (a partial unique index backs the
  polite refusal); under-18s only where the role welcomes them and meets its minimum age.
- Stages: enquiry → applied → screening → interview → offered → placed; declined (with a reason
  from a list) and withdrawn (by the volunteer only) from any open stage. Every move is an
  ``ApplicationEvent`` with who and when. Coordinators act on their own organisation's
  applicants; the centre on everyone's. Placing is done by making a placement.
- Response deadline: 5 working days (``RESPONSE_WORKING_DAYS``; England and Wales bank holidays
  bundled, ``BANK_HOLIDAYS_FILE`` to replace them). Uncontacted applicants past it show as
  overdue to the centre, and ``flask reminders send`` emails the coordinators once.
- An application is closed once placed, declined or withdrawn (``Application.is_closed``); it is
  overdue while applied (or an enquiry), uncontacted and past its deadline
  (``Application.is_overdue(today)``). Pages ask the model; they keep no copy of these rules.
- References are requested by email through the outbox; the referee answers once through a
  signed link (30 days), without an account; a coordinator marks them satisfactory or not.
- DBS records keep only the permitted facts (no certificate copy, no conviction details); only
  the centre and the organisation's named safeguarding lead see them, and each view is audited.
- Equality-monitoring answers are never read here (an import-linter contract enforces it).
"""
