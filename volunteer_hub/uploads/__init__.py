"""Uploads: coordinators import hours, expenses and time-bank files (CSV or XLSX) from the
browser; a background job checks and imports each file while the page shows its progress.

Rules:
- Who may upload (the web rule; the ``flask … import`` commands stay operator-only): hours for
  an organisation, by the people who approve its hours (its coordinators, centre coordinators
  and administrators); expenses for an organisation, by the people who approve its claims (its
  coordinators and the supervisors given that permission); exchanges for a time bank, by that
  time bank's own coordinators. Every row of an hours or expenses file must name the
  organisation the file was uploaded for; rows naming another are refused by line. Nothing is
  created that the file names but the hub does not know (the commands' ``--create-missing`` is
  off), so an upload never makes volunteers, organisations, roles or members.
- An upload is seen only by the person who made it, and by administrators.
- A file is at most ``IMPORT_UPLOAD_MAX_BYTES`` (8 MB by default); a larger one, a file that is
  not .csv or .xlsx, or one with NUL bytes is refused by the form with nothing stored. The file
  is kept in the instance folder (``instance/uploads``, never under ``static``) under a random
  name, and deleted once the import is done or refused.
- The import is the commands' own call (``import_hours``, ``import_expenses``,
  ``import_exchanges``) and is all or nothing: the rows and the upload's final state ("done" with
  its counts, or "failed" with every bad line exactly as the command prints them) are committed
  in one transaction. An upload moves uploaded → checking → (importing →) done or failed; the
  job claims it with a compare-and-set, so two workers, or the job run twice, import it once. An
  upload left "checking" or "importing" by a worker that died is claimed again after
  ``STALE_MINUTES``: its transaction was never committed, so nothing of it is in the hub.
- Progress (rows checked, rows imported) is written by the job in a transaction of its own as the
  import reports it; on SQLite, whose one writer is the import itself, only the rows checked are
  shown until the end. The page refreshes itself (a ``Refresh`` header, no script needed) and,
  with JavaScript, polls the upload's JSON status instead.
"""
