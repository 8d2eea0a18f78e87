"""Expenses: volunteers' out-of-pocket claims, receipts, HMRC mileage and payment batches.

Rules (shared/docs/value-of-volunteering.md, "Expenses"; issue 8):
- Money is always whole pence (integers). Mileage is kept in whole **tenths of a mile**
  (``miles_tenths``: 12.5 miles is 125), so sums are exact on every database.
- Each organisation has an expenses policy, versioned: every change saves a new version and the
  old ones stay. It says which item types it repays (passenger mileage is the HMRC passenger
  supplement and is off by default), its mileage policy — ``hmrc`` (45p a mile up to the
  volunteer's 10,000th car mile in the tax year counted across **every** organisation, then 25p;
  24p motorcycles; 20p bicycles; 5p per passenger per mile) or ``fixed`` pence per mile for cars,
  motorcycles and bicycles — the claim deadline (default 90 days after the expense), the receipt
  threshold (a non-mileage item of at least this amount needs a receipt; 0 means every one does)
  and whether volunteers may store bank details for payment. An organisation with no saved policy
  has the default one (version 0). The task description shows the policy; the version the
  volunteer agreed to is the one in force when they agreed to their placement.
- HMRC rates come from the dated rate table (families ``hmrc_mileage_car_first_10000``,
  ``hmrc_mileage_car_after_10000``, ``hmrc_mileage_motorcycle``, ``hmrc_mileage_bicycle``,
  ``hmrc_mileage_passenger``, in pounds a mile, in force on 6 April of the tax year); when none
  is held the statutory rates above are used.
- The tax year runs from 6 April to 5 April (``tax year 2025`` is 6 April 2025 to 5 April 2026),
  which is not the financial year used by reports.
- A car mileage item is priced when it is added (or imported): the volunteer's car miles already
  claimed in that tax year on earlier dates (at any organisation, in claims not withdrawn or
  rejected, items not rejected) fill the 45p band first; an item that crosses the 10,000th mile is
  split across the two rates and rounded half-up to the penny once.
- Claim states: ``draft`` (the volunteer adds items and receipts, or deletes it: its receipt files
  are removed) → ``submitted`` (every non-mileage item at or above the threshold has a receipt)
  → ``withdrawn`` by the volunteer, or decided by an approver item by item: each item is approved
  (exactly the claimed amount; for mileage, what the miles were priced at), part-approved (more
  than £0 and strictly less than that) or rejected, with a reason for the last two; any other
  amount is refused on the form and in ``flask expenses import`` (a line error). The
  claim is then ``approved`` (all items in full), ``rejected`` (all rejected) or
  ``part_approved``. Approved and part-approved claims are gathered into a payment batch, which
  is marked paid with a date: the claims become ``paid`` and are locked. Decided amounts are
  what gets paid; the claimant is emailed through the outbox when decided and when paid.
- Every change of a claim happens once, however many requests ask at once: submitting,
  withdrawing and deciding are compare-and-sets on the claim's status (a withdrawal and a
  decision at once: one wins); changing or deleting a draft locks the claim first; a claim joins
  a batch only ``WHERE batch_id IS NULL`` (never two batches) and a batch is paid only ``WHERE
  paid_on IS NULL``. The others are told it was already done: no second audit event or email.
- Approvers are the organisation's coordinators and, only when given the expenses-approver
  permission for that organisation, a placement supervisor. Nobody decides their own claim. The
  centre and administrators see every claim and the centre-wide flags, but do not decide.
- Flags (shown to approvers and in the centre-wide list; never paid silently): mileage paid above
  the tax-free amount for the volunteer's tax year across all organisations; a non-mileage item
  at or above the threshold without a receipt; the same amount for the same type at the same
  organisation in 4 or more consecutive weeks without receipts (looks like a flat rate); decided
  more than claimed (only data from before the rule above can have it); the same receipt file
  (SHA-256) on two claims; an item past the deadline.
- Tax-free amount for a tax year = car miles at 45p to 10,000 then 25p, plus motorcycle miles at
  24p, bicycle miles at 20p and passenger miles at 5p a passenger; taxable profit = mileage paid
  (approved and paid items) less the tax-free amount, never below zero.
- Receipts: at most ``RECEIPT_MAX_BYTES`` (10 MB; larger is answered 413 with nothing stored);
  the type is decided by content — PDF, JPEG, PNG or HEIC only; stored outside ``static/`` under a
  random name through :mod:`volunteer_hub.expenses.storage`; served only to people who may see
  the claim, as an attachment with ``nosniff``. A receipt row is written only after its file is.
- Bank details are encrypted with MultiFernet (keys from ``BANK_DETAILS_KEYS``), only where the
  organisation turns bank payments on, always shown masked, and every view is audited.
- Paid claims feed the value report's investment as ``expenses_reimbursed`` by item date;
  entering that category by hand for an organisation and period with paid claims is refused.

Where things live: ``models``, ``mileage`` (HMRC pricing and the tax year, pure), ``rules``
(input rules as pure functions: pounds, miles, postcodes, a policy, an item, a receipt file, a
decision), ``services`` (every command; flush, never commit), ``queries`` (the read side:
policies, who approves and the object rules registered for ``get_or_404``, the pages' lists,
flags, the investment hook; other domains read expenses here), ``figures`` (the tax-year
figures: the mileage report and the volunteer's statement), ``bank`` (encrypted bank details
and the payment file), ``storage`` (receipt files), ``forms``, ``views`` (one blueprint:
``claims`` and ``approvals``), ``imports``, ``cli`` and ``demo``.
"""
