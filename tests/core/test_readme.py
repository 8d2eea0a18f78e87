"""The README tells the truth about the code: every command and every domain is listed, none is
"to come", and the tests folders it names exist."""

from __future__ import annotations

import re
from pathlib import Path

import click

from volunteer_hub.config import ROOT

README = (Path(ROOT) / "README.md").read_text(encoding="utf-8")
#: Flask's and its extensions' own commands, not the service's.
NOT_OURS = {"db", "limiter", "routes", "run", "shell"}


def _section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_every_command_of_every_group_is_in_the_readme(app) -> None:
    listed = _section("Command-line interface")
    missing = []
    for name, group in sorted(app.cli.commands.items()):
        if name in NOT_OURS:
            continue
        commands = group.commands if isinstance(group, click.Group) else {"": group}
        for command in commands:
            line = f"flask --app wsgi {name} {command}".rstrip()
            if not re.search(rf"{re.escape(line)}(\s|$)", listed):
                missing.append(line)
    assert missing == [], f"add these to the README's command-line section: {missing}"


def test_every_domain_is_in_the_domain_map_and_none_is_to_come() -> None:
    table = _section("Domain map")
    assert "to come" not in table
    package = Path(ROOT) / "volunteer_hub"
    domains = sorted(p.name for p in package.iterdir() if (p / "__init__.py").exists())
    missing = [d for d in domains if f"`{d}`" not in table]
    assert missing == [], f"add these domains to the README's domain map: {missing}"


def test_the_layout_names_tests_folders_that_exist() -> None:
    layout = _section("Layout")
    assert "mirroring the package" not in layout
    named = set(re.findall(r"\b([a-z0-9]+)/", layout.split("tests/", 1)[1].split("docs/")[0]))
    named.discard("tests")
    assert len(named) >= 5
    for folder in named:
        assert (Path(ROOT) / "tests" / folder).is_dir(), folder
    actual = {p.name for p in (Path(ROOT) / "tests").iterdir() if (p / "__init__.py").exists()}
    assert actual <= named, f"add these tests folders to the README's layout: {actual - named}"
