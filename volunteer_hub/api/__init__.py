"""The partner API: read-only JSON for partners' own systems.

Rules:
- Every data endpoint needs ``Authorization: Bearer <token>``. Tokens are issued by an
  administrator to a user who holds the partner role, shown once, and stored only as a SHA-256
  hash (they are 256-bit random, so a slow hash adds nothing). A token stops working when it is
  revoked, or when its holder is deactivated or loses the partner role. Each use records
  ``last_used_at``.
- ``GET /api/v1/reports/value`` returns exactly the JSON of ``flask report value`` for the same
  arguments; partners see every organisation, as on the reports pages. No endpoint returns a row
  about an individual.
- Errors are JSON ``{"error": message, "status": code}``; requests are rate limited per token
  (``API_RATE_LIMIT``). ``/api/v1/openapi.json`` (the OpenAPI 3 description) needs no token.
- Only administrators see, issue and revoke tokens (/admin/api-tokens, in ``views.py`` beside the
  API itself, its forms in ``forms.py``).
"""
