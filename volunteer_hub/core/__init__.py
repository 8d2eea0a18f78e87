"""Core: shared pieces with no domain logic.

Rules:
- Timestamps are timezone-aware UTC (:func:`volunteer_hub.core.models.utcnow`, passed as a
  callable); money is integer pence, durations integer minutes, rates ``Numeric``.
- Every table's constraints get stable names from :data:`NAMING_CONVENTION`, the same on SQLite and
  PostgreSQL.
- Services raise :class:`DomainError` with a message fit to show; they flush, never commit.
- Every change of state is exactly-once (:mod:`volunteer_hub.core.transitions`): a compare-and-set
  on the row's status (or a row lock where it is not a status flip) comes before any side effect,
  so of N identical or conflicting requests one acts and the others raise ``AlreadyDone`` ("already
  done", shown politely) with no second audit event or email.
- Redirect targets taken from a request go through
  :func:`volunteer_hub.core.redirects.local_target`.
- Every HTML response carries the security headers set in :mod:`volunteer_hub.core.security`;
  the Content-Security-Policy allows scripts only from this site or with the request's nonce.
- Public pages (home, health, accessibility statement, privacy notice, static files) are the only
  routes that answer an anonymous request; every other route must require a signed-in user.
- Hostile input is refused in one place each (:mod:`volunteer_hub.core.inputs`): control
  characters in query arguments, path segments and JSON bodies before any view (400/404); in
  form fields by :class:`volunteer_hub.core.forms.FlaskForm`, the base of every form (an error on
  the field); in raw ``request.form`` reads by ``form_text``/``form_ids``; in import cells by
  ``tabular.read_table`` (a line error). Ids are ASCII digits up to PostgreSQL's ``INTEGER``:
  ``to_id``/``arg_int`` in requests, the ``<int:...>`` converter in routes.
- Every CSV and XLSX the product writes goes through ``tabular.write_csv``/``write_xlsx``, which
  neutralise formulas; no other module uses ``csv.writer`` or openpyxl.
"""
