"""Time bank: members give an hour of help, earn one time credit and spend it on help from
someone else, on a double-entry ledger that always balances.

Rules:
- The centre runs one or more time banks, each with its own coordinators (named by an
  administrator); only a time bank's coordinators act in it. Members are people (with a sign-in,
  or recorded by a coordinator without one), organisations, and each time bank's **community
  pot**. A person joins by accepting the time bank's terms (credits are never bought, sold or
  turned into money or goods) and is approved by a coordinator after an interview, references and,
  where the time bank requires it, a clear DBS record. Members are pending, approved or suspended;
  only approved members (and the pot) exchange.
- Offers and requests carry a category, description, postcode district (never an address) and
  availability. Contact details are shared only once both sides have agreed to a match (a response
  accepted by the poster, or a coordinator's brokered match agreed by both).
- An exchange (giver, receiver, date, hours in steps of 0.25 up to 24, what was done) recorded by
  one side waits for the other to confirm; one recorded by a coordinator is confirmed at once. A
  confirmed exchange is one **transfer** with two **entries** (+ for the giver, − for the
  receiver) in whole minutes, made in the same transaction as the balances.
- The ledger: every transfer's entries sum to zero, so the whole ledger sums to zero. Entries are
  never updated or deleted — a database trigger refuses it on PostgreSQL and SQLite. A mistake is
  corrected by a reversal transfer linked to the original (once), with a reason and who made it;
  a reversal may take an account below its minimum (it undoes, it does not spend).
- Each account has a stored balance updated in the same transaction as its entries. A debit that
  would take an account below the time bank's minimum (default −10.00 hours; the pot: 0.00), or a
  credit above its optional maximum, is refused with a clear message. The accounts are locked in
  id order (PostgreSQL row locks) and the debit is a conditional update, so two concurrent spends
  cannot together breach the minimum.
- Every form that records a transfer carries an idempotency key with a unique constraint: the same
  form sent twice, or two concurrent requests with the same key, record one exchange.
- Every other change happens once however many requests ask for it at once: approving,
  suspending and reinstating a member, confirming or declining an exchange and closing a listing
  are compare-and-sets; a reversal locks the accounts it moves before looking for an earlier one
  (its insert in a savepoint, so a unique violation is answered, never a 500); joining, a
  coordinator named, a response or brokered match lock the time bank or listing first; an answer
  to a match locks the match. The others are told it was already done (``AlreadyDone``).
- `flask timebank check` recomputes every balance from the entries and checks each transfer and
  the ledger sum to zero. The value report's `timebank` section counts each exchange once and
  values hours at the generalist rate as a notional figure, never added to the value of
  volunteering.

Where things live: ``models`` (time banks, accounts, transfers and entries, exchanges,
listings, matches), ``ledger`` (posting and reversing transfers, the check), ``rules`` (input
rules as pure functions: hours, limits, an exchange's and a listing's fields), ``services``
(every command; flush, never commit), ``queries`` (the read side: membership and coordinators,
search, statements, the coordinator's lists; other domains read the time bank here),
``report`` (the value report's figures), ``forms``, ``views`` (one blueprint: ``members``,
``listings``, ``exchanges``, with the loaders that check who may see what in
``views/__init__``), ``imports``, ``cli`` and ``demo``.
"""
