"""Dates, numbers and codes written for machines, found in the text a person reads.

People read "5 February 2027", "April 2025", "2025 to 2026", "2 hours 30 minutes", "£2,176.00"
and "less than a mile"; an ISO date, an ``(s)`` plural, "1 hours", "0.0 miles", "2176.00" or
``enhanced_barred`` on a page means a template printed a value the way the code holds it. The page
walk runs :func:`find_machine_text` over every page's visible text.
"""

from __future__ import annotations

import re

#: Emails, web addresses and phone numbers are written the way they are; taken out first.
_IGNORED = re.compile(
    r"""
    [\w.+-]+@[\w-]+(?:\.[\w-]+)+            # an email address
    | \b(?:https?://|www\.)\S+               # a web address
    | (?<![\w.,])(?:\+44\s?|0)\d{2,4}(?:[ -]?\d{3,4}){1,2}(?!\d)  # a UK phone number
    | \b(?:[Ii]d|ID|SOC(?:\s+code)?|[Ss]oc\s+code|[Rr]ef(?:erence)?|[Rr]ecord)\s+\d+\b  # reference
    """,
    re.VERBOSE,
)

#: Words counted in the app: "1 hours" and "1 volunteers" are machine plurals.
_COUNTED = (
    "hours|minutes|seconds|days|weeks|months|years|miles|volunteers|people|records|claims|items"
    "|applications|applicants|roles|organisations|placements|sessions|members|exchanges|credits"
    "|times|receipts|courses|actions|requests|listings|results|journeys|passengers|entries"
)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ISO date", re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")),
    ("ISO month", re.compile(r"(?<![\w-])(?:19|20)\d{2}-(?:0[1-9]|1[0-2])(?![\w-])")),
    ("(s) plural", re.compile(r"\w\(s\)")),
    ("singular with a plural", re.compile(rf"(?<![\d.,])1(?:\.0+)? (?:{_COUNTED})\b")),
    ("zero miles", re.compile(r"(?<![\d.,])0(?:\.0+)? miles?\b")),
    (
        "number without a thousands separator",
        # Four or more digits in a row (not part of a longer code such as PB-2026-0001, a
        # postcode or a time); a whole number from 1900 to 2099 is taken to be a year.
        re.compile(r"(?<![\w.,:/#-])(?!(?:19|20)\d{2}(?!\d|\.\d))\d{4,}(?:\.\d+)?(?![\w:/-])"),
    ),
    ("internal code", re.compile(r"(?<![\w.@/-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@-])")),
]


def find_machine_text(text: str) -> list[str]:
    """Each machine-written date, number or code in ``text``, as "kind: 'context'"."""
    cleaned = _IGNORED.sub(" ", text)
    findings: list[str] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(cleaned):
            start, end = max(0, match.start() - 30), min(len(cleaned), match.end() + 30)
            context = " ".join(cleaned[start:end].split())
            findings.append(f"{kind} {match.group(0)!r} in '…{context}…'")
    return findings
