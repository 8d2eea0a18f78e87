"""Redirect targets taken from a request (``next=``, a form's ``back``): paths on this site only.

Browsers forgive a great deal in a ``Location`` header: they drop tabs and newlines anywhere,
trim spaces and control characters at the ends and read ``\\`` as ``/``, so ``/\\t/evil.example``
and ``/\\evil.example`` both land on ``//evil.example``, another site. A target is therefore
normalised first (control, format and whitespace characters removed wherever they are,
backslashes turned into slashes) and only then checked: a single leading ``/``, and no scheme or
host once parsed. The same check is applied to the target with its percent-escapes decoded
(``/%09/evil.example``, ``%2F%2Fevil.example``), in case anything on the way decodes them.
A target that arrives holding control or format characters, which no real link does, gives the
default outright rather than a cleaned-up path (``/\\r\\nLocation: …`` is not worth following).

Every redirect to a user-supplied target goes through :func:`local_target`.
"""

from __future__ import annotations

import unicodedata
from typing import TypeGuard
from urllib.parse import unquote, urlsplit

#: Rounds of percent-decoding checked (``%25`` hides one more round each time).
DECODING_ROUNDS = 3


def normalise_target(target: str) -> str:
    """``target`` without control, format or whitespace characters, backslashes as slashes:
    what a forgiving browser would make of it, or worse."""
    kept = (
        ch for ch in target if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf")
    )
    return "".join(kept).replace("\\", "/")


def _has_invisible_controls(target: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in target)


def _is_local_path(target: str) -> bool:
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def is_local_target(target: object) -> TypeGuard[str]:
    """Whether ``target``, normalised, is a path on this site, also once percent-decoded."""
    if not isinstance(target, str) or not target or _has_invisible_controls(target):
        return False
    candidate = target
    for _ in range(DECODING_ROUNDS + 1):
        if not _is_local_path(normalise_target(candidate)):
            return False
        decoded = unquote(candidate)
        if decoded == candidate:
            return True
        candidate = decoded
    return False  # still decoding after all the rounds: not a target anyone means


def local_target(target: object, default: str, *, under: str = "/") -> str:
    """The normalised ``target`` if it is a path on this site (starting with ``under``), else
    ``default``."""
    if not is_local_target(target):
        return default
    normalised = normalise_target(target)
    return normalised if normalised.startswith(under) else default
