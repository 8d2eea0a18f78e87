"""Every domain is built the same way (docs/architecture.md): the files each domain has, where
forms and reads live, and the size limits that tell a domain it needs one more file.

Complexity (mccabe over 20, more than 80 statements) is checked by ruff (C901, PLR0915 in
pyproject.toml) and repeated blocks by pylint's duplicate-code (``make lint``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "volunteer_hub"
#: Shared pieces with no domain logic, not a domain.
NOT_DOMAINS = {"core", "__pycache__"}
DOMAINS = sorted(
    path.name
    for path in PACKAGE.iterdir()
    if path.is_dir() and path.name not in NOT_DOMAINS and (path / "__init__.py").exists()
)
REQUIRED = ("models", "services", "queries", "forms", "views")
OPTIONAL = ("cli", "imports", "demo", "privacy", "navigation", "jobs")
#: The few domains without one of the required files, and why.
WITHOUT = {
    ("admin", "models"): "admin owns no tables: it shows and changes other domains' data",
    ("admin", "services"): "admin changes state only through other domains' services",
    ("jobs", "services"): "runs are recorded by the queue itself (jobs/queue.py)",
    ("jobs", "forms"): "the jobs page only reads; nothing is posted",
    ("privacy", "services"): "its commands are erasure.py, export.py, retention.py, consents.py",
    ("reports", "services"): "reports change nothing but subscriptions (subscriptions.py)",
    ("reports", "queries"): "reports read other domains' queries; value.py computes",
}
MODULE_LINES = 600
FUNCTION_LINES = 80


def _has(domain: str, name: str) -> bool:
    return (PACKAGE / domain / f"{name}.py").exists() or (PACKAGE / domain / name).is_dir()


def _modules(*names: str) -> list[Path]:
    found: list[Path] = []
    for domain in DOMAINS:
        for name in names:
            path = PACKAGE / domain / name
            found += sorted(path.rglob("*.py")) if path.is_dir() else []
            found += [p for p in [PACKAGE / domain / f"{name}.py"] if p.exists()]
    return found


def test_the_domains_are_the_ones_the_architecture_names() -> None:
    assert "accounts" in DOMAINS and "timebank" in DOMAINS
    assert len(DOMAINS) >= 18, DOMAINS


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_domain_has_the_anatomy(domain: str) -> None:
    missing = [
        name for name in REQUIRED if not _has(domain, name) and (domain, name) not in WITHOUT
    ]
    assert not missing, f"{domain} has no {', '.join(missing)} (add it, or say why in WITHOUT)"
    docstring = ast.get_docstring(ast.parse((PACKAGE / domain / "__init__.py").read_text()))
    assert docstring and len(docstring) > 80, f"{domain}/__init__.py must state its rules"


def test_every_exception_is_still_needed() -> None:
    stale = [pair for pair in WITHOUT if _has(*pair)]
    assert not stale, f"remove from WITHOUT: {stale}"


def _python_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_is_too_long() -> None:
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in _python_files()
        if (lines := path.read_text().count("\n")) > MODULE_LINES
    }
    assert not long, f"modules over {MODULE_LINES} lines (split by topic): {long}"


def test_no_function_is_too_long() -> None:
    long = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > FUNCTION_LINES:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} {lines}")
    assert not long, f"functions over {FUNCTION_LINES} lines: {long}"


def _bases(node: ast.ClassDef) -> set[str]:
    return {ast.unparse(base).rsplit(".", 1)[-1] for base in node.bases}


def test_form_classes_live_in_forms_modules() -> None:
    misplaced = []
    for path in _python_files():
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "core" or "forms" in relative.parts or path.stem == "forms":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(b.endswith("Form") for b in _bases(node)):
                misplaced.append(f"{relative}: {node.name}")
    assert not misplaced, f"form classes outside forms.py: {misplaced}"


def test_views_do_not_query() -> None:
    querying = []
    for path in _modules("views"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] == "select":
                querying.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not querying, f"select() in views (move it to the domain's queries.py): {querying}"


def test_models_subclass_the_typed_alias() -> None:
    untyped = [
        str(path.relative_to(PACKAGE))
        for path in _python_files()
        if "(db.Model)" in path.read_text() or "ignore[name-defined]" in path.read_text()
    ]
    assert not untyped, f"subclass extensions.Model, not db.Model with an ignore: {untyped}"
