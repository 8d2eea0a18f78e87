"""Investment: what an organisation spends on involving volunteers, per period and category.

Rules:
- Categories (their keys are used in imports, exports and the report JSON): coordinator_salary,
  other_staff, recruitment, training, expenses_reimbursed, dbs_insurance, recognition, equipment,
  overheads, other. Amounts are whole pence, never negative.
- An entry covers a period (start and end dates, both included). In a report, an entry wholly
  inside the report's period counts in full; one that partly overlaps counts in proportion to the
  days that overlap, rounded half-up to the penny.
- Reimbursed volunteer expenses come from paid expense claims (counted by each item's date); an
  ``expenses_reimbursed`` entry for an organisation and period that has paid claims is refused
  (reports registers the expenses domain's check with :func:`services.register_entry_check`).
- Importing the same file twice adds nothing: rows identical to entries already held are skipped.
- An entry made on the page is audited (``services.enter_investment``).
"""
