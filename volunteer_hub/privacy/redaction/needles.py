"""How the person is recognised in text: needles for their names, addresses and numbers.

See the package's docstring for the rules (strong and weak needles, distinctive name parts).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from volunteer_hub.core.privacy_hooks import ERASED_DOMAIN, ERASED_TEXT

#: Never scanned or changed: append-only by database trigger (and holds no text).
SKIP_TABLES = frozenset({"timebank_entry"})
#: Full names shorter than this are not searched for everywhere (too likely in other words).
MIN_NAME_LENGTH = 3
#: Parts of a name (and email local parts) shorter than this are not redacted on their own.
MIN_PART_LENGTH = 3
#: Particles and common words that are also names: never redacted on their own (only as part
#: of a full name, a "first last" or "Mr/Ms surname" variant, or an email address).
COMMON_WORDS = frozenset(
    {
        # Particles.
        "van",
        "von",
        "der",
        "den",
        "ter",
        "de",
        "del",
        "della",
        "dos",
        "das",
        "do",
        "du",
        "des",
        "la",
        "le",
        "les",
        "da",
        "di",
        "el",
        "al",
        "bin",
        "ben",
        "ibn",
        "bint",
        "ap",
        "st",
        "mac",
        "mc",
        "the",
        "and",
        "y",
        "e",
        # Words that are also first names or surnames.
        "will",
        "may",
        "mark",
        "rose",
        "bill",
        "hope",
        "joy",
        "grace",
        "faith",
        "dawn",
        "june",
        "april",
        "august",
        "summer",
        "ivy",
        "iris",
        "lily",
        "daisy",
        "holly",
        "heather",
        "violet",
        "pearl",
        "ruby",
        "amber",
        "sky",
        "rich",
        "frank",
        "grant",
        "guy",
        "jack",
        "ray",
        "rob",
        "sue",
        "pat",
        "art",
        "bob",
        "chase",
        "hunter",
        "king",
        "young",
        "white",
        "black",
        "green",
        "brown",
        "grey",
        "gray",
        "long",
        "short",
        "hill",
        "wood",
        "stone",
        "field",
        "cook",
        "baker",
        "miller",
        "page",
        "hall",
        "bell",
        "best",
        "said",
        "love",
        "rain",
        "ash",
        "sage",
        "don",
        "sun",
        "star",
        "dot",
        "ivory",
        "wolf",
        "fox",
        "lamb",
    }
)
#: Titles before a surname: "Mr Lindqvist" is a variant of the full name.
TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr", "prof")
MIN_PHONE_DIGITS = 6
#: What may stand between the digits of a phone number.
PHONE_GAP = r"[\s().\-/]{0,3}"
#: A bracket opened before a code and closed just after it, as in "(01632) 960000", "(+44)".
OPENING = r"(?:\((?=[^()]{1,6}\)))?"
#: Removed from a column before SQL looks for a phone number's digits in it.
PHONE_SEPARATORS = (" ", "\t", "\n", "\r", "\u00a0", "-", ".", "(", ")", "/")
#: Values that mark text as already erased (by erasure, or by retention's "[removed]").
ERASED_MARKERS = frozenset({"", ERASED_TEXT, "[removed]"})
PLACEHOLDER = re.compile(
    rf"erased (?:person|user) \d+|erased-v?\d+@{re.escape(ERASED_DOMAIN)}", re.IGNORECASE
)
#: Words of the placeholders: a name part equal to one of them is not redacted.
PLACEHOLDER_WORDS = frozenset({"erased", "person", "user", "invalid"})
#: Keys of audit details that hold free text (a value that is a code is kept, except under
#: ``NAME_KEYS``: a name or title someone typed is never a code).
NAME_KEYS = frozenset({"name", "title"})
FREE_TEXT_KEYS = (
    frozenset({"reason", "note", "notes", "message", "comment", "comments", "description", "text"})
    | NAME_KEYS
)
CODE = re.compile(r"[a-z0-9_.:\-]*")
CHUNK = 500


@dataclass(frozen=True)
class Needle:
    pattern: re.Pattern[str]
    replacement: str
    #: What SQL looks for (case-insensitively) to find the values to check; empty: the needle
    #: is only used on rows already known to be attached to the person.
    search: tuple[str, ...] = ()
    #: Look for ``search`` in the column with spaces and punctuation removed (phone numbers).
    digits: bool = False

    def sub(self, value: str) -> str:
        """Replace every match; a ``keep`` group (a title before a surname) stays."""
        if "keep" not in self.pattern.groupindex:
            return self.pattern.sub(lambda _: self.replacement, value)
        return self.pattern.sub(lambda m: (m.group("keep") or "") + self.replacement, value)


@dataclass(frozen=True)
class Identity:
    """How the person appears in text. ``strong`` needles (full names and their variants, email
    addresses, phone numbers) are looked for wherever the person may be mentioned; ``weak`` ones
    (distinctive name parts, email local parts) only in rows attached to the person, or in a
    value where a strong one was found. ``contact`` (email addresses and phone numbers, also in
    ``strong``) identify the person on their own: a row not attached to them is only rewritten
    by the safety net if it holds one of them."""

    strong: tuple[Needle, ...] = ()
    weak: tuple[Needle, ...] = ()
    contact: tuple[Needle, ...] = ()

    @property
    def needles(self) -> tuple[Needle, ...]:
        return self.strong + self.weak


def is_placeholder(text: str) -> bool:
    lowered = text.casefold()
    return lowered.startswith("erased person ") or lowered.startswith("erased user ")


def _words(text: str, replacement: str, *, searched: bool) -> Needle:
    body = r"\s+".join(re.escape(part) for part in text.split())
    pattern = re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)
    return Needle(pattern, replacement, (text,) if searched else ())


def is_distinctive(part: str) -> bool:
    """A name part that may be redacted on its own: long enough, not a particle or a common
    word, not a word of the placeholders."""
    folded = part.casefold()
    return (
        len(part) >= MIN_PART_LENGTH
        and folded not in COMMON_WORDS
        and folded not in PLACEHOLDER_WORDS
        and any(c.isalpha() for c in part)
    )


def _name_parts(name: str) -> set[str]:
    parts: set[str] = set()
    for word in name.split():
        word = word.strip('.,;:()"')
        parts.add(word)
        parts.update(re.split(r"[-‐'’.]+", word))
    return {p for p in parts if is_distinctive(p)}


def _variants(name: str, replacement: str) -> list[Needle]:
    """ "First Last" of a longer name, and "Mr/Ms … Last" (with any particles before the
    surname: "Mr van Dyke", "Mr Dyke") when the surname is distinctive."""
    words = name.split()
    if len(words) < 2:
        return []
    needles: list[Needle] = []
    first, last = words[0], words[-1]
    if len(words) > 2:
        needles.append(_words(f"{first} {last}", replacement, searched=True))
    if is_distinctive(last.strip('.,;:()"')):
        particles: list[str] = []
        for word in reversed(words[1:-1]):
            if word.casefold() not in COMMON_WORDS:
                break
            particles.insert(0, word)
        before = "".join(rf"(?:{re.escape(p)}\s+)?" for p in particles)
        titles = "|".join(TITLES)
        pattern = re.compile(
            rf"(?<!\w)(?P<keep>(?:{titles})\.?\s+){before}{re.escape(last)}(?!\w)", re.IGNORECASE
        )
        needles.append(Needle(pattern, replacement))
    return needles


def _email_needle(email: str, replacement: str) -> Needle:
    pattern = re.compile(rf"(?<![\w.+-]){re.escape(email)}(?![\w-]|\.\w)", re.IGNORECASE)
    return Needle(pattern, replacement, (email,))


def _local_part_needle(email: str) -> Needle | None:
    local = email.split("@", 1)[0]
    if not is_distinctive(local):
        return None
    pattern = re.compile(rf"(?<![\w.+-]){re.escape(local)}(?![\w+-]|\.\w)", re.IGNORECASE)
    return Needle(pattern, ERASED_TEXT)


def _phone_needle(phone: str) -> Needle | None:
    """The number by its digits, in its national (0…) and international (+44…) forms."""
    digits = re.sub(r"\D", "", phone)
    international = phone.strip().startswith("+") or digits.startswith("00")
    digits = digits[2:] if digits.startswith("00") else digits
    if international and not digits.startswith("44"):
        number, prefix = digits, rf"(?:{OPENING}(?:\+|00){PHONE_GAP})?"  # as written
    else:
        number = digits[2:] if international else digits
        number = number[1:] if number.startswith("0") else number
        country = rf"(?:(?:\+|00){PHONE_GAP})?44{PHONE_GAP}(?:\(0\){PHONE_GAP})?"
        prefix = rf"(?:{OPENING}{country}|{OPENING}0{PHONE_GAP})?"
    if len(number) < MIN_PHONE_DIGITS:
        return None
    body = PHONE_GAP.join(number)
    pattern = re.compile(rf"(?<![\d+]){prefix}{body}(?!\d)")
    return Needle(pattern, ERASED_TEXT, (number,), digits=True)


def identity(
    *,
    names: Iterable[str],
    emails: Iterable[str],
    phones: Iterable[str],
    name_placeholder: str,
    email_placeholder: str,
) -> Identity:
    """The needles for a person known by these names, addresses and numbers."""
    full = {" ".join(n.split()) for n in names if n and n.strip()}
    full = {n for n in full if not is_placeholder(n)}
    addresses = {
        e.strip().lower()
        for e in emails
        if e and "@" in e and not e.strip().lower().endswith("@" + ERASED_DOMAIN)
    }
    by_address = [_email_needle(e, email_placeholder) for e in sorted(addresses)]
    by_name: list[Needle] = []
    # Longer names first, so "Ann Smith-Jones" is replaced before "Ann Smith"; then variants.
    for name in sorted(full, key=len, reverse=True):
        if len(name) >= MIN_NAME_LENGTH:
            by_name.append(_words(name, name_placeholder, searched=True))
    for name in sorted(full, key=len, reverse=True):
        by_name += _variants(name, name_placeholder)
    by_number = [n for n in (_phone_needle(p) for p in sorted(set(phones)) if p) if n]
    # Name parts before email local parts: "Sam" of sam@… becomes the placeholder name.
    parts = set().union(*(_name_parts(n) for n in full)) if full else set()
    weak = [
        _words(p, name_placeholder, searched=False) for p in sorted(parts, key=len, reverse=True)
    ]
    weak += [n for n in (_local_part_needle(e) for e in sorted(addresses)) if n]
    return Identity(
        tuple(by_address + by_name + by_number), tuple(weak), tuple(by_address + by_number)
    )


def redact_text(value: str, needles: Iterable[Needle]) -> str:
    for needle in needles:
        value = needle.sub(value)
    return value


def redact_near(value: Any, identity: Identity, *, keys: bool = False) -> Any:
    """Strong needles everywhere in the value (with ``keys``: a JSON document's keys too);
    weak ones only in the strings where a strong one was found."""
    if isinstance(value, str):
        new = redact_text(value, identity.strong)
        return redact_text(new, identity.weak) if new != value else value
    if isinstance(value, list):
        return [redact_near(item, identity, keys=keys) for item in value]
    if isinstance(value, dict):
        return {
            (redact_text(k, identity.strong) if keys and isinstance(k, str) else k): redact_near(
                v, identity, keys=keys
            )
            for k, v in value.items()
        }
    return value


def mentions(value: Any, needles: Iterable[Needle]) -> bool:
    """Whether any of the needles is found in the value (of a JSON document: any string)."""
    if isinstance(value, str):
        return any(n.pattern.search(value) for n in needles)
    if isinstance(value, list):
        return any(mentions(item, needles) for item in value)
    if isinstance(value, dict):
        return any(mentions(k, needles) or mentions(v, needles) for k, v in value.items())
    return False


def redact_json(value: Any, needles: tuple[Needle, ...], *, keys: bool = True) -> Any:
    if isinstance(value, str):
        return redact_text(value, needles)
    if isinstance(value, list):
        return [redact_json(item, needles, keys=keys) for item in value]
    if isinstance(value, dict):
        return {
            (redact_text(k, needles) if keys and isinstance(k, str) else k): redact_json(
                v, needles, keys=keys
            )
            for k, v in value.items()
        }
    return value
