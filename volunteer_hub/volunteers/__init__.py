"""Volunteers: one record per person who volunteers.

Rules:
- A volunteer record may belong to a sign-in (an account) or stand alone, for people recorded by
  a coordinator or imported from another system, who have no sign-in yet.
- An email address, when known, is unique and stored lower-case; a record without one is matched
  by name only within the organisation's own import.
- The profile (contact details, date of birth, emergency contact, skills, interests,
  availability, languages, access needs) is the volunteer's own; coordinators of organisations
  they apply to see it on the application.
- Equality-monitoring answers are optional, each with "prefer not to say", kept in their own
  table (``volunteers.equality``), edited and deleted only by the volunteer, never shown on a
  staff screen about a person, and read otherwise only by reports, in aggregate and through
  disclosure control. An import-linter contract forbids recruitment-side code from importing it.
  The volunteer saves and deletes them through ``volunteers.monitoring``, kept apart from
  ``volunteers.services`` (which recruitment-side code imports).
"""
