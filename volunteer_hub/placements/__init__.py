"""Placements: one volunteer in one role at one organisation, from a start date.

Rules:
- A placement is made from an offered application, with a start date and a named supervisor;
  the application moves to ``placed`` in the same transaction.
- It records the version of the task description (support, supervision and expenses policy
  included) that the volunteer agrees to; the volunteer agrees from their own placement page and
  the time of agreement is kept.
- A placement ends with an end date and a reason; it is never deleted.
- The volunteer and the supervisor are emailed (through the outbox) when it is made.
"""
