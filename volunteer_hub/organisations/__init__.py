"""Organisations: the volunteer centre, the charities and community groups it brokers volunteers
into, and the statutory partners (council, NHS trusts, police) that fund and receive reports.

Rules:
- Every organisation has a unique name and a unique URL slug made from it.
- ``kind`` is one of ``volunteer_centre``, ``vco`` (charity or community group) or ``statutory``
  (a statutory partner); the database enforces it.
- There is at most one volunteer centre in an installation (it brokers for the whole borough).
"""
