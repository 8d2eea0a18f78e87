"""Supervision: recorded support meetings between a volunteer and their named supervisor.

Rules:
- A placement's supervision schedule follows its agreed task description ("every N weeks"): the
  next meeting is due N weeks after the last one (or after the start), shown on the placement.
- A record: date, supervisor, format (one-to-one, group, phone or video), a wellbeing check
  (1 to 5), what went well, concerns, agreed actions (owner, due date, done or not), the next
  meeting's date, and confidential notes.
- Who sees what: the supervisor and the organisation's coordinators see the whole record; the
  volunteer sees it without the confidential notes, may add their own comment and mark their own
  actions done; the centre sees only that supervision happened and whether it is overdue, never
  the content. Every view of a record by someone other than the volunteer is audited.
- The reads (who supervises a placement, when meetings are due, what is overdue) are in
  ``queries.py``; reminders and the staff dashboard read them there.
"""
