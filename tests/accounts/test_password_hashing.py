"""Passwords are hashed with argon2id at the library's recommended parameters; only the test
suite switches its own process to the cheapest ones (``tests/conftest.py``)."""

from __future__ import annotations

from argon2 import extract_parameters, profiles

from volunteer_hub.accounts import passwords


def test_the_application_hashes_with_the_recommended_parameters() -> None:
    stored = passwords.make_hasher().hash("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert extract_parameters(stored) == profiles.RFC_9106_LOW_MEMORY
    assert extract_parameters(stored).memory_cost == 64 * 1024


def test_a_cheap_test_hash_is_rehashed_with_the_real_parameters_at_sign_in() -> None:
    cheap = passwords.make_hasher(cheapest=True).hash("correct horse battery staple")
    assert cheap.startswith("$argon2id$")
    real = passwords.make_hasher()
    assert real.verify(cheap, "correct horse battery staple")
    assert real.check_needs_rehash(cheap)


def test_nothing_in_the_application_switches_to_the_cheap_parameters() -> None:
    from pathlib import Path

    package = Path(passwords.__file__).resolve().parents[1]
    callers = [
        path
        for path in package.rglob("*.py")
        if "use_cheapest_parameters_for_tests()" in path.read_text(encoding="utf-8")
        and path.name != "passwords.py"
    ]
    assert callers == []
