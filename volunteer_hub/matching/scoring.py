"""How well a volunteer and a role fit, in points and in words.

Pure functions over plain values (no queries), so the digest, "Recommended for you" and a
role's best matches all score the same way and say why in the same words:
"matches your interest in gardening, Saturday mornings, about 1.2 miles away".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from volunteer_hub.core.geo import distance_words, miles_between
from volunteer_hub.volunteers.models import DAYS, PARTS

#: Further than this (straight line) is not a match, unless the role can be done remotely.
MAX_MILES = 10.0
#: Points for each reason (a role needs at least one interest or skill to be a match).
INTEREST_POINTS = 3
SKILL_POINTS = 2
TIME_POINTS = 2
#: Words too common to say anything about a fit.
_COMMON = """about also and any are but can for from good have help helping into just like more
most other people some that the their them they this very what when with work working would your"""
STOP_WORDS = frozenset(_COMMON.split())
DAY_NAMES = dict(DAYS)
PART_NAMES = dict(PARTS)
_DAY_WORDS = {
    **{name.lower(): [key] for key, name in DAYS},
    **{key: [key] for key, _ in DAYS},
    "weekday": ["mon", "tue", "wed", "thu", "fri"],
    "weekdays": ["mon", "tue", "wed", "thu", "fri"],
    "weekend": ["sat", "sun"],
    "weekends": ["sat", "sun"],
}
_PART_WORDS = {
    "morning": "morning",
    "mornings": "morning",
    "am": "morning",
    "afternoon": "afternoon",
    "afternoons": "afternoon",
    "lunchtime": "afternoon",
    "evening": "evening",
    "evenings": "evening",
    "night": "evening",
    "nights": "evening",
    "pm": "afternoon",
}


@dataclass(frozen=True)
class Person:
    """What matching reads of a volunteer's profile."""

    volunteer_id: int
    interests: str | None
    skills: str | None
    availability: Sequence[str]
    place: tuple[float, float] | None


@dataclass(frozen=True)
class Opening:
    """What matching reads of a role (its approved task description)."""

    role_id: int
    text: str  # title, purpose, activities, categories: what interests are matched against
    skills_text: str  # skills and activities: what skills are matched against
    days_and_times: str | None
    remote: bool
    place: tuple[float, float] | None


@dataclass
class Match:
    role_id: int
    volunteer_id: int
    score: int
    interests: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    times: list[str] = field(default_factory=list)
    miles: float | None = None
    remote: bool = False

    def reasons(self, *, to_volunteer: bool) -> list[str]:
        """The reasons in words: to the volunteer ("matches your interest in gardening") or to
        a coordinator about them ("interested in gardening")."""
        said: list[str] = []
        if self.interests:
            what = _and(self.interests)
            said.append(
                f"matches your interest in {what}" if to_volunteer else f"interested in {what}"
            )
        if self.skills:
            what = _and(self.skills)
            said.append(f"uses your skills in {what}" if to_volunteer else f"skills in {what}")
        if self.times:
            said.append(_and(self.times) if to_volunteer else f"free {_and(self.times)}")
        if self.miles is not None:
            said.append(distance_words(self.miles))
        elif self.remote:
            said.append("can be done from home")
        return said

    def explain(self, *, to_volunteer: bool = True) -> str:
        return ", ".join(self.reasons(to_volunteer=to_volunteer))

    def sentence(self, *, to_volunteer: bool = True) -> str:
        """The explanation as a sentence: "Matches your interest in gardening, …"."""
        words = self.explain(to_volunteer=to_volunteer)
        return f"{words[:1].upper()}{words[1:]}." if words else ""


def _and(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _stem(word: str) -> str:
    for ending in ("ing", "ers", "er", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _words(text: str) -> set[str]:
    return {
        _stem(w) for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 4 and w not in STOP_WORDS
    }


def phrases(text: str | None, limit: int = 20) -> list[str]:
    """A profile's free text as phrases: "Gardening, cooking and DIY" → the three of them."""
    if not text:
        return []
    parts = re.split(r"[,;\n/]|\band\b|\bor\b", text)
    found = [" ".join(p.split()).strip(" .-").lower() for p in parts]
    return [p for p in dict.fromkeys(found) if p and len(p) <= 60][:limit]


def _matching_phrases(text: str | None, against: str) -> list[str]:
    words = _words(against)
    return [p for p in phrases(text) if _words(p) & words][:3]


def slots_of(days_and_times: str | None) -> set[str]:
    """A role's "days and times" in the profile grid's slots: "Saturday mornings" →
    {"sat_morning"}; "Weekday afternoons" → the five afternoons; no day or part named → none
    (unknown, so not held against anyone)."""
    if not days_and_times:
        return set()
    tokens = re.findall(r"[a-z]+", days_and_times.lower())
    days = [d for t in tokens for d in _DAY_WORDS.get(t, [])]
    parts = [_PART_WORDS[t] for t in tokens if t in _PART_WORDS]
    if not days and not parts:
        return set()
    days = days or [key for key, _ in DAYS]
    parts = parts or [key for key, _ in PARTS]
    return {f"{d}_{p}" for d in days for p in parts}


def slot_words(slots: Iterable[str], limit: int = 2) -> list[str]:
    """{"sat_morning", "sun_morning"} → ["Saturday mornings", "Sunday mornings"] (in week order,
    at most ``limit`` and "and more" words after)."""
    order = [f"{d}_{p}" for d, _ in DAYS for p, _ in PARTS]
    chosen = [s for s in order if s in set(slots)]
    words = [f"{DAY_NAMES[s[:3]]} {PART_NAMES[s[4:]].lower()}s" for s in chosen[:limit]]
    if len(chosen) > limit:
        more = len(chosen) - limit
        words.append(f"{more} more {'time' if more == 1 else 'times'}")
    return words


def _distance_points(miles: float) -> int:
    return 3 if miles <= 2 else 2 if miles <= 5 else 1


def score(person: Person, opening: Opening) -> Match | None:
    """The match between a volunteer and a role, or None when they do not fit: no shared
    interest or skill, no shared time (when both say when), or too far away (unless remote)."""
    interests = _matching_phrases(person.interests, opening.text)
    skills = _matching_phrases(person.skills, opening.skills_text)
    if not interests and not skills:
        return None
    wanted = slots_of(opening.days_and_times)
    shared = wanted & set(person.availability) if wanted and person.availability else set()
    if wanted and person.availability and not shared:
        return None
    miles = None
    if opening.place is not None and person.place is not None and not opening.remote:
        miles = miles_between(person.place, opening.place)
        if miles > MAX_MILES:
            return None
    points = INTEREST_POINTS * len(interests) + SKILL_POINTS * len(skills)
    points += TIME_POINTS if shared else 0
    points += _distance_points(miles) if miles is not None else (1 if opening.remote else 0)
    return Match(
        role_id=opening.role_id,
        volunteer_id=person.volunteer_id,
        score=points,
        interests=interests,
        skills=skills,
        times=slot_words(shared),
        miles=miles,
        remote=opening.remote,
    )


def best(matches: Iterable[Match | None], limit: int) -> list[Match]:
    """The highest scores first (ties: the nearest, then the lowest id), at most ``limit``."""
    found = [m for m in matches if m is not None]
    found.sort(
        key=lambda m: (
            -m.score,
            m.miles if m.miles is not None else 99.0,
            m.role_id,
            m.volunteer_id,
        )
    )
    return found[:limit]
