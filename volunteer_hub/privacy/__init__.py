"""Data protection: consent, subject access, erasure that keeps the figures, retention.

Rules:
- Everything that rests on consent has a consent record (what, which wording's version, when,
  how): the privacy notice at sign-up, equality monitoring, being contacted about other
  opportunities, sharing a profile with organisations applied to, photos, a time bank's terms.
  The volunteer's privacy page lists them; withdrawing takes one click and stops the use at once:
  equality answers are deleted, contact emails stop, the profile is no longer shown to
  organisations beyond what an application needs, time-bank membership is suspended.
- When the privacy notice changes (``PRIVACY_NOTICE_VERSION``), each signed-in person is shown the
  new version once, and that they saw it is recorded.
- Subject access: a volunteer downloads everything held about them (JSON, and a readable page);
  an administrator logs a formal request, sees the one-calendar-month deadline, generates the full
  export (confidential supervision notes included, to review before release) and records when it
  was sent. Every step is audited. ``export.COVERED`` / ``export.EXCLUDED`` account for every
  table that refers to a person (checked by a test that walks the database metadata).
- Erasure (``erasure.py``) replaces the person's identifying data with placeholders and keeps an
  anonymous stub, so every reported figure stays the same; records under a legal hold are kept
  until the hold ends and listed in the reply. Free text (``redaction.py``): every text column of
  the rows that are theirs alone, found by walking the database metadata, is emptied (codes
  kept); in rows shared with others, held rows and audit entries their full name (and its
  variants), email and phone number in any format are redacted, and distinctive parts of their
  name (3 letters or more, never common words such as "will" or "van") beside them; elsewhere
  their full name is redacted from free text, but another person's profile and the name of an
  organisation or role are never changed.
- Retention (``retention.py``): a schedule with a setting per kind, applied by
  `flask retention purge [--dry-run]`, safe to re-run.
"""
