"""Import-linter contract types of our own (registered in pyproject.toml ``contract_types``).

``domain_entrances``: a domain is read and changed by other domains only through the modules
named as its entrances (``models``, ``queries``, ``services``). Every other module of a domain —
views, forms, CLI, demo data, imports, privacy hooks, navigation, jobs and any helper module — is
its own business. The app factory and the CLI registry (``exempt_importers``) wire domains
together and may import anything.
"""

from __future__ import annotations

from typing import Any

from importlinter import Contract, ContractCheck, fields, output


class DomainEntrancesContract(Contract):
    type_name = "domain_entrances"

    root = fields.StringField()
    entrances = fields.ListField(subfield=fields.StringField())
    exempt_importers = fields.ListField(subfield=fields.StringField(), required=False)
    #: Packages or modules anyone may import (``core``, and shared services split by topic).
    open_modules = fields.ListField(subfield=fields.StringField(), required=False)
    #: "importer -> imported" pairs, each justified in a comment beside it.
    allowed = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        root = str(self.root)
        entrances = {str(e) for e in self.entrances}  # type: ignore[attr-defined]
        exempt = {str(e) for e in (self.exempt_importers or [])}  # type: ignore[attr-defined]
        open_modules = tuple(
            f"{root}.{m}"
            for m in (self.open_modules or [])  # type: ignore[attr-defined]
        )
        allowed = {
            tuple(part.strip() for part in str(pair).split("->"))
            for pair in (self.allowed or [])  # type: ignore[attr-defined]
        }
        used: set[tuple[str, ...]] = set()
        broken: list[tuple[str, str]] = []
        for importer in sorted(graph.modules):
            parts = importer.split(".")
            if parts[0] != root or importer in exempt:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target = imported.split(".")
                if target[0] != root or len(target) < 3:
                    continue
                if len(parts) > 1 and parts[1] == target[1]:
                    continue  # inside one domain
                if target[2] in entrances:
                    continue
                if any(imported == m or imported.startswith(m + ".") for m in open_modules):
                    continue
                short = (importer.removeprefix(root + "."), imported.removeprefix(root + "."))
                if short in allowed:
                    used.add(short)
                    continue
                broken.append(short)
        unused = sorted(" -> ".join(pair) for pair in allowed - used)
        return ContractCheck(
            kept=not broken and not unused, metadata={"broken": broken, "unused": unused}
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported in check.metadata["broken"]:
            output.print_error(
                f"{importer} imports {imported}: read or change another domain only through "
                f"its {', '.join(sorted(str(e) for e in self.entrances))}"  # type: ignore[attr-defined]
            )
        for pair in check.metadata["unused"]:
            output.print_error(f"Allowed import no longer made (remove it): {pair}")
