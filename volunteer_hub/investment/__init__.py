"""Investment: what an organisation spends on involving volunteers, per period and category.

Rules:
- Categories (their keys are used in imports, exports and the report JSON): coordinator_salary,
  other_staff, recruitment, training, expenses_reimbursed, dbs_insurance, recognition, equipment,
  overheads, other. Amounts are whole pence, never negative.
- An entry covers a period (start and end dates, both included). In a report, an entry wholly
  inside the report's period counts in full; one that partly overlaps counts in proportion to the
  days that overlap, rounded half-up to the penny.
- Reimbursed volunteer expenses will come from paid expense claims (a later issue) and must then
  not be entered again.
- Importing the same file twice adds nothing: rows identical to entries already held are skipped.
"""
