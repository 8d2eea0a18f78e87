"""Redirect targets: normalised, then checked to be a path on this site."""

from __future__ import annotations

import pytest

from tests.fail_closed import HOSTILE_TARGETS, browser_destination
from volunteer_hub.core.redirects import is_local_target, local_target, normalise_target

LOCAL_TARGETS = [
    "/opportunities/x?page=2",
    "/account",
    "/",
    "/search?q=%2F%2Fnot-a-host&page=2",
    "/timebanks/3/coordinate",
]


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_hostile_targets_give_the_default(target: str) -> None:
    assert not is_local_target(target)
    assert local_target(target, "/account") == "/account"


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_no_target_lets_a_browser_leave_the_site(target: str) -> None:
    assert browser_destination(local_target(target, "/account")) == ("http", "localhost")


@pytest.mark.parametrize("target", LOCAL_TARGETS)
def test_paths_on_this_site_are_kept(target: str) -> None:
    assert local_target(target, "/account") == target


@pytest.mark.parametrize("target", [None, 42, b"/account", ["/account"]])
def test_anything_but_a_string_gives_the_default(target: object) -> None:
    assert local_target(target, "/account") == "/account"


def test_normalising_removes_invisible_characters_and_turns_backslashes() -> None:
    assert normalise_target(" /a\tb\r\n/c\u200bd\\e ") == "/ab/cd/e"
    assert local_target("/privacy ", "/") == "/privacy"  # what is checked is what is used
    assert local_target("/privacy\t", "/") == "/"  # control characters: no real link has them
    assert local_target("/%0d%0aLocation:%20https://evil.example", "/") == (
        "/%0d%0aLocation:%20https://evil.example"  # escaped, a path here (a 404), not a header
    )


def test_a_target_may_be_held_under_a_prefix() -> None:
    assert local_target("/timebanks/3/members/4", "/x", under="/timebanks/") == (
        "/timebanks/3/members/4"
    )
    assert local_target("/account", "/x", under="/timebanks/") == "/x"
    odd = local_target("/timebanks/\\..\\/evil.example", "/x", under="/timebanks/")
    assert browser_destination(odd) == ("http", "localhost")  # a path on this site, however odd
    assert local_target("//timebanks/", "/x", under="/timebanks/") == "/x"


def test_the_test_helper_sees_what_a_browser_sees() -> None:
    assert browser_destination("/\t/evil.example") == ("http", "evil.example")
    assert browser_destination("/\\evil.example") == ("http", "evil.example")
    assert browser_destination("/opportunities/x?page=2") == ("http", "localhost")
