"""Recruitment: finding opportunities, applying, and moving applicants to a placement.

Rules:
- ``/opportunities`` and ``/opportunities/<slug>`` are public. Only roles the volunteer centre has
  published appear, while their organisation's safeguarding and insurance checks are in date and
  before their closing date; a role page shows the latest approved version of the task
  description, so an edit waiting for approval never changes what applicants read.
- Search parameters are data: keyword matching uses bound parameters (PostgreSQL full-text
  search where available, a portable LIKE fallback on SQLite), and sort keys come from an
  allow-list.
- Equality-monitoring answers are never read here (an import-linter contract enforces it).
"""
