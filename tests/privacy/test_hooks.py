"""Privacy walks the hooks each domain registers: every domain that holds a person's data in
its tables does its own export and erasure, and every retention kind has its step."""

from __future__ import annotations

from flask import Flask

from volunteer_hub.core.privacy_hooks import registry
from volunteer_hub.privacy.export import COVERED
from volunteer_hub.privacy.redaction import EMPTIED_VIA
from volunteer_hub.privacy.retention import DEFAULTS

PEOPLE = {"applicants", "volunteers"}


def _domain(hook: object) -> str:
    module = getattr(hook, "__module__", "")
    parts = module.split(".")
    assert parts[0] == "volunteer_hub", module
    # A domain's hooks live in its privacy.py; privacy's own in the privacy package.
    assert parts[-1] == "privacy" or parts[1] == "privacy", module
    return parts[1]


def test_every_retention_kind_but_people_has_a_domain_step(app: Flask) -> None:
    assert set(registry.purge) == set(DEFAULTS) - PEOPLE
    assert all(_domain(step) != "privacy" for step in registry.purge.values())


def test_every_exported_table_is_exported_by_its_own_domain(app: Flask) -> None:
    exporting = {_domain(hook) for _position, hook in registry.export}
    owners = {table.split("_")[0] for table in COVERED}
    assert owners <= exporting, sorted(owners - exporting)


def test_every_domain_with_rows_of_a_person_erases_them_itself(app: Flask) -> None:
    erasing = {_domain(hook) for _position, hook in registry.erase}
    owners = {key.split("_")[0] for key in EMPTIED_VIA}
    # Placements hold no free text of the volunteer's: redaction empties the rest.
    assert owners - {"placements"} <= erasing, sorted(owners - erasing)


def test_hooks_run_in_a_fixed_order(app: Flask) -> None:
    for entries in (registry.identify, registry.export, registry.erase):
        positions = [position for position, _hook in entries]
        assert positions == sorted(positions)
        assert len(set(positions)) == len(positions)
