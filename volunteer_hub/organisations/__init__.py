"""Organisations: the volunteer centre, the charities and community groups it brokers volunteers
into, and the statutory partners (council, NHS trusts, police) that fund and receive reports.

Rules:
- Every organisation has a unique name and a unique URL slug made from it.
- ``kind`` is one of ``volunteer_centre``, ``vco`` (charity or community group) or ``statutory``
  (a statutory partner); the database enforces it.
- There is at most one volunteer centre in an installation (it brokers for the whole borough).
- Due diligence is kept by the centre: safeguarding lead, safeguarding policy review date and
  insurance expiry. While any is missing or past, a charity's roles are not published (search
  and role pages hide them) and its coordinators see why on their pages.
- Each role has a task description. Coordinators of the organisation draft and submit it; only
  the volunteer centre approves it, which freezes a new numbered version (a placement records
  the version the volunteer agreed to), or returns it with a reason. Editing a published role
  sends it back to draft; its approved version stays on its public page until the change is
  approved. A role's public address (slug) is set at first approval and never changes.
- Categories come from a managed list; a category no longer offered stays on existing roles.
- Coordinators keep their organisation's profile; only the centre records its checks, and the
  safeguarding lead's account is one of the organisation's coordinators. Each save, an
  organisation added and a category added or switched is audited (``services``).
"""
