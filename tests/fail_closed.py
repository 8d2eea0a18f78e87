"""Shared cases for the security checklist's "Failing closed" tests (tests/core/test_app.py,
tests/core/test_redirects.py, tests/accounts/test_fail_closed.py)."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

#: Every secret key that has been in this repository: none may open anything, anywhere.
REPOSITORY_KEYS = [
    "dev-insecure-secret-key-change-me",
    "test-secret-key-that-is-long-enough-for-production-checks",
    "benchmark-secret-key-long-enough-for-anything",
]


#: Targets an attacker puts in ``next=`` or a form's ``back``: as typed in a link (percent
#: escapes still in) and as they arrive once the query string is decoded.
HOSTILE_TARGETS = [
    "/%09/evil.example",
    "/\t/evil.example",
    "/\\t/evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " //evil.example",
    "/ /evil.example",
    "/\u200b/evil.example",
    "/\u00a0/evil.example",
    "/%0d%0a/evil.example",
    "/\r\n/evil.example",
    "%2F%2Fevil.example",
    "/%2Fevil.example",
    "/%5Cevil.example",
    "/%252F/evil.example",
    "http:evil.example",
    "http:/evil.example",
    "evil.example",
    "/\r\nLocation: https://evil.example",
    "/\u202e/evil.example",
    "",
]

#: The ones each page that follows ``next=`` is tried with (every sign-in costs a password hash).
FLOW_TARGETS = [
    "/%09/evil.example",
    "/\t/evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "//evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "/%0d%0a/evil.example",
    "%2F%2Fevil.example",
    "http:evil.example",
]
assert set(FLOW_TARGETS) <= set(HOSTILE_TARGETS)


def browser_destination(location: str, page: str = "http://localhost/sign-in") -> tuple[str, str]:
    """(scheme, host) a browser goes to for ``location``, forgiving as browsers are (the WHATWG
    URL parser drops tabs and newlines, trims C0 controls and spaces, reads ``\\`` as ``/``)."""
    cleaned = re.sub(r"[\t\n\r]", "", location.strip("".join(chr(c) for c in range(0x21))))
    parts = urlsplit(urljoin(page, cleaned.replace("\\", "/")))
    return parts.scheme, parts.hostname or ""
