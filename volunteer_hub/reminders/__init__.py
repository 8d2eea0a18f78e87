"""Reminders: one command queues every reminder that is due, through the outbox.

Rules:
- `flask --app wsgi reminders send` is idempotent: a reminder already queued for the same item
  and the same due state is not queued again (a unique key per kind, item and state), so running
  it every hour is safe. Its last line is ``reminders queued: N``.
- Kinds so far: hours awaiting approval more than 14 days (to the placement's supervisor),
  supervision due within 7 days or overdue (to the supervisor and the volunteer), agreed actions
  past their due date (to their owner), applications past their response deadline (to the
  organisation's coordinators), training expiring within 30 days or expired and not renewed,
  for volunteers with an active placement (to the volunteer and their organisations'
  coordinators), and an organisation's lapsed checks (to its coordinators, once per lapse).
- It is the only command that sends scheduled reminders, so each goes once under one key:
  ``flask recruitment remind`` (documented earlier) runs it and says so.
- Each person chooses email reminders on or off for each kind on their reminder settings page;
  a kind turned off is not queued (nor recorded as sent, so turning it back on resumes it).
- Each person's choices, and whether an address wants a kind, are read through ``queries.py``.
- ``shift_reminder`` (a shift the day before) is offered here but sent by scheduling's hourly
  job, which sits below this domain and asks through ``core.preferences`` (registered by
  ``queries.py``).
"""
