"""Redaction's rules: every foreign key into the person's records is classified, and the person's
name parts, email and phone are recognised however they are written."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import JSON, String

from volunteer_hub.extensions import db
from volunteer_hub.privacy.redaction import (
    EMPTIED_VIA,
    ERASED_TEXT,
    KEPT,
    NOT_FOLLOWED,
    PARENTS_VIA,
    PROFILES,
    REDACTED_VIA,
    identity,
    redact_json,
    redact_text,
)

PLACEHOLDER = "Erased person 7"
PLACEHOLDER_EMAIL = "erased-3@erased.invalid"
SAM = identity(
    names=["Sam Lindqvist", "Sam  Lindqvist"],
    emails=["Slindq77@Example.test"],
    phones=["07700 900123"],
    name_placeholder=PLACEHOLDER,
    email_placeholder=PLACEHOLDER_EMAIL,
)


def _foreign_keys() -> dict[str, str]:
    """``table.column`` → the table it refers to, for every foreign key in the metadata."""
    return {
        f"{table.name}.{column.name}": foreign_key.column.table.name
        for table in db.metadata.sorted_tables
        for column in table.columns
        for foreign_key in column.foreign_keys
    }


def test_every_foreign_key_into_the_persons_records_is_classified(app: Flask) -> None:
    keys = _foreign_keys()
    followed = EMPTIED_VIA | REDACTED_VIA
    named = followed | NOT_FOLLOWED | PARENTS_VIA
    assert named <= set(keys), f"not foreign keys (renamed?): {sorted(named - set(keys))}"
    assert not EMPTIED_VIA & REDACTED_VIA
    assert not followed & NOT_FOLLOWED

    reached = set(PROFILES)
    while True:
        more = {key.split(".")[0] for key in followed if keys[key] in reached}
        more |= {keys[key] for key in PARENTS_VIA if key.split(".")[0] in reached}
        if more <= reached:
            break
        reached |= more
    classified = followed | NOT_FOLLOWED
    into = [key for key, parent in keys.items() if parent in reached]
    unclassified = sorted(key for key in into if key not in classified)
    assert unclassified == [], (
        "a new foreign key leads into a person's records: add it to EMPTIED_VIA (the row is "
        "theirs alone), REDACTED_VIA (shared, or a record kept) or NOT_FOLLOWED (who acted) in "
        "volunteer_hub/privacy/redaction/tables.py"
    )


def test_kept_columns_exist_and_are_text(app: Flask) -> None:
    columns = {
        f"{table.name}.{column.name}": column
        for table in db.metadata.sorted_tables
        for column in table.columns
    }
    assert set(columns) >= KEPT, sorted(KEPT - set(columns))
    assert all(isinstance(columns[name].type, String | JSON) for name in KEPT)


@pytest.mark.parametrize(
    "written",
    [
        "07700 900123",
        "07700900123",
        "07700 900 123",
        "07700-900-123",
        "0 7 7 0 0 9 0 0 1 2 3",
        "(07700) 900123",
        "07700.900.123",
        "+44 7700 900123",
        "+447700900123",
        "+44 (0)7700 900123",
        "0044 7700 900 123",
        "44 7700 900123",
        "(+44) 7700 900123",
        "7700 900123",
    ],
)
def test_a_phone_number_is_found_in_any_format(written: str) -> None:
    text = f"Call {written}, after six"
    assert redact_text(text, SAM.needles) == f"Call {ERASED_TEXT}, after six"


def test_a_bracket_around_the_whole_number_stays() -> None:
    text = "Upset (+44 7700 900123) and (07700 900123)"
    assert redact_text(text, SAM.needles) == f"Upset ({ERASED_TEXT}) and ({ERASED_TEXT})"


@pytest.mark.parametrize("other", ["077009001234", "07700 900124", "107700900123"])
def test_other_numbers_are_left(other: str) -> None:
    assert redact_text(f"Ref {other}", SAM.needles) == f"Ref {other}"


def test_each_part_of_the_name_is_a_whole_word_in_any_case() -> None:
    text = "Sam's form: SAM and mr lindqvist (Lindqvist-Sam) met Samantha and Samuel"
    assert redact_text(text, SAM.needles) == (
        f"{PLACEHOLDER}'s form: {PLACEHOLDER} and mr {PLACEHOLDER} "
        f"({PLACEHOLDER}-{PLACEHOLDER}) met Samantha and Samuel"
    )


def test_the_email_and_its_local_part_are_replaced() -> None:
    text = "Wrote to SLINDQ77@example.test, then to slindq77@gmail.example; ask slindq77."
    assert redact_text(text, SAM.needles) == (
        f"Wrote to {PLACEHOLDER_EMAIL}, then to {ERASED_TEXT}@gmail.example; ask {ERASED_TEXT}."
    )


def test_the_whole_name_is_searched_everywhere_its_parts_only_where_attached() -> None:
    assert {n.replacement for n in SAM.weak} == {PLACEHOLDER, ERASED_TEXT}
    assert all(not n.search for n in SAM.weak), "parts are never searched for in every table"
    assert redact_text("Sam Lindqvist rang", SAM.strong) == f"{PLACEHOLDER} rang"
    assert redact_text("Sam rang", SAM.strong) == "Sam rang"


def test_json_values_are_redacted_and_keys_kept_for_parts() -> None:
    details = {"reason": "Sam was late", "sam": ["07700 900 123"], "n": 3}
    assert redact_json(details, SAM.weak + SAM.strong, keys=False) == {
        "reason": f"{PLACEHOLDER} was late",
        "sam": [ERASED_TEXT],
        "n": 3,
    }


def test_short_parts_and_placeholder_words_are_not_redacted() -> None:
    person = identity(
        names=["J Person-Ng"],
        emails=["j@example.test"],
        phones=["123"],
        name_placeholder=PLACEHOLDER,
        email_placeholder=PLACEHOLDER_EMAIL,
    )
    assert redact_text("J and Ng; a person; j@example.test", person.needles) == (
        f"J and Ng; a person; {PLACEHOLDER_EMAIL}"
    )


WILL = identity(
    names=["Will van Dyke", "Maria de la Cruz"],
    emails=["will@example.org"],
    phones=["07700 900123"],
    name_placeholder=PLACEHOLDER,
    email_placeholder=PLACEHOLDER_EMAIL,
)


@pytest.mark.parametrize(
    "text",
    [
        "I will pick you up in my van tomorrow",
        "Reunión de la comunidad",
        "Will you bring the van? It may rain",
        "Marian de Cruzado",
    ],
)
def test_particles_and_common_words_are_never_redacted_on_their_own(text: str) -> None:
    assert redact_text(text, WILL.needles) == text


def test_the_full_name_and_its_variants_are_strong() -> None:
    text = (
        "Will van Dyke, WILL DYKE, Mr van Dyke, mr. dyke, Maria de la Cruz, Maria Cruz, "
        "Ms de la Cruz, Dr Cruz; will@example.org"
    )
    assert redact_text(text, WILL.strong) == (
        f"{PLACEHOLDER}, {PLACEHOLDER}, Mr {PLACEHOLDER}, mr. {PLACEHOLDER}, {PLACEHOLDER}, "
        f"{PLACEHOLDER}, Ms {PLACEHOLDER}, Dr {PLACEHOLDER}; {PLACEHOLDER_EMAIL}"
    )
    assert {n.pattern.pattern for n in WILL.contact} <= {n.pattern.pattern for n in WILL.strong}
    assert len(WILL.contact) == 2  # the address and the number


def test_distinctive_parts_only_are_weak() -> None:
    text = "Dyke and Cruz; will, van, de, la, Maria"
    assert redact_text(text, WILL.weak) == (
        f"{PLACEHOLDER} and {PLACEHOLDER}; will, van, de, la, {PLACEHOLDER}"
    )


def test_a_surname_that_is_a_common_word_has_no_title_variant() -> None:
    person = identity(
        names=["Ann White"],
        emails=[],
        phones=[],
        name_placeholder=PLACEHOLDER,
        email_placeholder=PLACEHOLDER_EMAIL,
    )
    assert redact_text("Mr White's white van; Ann White", person.needles) == (
        f"Mr White's white van; {PLACEHOLDER}"
    )
