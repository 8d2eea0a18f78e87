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
- Privacy is an orchestrator: each domain's ``privacy.py`` registers hooks in
  ``core.privacy_hooks`` (its export section, its erasure step, its activity dates, its retention
  steps) and does everything to its own tables; ``export``, ``erasure`` and ``retention`` walk the
  hooks in order and read only who the person is (``people.py``: the sign-in and volunteer
  record). Nothing imports ``privacy`` but the app factory and the CLI (import-linter).
  Positions (ascending): export — accounts 10 (profile.account), 20 (consents, emails),
  reminders 30, accounts 40 (audit, sign-in history), privacy 50 (requests), time bank 60,
  volunteers 70 (profile.volunteer, equality answers), recruitment 80, placements 90, hours 100,
  supervision 110, training 120, scheduling 125, expenses 130 (claims, bank details), messaging
  145 (bulk messages received), privacy 1000 (requests of
  someone with no sign-in); identify — volunteers 10, accounts 20, time bank 30; erase —
  volunteers 10, recruitment 30, hours 40, training 50, scheduling 52, privacy 55, messaging
  56 (bulk messages) (one "free text emptied"
  line), supervision 60, expenses 70, accounts 80, reminders 81, reports 82, api 83, time bank 90,
  accounts 100 (outbox). A new personal field is handled in its own domain's ``privacy.py``; the
  metadata walk (``redaction``) and the tests that walk the metadata catch what was missed.
- Erasure (``erasure.py``) replaces the person's identifying data with placeholders and keeps an
  anonymous stub, so every reported figure stays the same; records under a legal hold are kept
  until the hold ends and listed in the reply. Free text (``redaction/``): every text column of
  the rows that are theirs alone, found by walking the database metadata, is emptied (codes
  kept); in rows shared with others, held rows and audit entries their full name (and its
  variants), email and phone number in any format are redacted, and distinctive parts of their
  name (3 letters or more, never common words such as "will" or "van") beside them; elsewhere
  their full name is redacted from free text, but another person's profile and the name of an
  organisation or role are never changed.
- Retention: a schedule with a setting per kind (``schedule.py``), applied by
  `flask retention purge [--dry-run]` (``retention.py``, each kind a domain's step), safe to
  re-run.
"""
