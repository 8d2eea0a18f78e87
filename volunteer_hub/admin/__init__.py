"""Administration: users, roles and memberships, and the audit log.

Rules:
- Only administrators reach these pages (and administrators must use two-factor sign-in).
- Inviting a user creates an account with no password and emails a single-use link to set one.
- Role changes, deactivation and reactivation are audited; removing a role or deactivating a user
  ends their sessions at once. There is always at least one active administrator, and nobody
  removes their own administrator role or deactivates themselves.
- The audit log can be searched but never edited from the app.
- The people and audit-log searches are in ``queries.py``.
"""
