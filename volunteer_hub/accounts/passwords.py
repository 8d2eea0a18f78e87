"""Password hashing (argon2id) and the password rules."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
MAX_LENGTH = 256


def make_hasher(*, cheapest: bool = False) -> PasswordHasher:
    """argon2id with the library's current recommended parameters (RFC 9106, low memory), or
    with its cheapest ones for the test suite (:func:`use_cheapest_parameters_for_tests`)."""
    return PasswordHasher.from_parameters(profiles.CHEAPEST) if cheapest else PasswordHasher()


_hasher = make_hasher()


def use_cheapest_parameters_for_tests() -> None:
    """Called by the test suite only (``tests/conftest.py``), never by the application: every
    persona and sign-in would otherwise spend 64 MiB and about 100 ms of a core. Still argon2id;
    a hash made this way is rehashed with the real parameters at the next sign-in in any other
    process (``needs_rehash``)."""
    global _hasher  # the one switch, made once at the start of a test session
    _hasher = make_hasher(cheapest=True)
    _dummy_hash.cache_clear()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both cases take the same time. Made on
    first use, not at import: every command would otherwise pay one argon2 hash (64 MiB)."""
    return _hasher.hash("not-a-real-password-just-for-timing")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = (
        resources.files("volunteer_hub.accounts")
        .joinpath("data/common-passwords.txt")
        .read_text(encoding="utf-8")
    )
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line and not line.startswith("#")
    )


def normalise(password: str) -> str:
    """NFKC so the same password typed on different keyboards hashes the same."""
    return unicodedata.normalize("NFKC", password)


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Every reason the password is not acceptable, in words fit for the form."""
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        return [f"Password must be {MIN_LENGTH} characters or more"]
    if len(password) > MAX_LENGTH:
        return [f"Password must be {MAX_LENGTH} characters or fewer"]
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) < 3:
        return ["This password is too common. Choose one that is harder to guess"]
    local = email.split("@")[0].lower()
    if (local and len(local) >= 4 and local in lowered) or (
        name and lowered == name.lower().replace(" ", "")
    ):
        return ["Password must not contain your name or email address"]
    return []


def hash_password(password: str) -> str:
    return _hasher.hash(normalise(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), normalise(password)) and bool(
            password_hash
        )
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
