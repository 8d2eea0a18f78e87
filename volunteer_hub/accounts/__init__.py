"""Accounts: who someone is and what they may see.

Rules:
- Anyone who registers is a volunteer. Other roles are given by an administrator: centre
  coordinator and administrator across the installation; coordinator or partner *of an
  organisation* as a membership. A user may hold several.
- An organisation coordinator sees and changes only their own organisations' data. A centre
  coordinator sees every organisation's recruitment and placement data but never an individual's
  equality answers. A partner sees aggregate reports only. Every check goes through
  :mod:`volunteer_hub.accounts.permissions`; no view writes its own rule.
- Passwords are 10 to 256 characters of any Unicode, not among the 10,000 most common, and are
  stored as argon2id hashes. Nothing is truncated.
- A session's identity includes the user's session version: changing the password or being
  deactivated raises it and ends every other session. Signing out raises it too, so it ends the
  session on the server (a copied cookie is worthless afterwards) and on every other device: one
  counter and no session table, at the price of signing out everywhere at once. Sessions end
  after 30 idle minutes for staff and 2 hours for volunteers (configurable).
- ``next=`` and other user-supplied redirect targets go through
  :func:`volunteer_hub.core.redirects.local_target`: paths on this site only.
- Sign-in, registration, password reset and two-factor are rate limited; repeated failures slow
  one account down for minutes, never lock it for good. Unknown email and wrong password get the
  same answer; so do reset requests for known and unknown addresses.
- Email verification, password reset, invitation and email-change links are signed, expire and
  work once: each carries a fingerprint of the state it changes.
- Staff may turn on TOTP two-factor sign-in; administrators must. Recovery codes are stored hashed
  and work once (``accounts.two_factor``).
- Every email is written to the outbox in the same transaction as its action and sent later;
  a failed send is retried with backoff and never lost.
- The audit log records sign-ins, failures, role changes and views/changes of sensitive records;
  the app only ever appends to it.
"""
