"""Reports: volunteer output and the value of volunteering, for partners.

Rules (the calculation is specified in shared/docs/value-of-volunteering.md):
- Only approved hour records count. Employer-supported hours in paid time are reported on their
  own (``employer_time_hours``) and are in no other figure: not in hours, volunteers or value.
- Each money figure is printed with its method, rate, source and reference date (the rate key
  only in the JSON and CSV; never on a page, PDF or sheet); the
  rates used are those in force on the last day of the period.
- Value is a range ``[floor, generalist]``, never one bare number; specialist value uses
  occupation rates where loaded and the generalist rate otherwise, with its coverage.
- Money is Decimal throughout, rounded half-up to the penny only for output; ratios to two
  decimals, or not available (null) when investment is zero.
- Retention compares the period with the equal-length period (same number of days) just before.
- New volunteers are those whose first ever approved record (in scope: the organisation, when the
  report is for one) falls in the period.
- Counts of people shown to partners pass through disclosure control; no partner output has a
  row about one person. Every partner output (API, ``--published``, pages, files) is the one
  published object of ``disclosure.publish``, audited before release so that no hidden figure can
  be worked out from the published ones; a report that fails the audit is not released.
- Reports only read other domains, through their ``queries`` (and the equality answers only
  through ``volunteers.equality``, in aggregate); nothing imports them but the API.
- One path for every output: queries (other domains' ``queries``) → figures (``figures.py``,
  typed, exact: ``value.compute_value``) → disclosure (``disclosure.py``: a typed ``Disclosure``
  of what is hidden, decided and audited) → rendering (``published.py``: the figures as shown,
  rounded and with hidden figures as ``[c]``; the JSON) → the other outputs, which format the
  same shown figures (``exports.py`` CSV and PDF, ``sheets.py`` XLSX, ``charts.py``, pages).
- PDFs asked for on the web are built by the ``report_files`` job (``files.py``,
  ``file_views.py``): the request checks the choice and permission and records a report file, one
  per person, format, choice, day and approved hours (a unique key: a double click makes one);
  the job builds it as that person through the download's own path and disclosure audit (refused
  with the reason when it may not be released), under a random name in ``REPORT_FILE_FOLDER``.
  Only that person sees its page or downloads it (others: 404); files go after
  ``REPORT_FILE_HOURS`` (``report_files_cleanup``). CSV, XLSX, JSON, the API and the commands
  stay direct.
"""
