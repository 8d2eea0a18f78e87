"""Pages build GOV.UK components through macros (GOV.UK Frontend's or the project's own in
templates/components/), not hand-written component markup, so captions, header scopes, numeric
columns and hidden button text come from one place. The reports' templates (pages and PDFs) are
checked too; only the components themselves write the markup."""

from __future__ import annotations

import re
from pathlib import Path

from volunteer_hub.config import ROOT

TEMPLATES = ROOT / "templates"
HAND_WRITTEN = re.compile(
    r'class="(govuk-table|govuk-summary-list|govuk-tag|govuk-button|govuk-inset-text|'
    r'govuk-warning-text|govuk-panel|govuk-details|govuk-error-summary|govuk-pagination)[ "]'
)


def _pages() -> list[Path]:
    return [
        path
        for path in sorted(TEMPLATES.rglob("*.html"))
        if not path.relative_to(TEMPLATES).as_posix().startswith("components/")
    ]


def test_components_come_from_macros() -> None:
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(1)}"
        for path in _pages()
        for match in HAND_WRITTEN.finditer(path.read_text("utf-8"))
    ]
    assert not found, "hand-written component markup:\n" + "\n".join(found)
