"""Volunteers: one record per person who volunteers.

Rules:
- A volunteer record may belong to a sign-in (an account) or stand alone, for people recorded by
  a coordinator or imported from another system, who have no sign-in yet.
- An email address, when known, is unique and stored lower-case; a record without one is matched
  by name only within the organisation's own import.
- Equality-monitoring answers (a later issue) are kept apart from this record and read only by the
  volunteer and, in aggregate, by reports.
"""
