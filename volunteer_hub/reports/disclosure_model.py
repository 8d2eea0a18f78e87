"""The disclosure audit's model of a value report: which figures a reader sees, how precisely,
and the relations between them (see :mod:`volunteer_hub.reports.disclosure` for the rules and
:mod:`volunteer_hub.reports.audit` for the solver)."""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from volunteer_hub.reports.audit import (
    HOURS,
    PEOPLE,
    VALUE,
    AuditError,
    Auditor,
    AuditResult,
    Aux,
    Cell,
    Key,
    Model,
    Protection,
    Relation,
    at_most,
    total_of,
)
from volunteer_hub.reports.audit import audit as run_audit
from volunteer_hub.reports.published import (
    HIDDEN,
    NHS7_LARGEST,
    TIMEBANK_ACTIVE,
    largest_suppressed,
    round5,
    typed,
)

SUPPRESSED = HIDDEN
PROFILES = ("k10", "nhs7")


@dataclass(frozen=True)
class ProtectionLevel:
    """How uncertain a small group's figures must stay: ``share`` either side of the true value,
    and at least ``hours`` hours, ``people`` people (and the value of ``hours`` hours)."""

    share: float = 0.25
    hours: float = 10.0
    people: float = 3.0


def count_interval(shown: int, profile: str, *, rounded: bool) -> tuple[float, float]:
    """What a reader knows of a published count: exact, or (``nhs7``) the counts that round to
    it (published counts there are 0 or at least 8)."""
    if not rounded or profile != "nhs7" or shown <= NHS7_LARGEST:
        return float(shown), float(shown)
    return float(max(NHS7_LARGEST + 1, shown - 2)), float(shown + 2)


def protection(level: ProtectionLevel, per_hour_pence: float) -> Protection:
    per_hour_pence = max(per_hour_pence, 1.0)
    return Protection(
        share=level.share,
        minimum={HOURS: level.hours, PEOPLE: level.people, VALUE: level.hours * per_hour_pence},
        width={HOURS: 1.0, PEOPLE: 1.0, VALUE: per_hour_pence},
    )


#: The breakdown tables of the value report, their key in the audit, and the column of each
#: measure (people, hours, value) they publish.
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "by_organisation": (
        "org",
        {PEOPLE: "active_volunteers", HOURS: "hours", VALUE: "value_generalist"},
    ),
    "by_role": ("role", {PEOPLE: "active_volunteers", HOURS: "hours", VALUE: "value_generalist"}),
    "by_month": ("month", {PEOPLE: "active_volunteers", HOURS: "hours"}),
    "by_frequency": ("band", {PEOPLE: "volunteers", HOURS: "hours"}),
}
#: Kept for readers of the old names: the column counting people in each breakdown.
PEOPLE_COLUMNS = {table: columns[PEOPLE] for table, (_kind, columns) in TABLES.items()}
#: Figures in a row that could reveal what its few people did, suppressed with its count.
ROW_FIGURES = ("hours", "value_generalist")
HOURS_SLACK, PENCE_SLACK = 0.005, 0.5
NAME_FIELDS = ("organisation", "role", "name", "month", "band")


def _hours(text: Any) -> float:
    return float(Decimal(str(text)))


def _pence(text: Any) -> float:
    return float(Decimal(str(text)) * 100)


def _figure(measure: str, value: Any) -> float:
    if measure == PEOPLE:
        return float(int(value))
    return _hours(value) if measure == HOURS else _pence(value)


def _interval(measure: str, value: Any, profile: str, *, rounded: bool) -> tuple[float, float]:
    """What a reader knows of a published figure: its rounding to the hundredth of an hour or
    the penny; a count is exact, or rounded to 5 in ``nhs7`` (``rounded``)."""
    if measure == PEOPLE:
        return count_interval(int(value), profile, rounded=rounded)
    if measure == HOURS:
        return max(0.0, _hours(value) - HOURS_SLACK), _hours(value) + HOURS_SLACK
    return max(0.0, _pence(value) - PENCE_SLACK), _pence(value) + PENCE_SLACK


def _per_hour(report: dict[str, Any]) -> Decimal:
    return Decimal(str(report["value"]["generalist"]["rate"])) * (
        1 + Decimal(str(report["method"]["oncost"]))
    )


def value_model(
    report: dict[str, Any],
    profile: str,
    k: int,
    level: ProtectionLevel,
    *,
    shown: dict[str, Any] | None = None,
    prefix: Key = (),
) -> tuple[Model, set[Key]]:
    """The audit's model of a value report, and its sensitive cells. Published figures are read
    from ``shown`` (the published JSON) where given and not hidden, else taken from ``report`` as
    they would be published. The report's own figures are read typed (Decimals and counts, see
    :func:`volunteer_hub.reports.published.shown_tree`) where it carries them."""
    full = typed(report)
    view = shown if shown is not None else full
    model = Model({}, [], protection(level, float(_per_hour(full) * 100)), _slack())
    total = (*prefix, "total")
    model.add(
        Cell(
            total,
            {
                HOURS: _hours(full["total_hours"]),
                VALUE: _pence(full["value"]["generalist"]["amount"]),
                PEOPLE: float(full["active_volunteers"]),
            },
            {
                HOURS: _interval(HOURS, view["total_hours"], profile, rounded=False),
                VALUE: _interval(
                    VALUE, view["value"]["generalist"]["amount"], profile, rounded=False
                ),
                PEOPLE: _interval(PEOPLE, view["active_volunteers"], profile, rounded=False),
            },
            hideable=False,
            label="the report's totals",
        )
    )
    new = int(full["new_volunteers"])
    shown_new = view["new_volunteers"]
    model.add(
        Cell(
            (*prefix, "new"),
            {PEOPLE: float(new)},
            {PEOPLE: _pair(new if shown_new == SUPPRESSED else shown_new)},
            floor={PEOPLE: 1.0},
            sensitive=0 < new < k,
            hideable=new > 0,
            size=(new,),
            label="new volunteers",
        )
    )
    model.relations.append(at_most(PEOPLE, (*prefix, "new"), total))
    sensitive = {(*prefix, "new")} if 0 < new < k else set()
    keys = _table_cells(model, full, shown, profile, k, prefix, sensitive)
    _relations(model, full, keys, total, prefix, getattr(report, "role_shares", None))
    return model, sensitive


def _table_cells(
    model: Model,
    report: dict[str, Any],
    shown: dict[str, Any] | None,
    profile: str,
    k: int,
    prefix: Key,
    sensitive: set[Key],
) -> dict[str, list[Key]]:
    """A cell for each row of each breakdown table (adding the small groups to ``sensitive``),
    and each table's keys."""
    largest = largest_suppressed(profile, k)
    view = shown if shown is not None else report

    def as_shown(measure: str, value: Any, published: Any) -> tuple[float, float]:
        if shown is not None and published != SUPPRESSED:
            return _interval(measure, published, profile, rounded=True)
        if measure == PEOPLE and profile == "nhs7" and int(value) > largest:
            value = round5(int(value))
        return _interval(measure, value, profile, rounded=True)

    keys: dict[str, list[Key]] = {}
    for table, (kind, columns) in TABLES.items():
        keys[table] = []
        for index, row in enumerate(report[table]):
            key = (*prefix, kind, index)
            keys[table].append(key)
            people = int(row[columns[PEOPLE]])
            published_row = view[table][index]
            name = " / ".join(str(row[f]) for f in NAME_FIELDS if f in row)
            model.add(
                Cell(
                    key,
                    {m: _figure(m, row[column]) for m, column in columns.items()},
                    {
                        m: as_shown(m, row[column], published_row[column])
                        for m, column in columns.items()
                    },
                    floor={PEOPLE: 1.0},
                    sensitive=0 < people <= largest,
                    hideable=people > 0,
                    size=(people, _hours(row["hours"])),
                    label=f"{name} ({table})",
                )
            )
            if 0 < people <= largest:
                sensitive.add(key)
    return keys


def _pair(value: Any) -> tuple[float, float]:
    return float(int(value)), float(int(value))


def _slack() -> dict[str, float]:
    return {HOURS: HOURS_SLACK, VALUE: PENCE_SLACK, PEOPLE: 0.0}


def _relations(
    model: Model,
    report: dict[str, Any],
    keys: dict[str, list[Key]],
    total: Key,
    prefix: Key,
    shares: Any,
) -> None:
    orgs, roles = keys["by_organisation"], keys["by_role"]
    relations = model.relations
    # Organisations within the total; roles within their organisation (matched by name, as a
    # reader would).
    if orgs:
        relations.append(total_of(HOURS, total, orgs))
        relations.append(total_of(VALUE, total, orgs))
        relations += [at_most(PEOPLE, org, total) for org in orgs]
        relations.append(total_of(PEOPLE, total, orgs, equal=False))
    org_by_name: dict[str, list[Key]] = defaultdict(list)
    for key, row in zip(orgs, report["by_organisation"], strict=True):
        org_by_name[str(row["name"])].append(key)
    roles_by_name: dict[str, list[Key]] = defaultdict(list)
    for key, row in zip(roles, report["by_role"], strict=True):
        roles_by_name[str(row["organisation"])].append(key)
    for name, members in roles_by_name.items():
        parents = org_by_name.get(name)
        if not parents:
            raise AuditError(f"role rows name an organisation with no row: {name}")
        sums = Relation(HOURS, (*((p, 1.0) for p in parents), *((m, -1.0) for m in members)))
        relations.append(sums)
        relations.append(Relation(VALUE, tuple((k, c) for k, c in sums.terms)))
        relations += [at_most(PEOPLE, member, parents) for member in members]
        relations.append(
            Relation(
                PEOPLE,
                (*((p, 1.0) for p in parents), *((m, -1.0) for m in members)),
                equal=False,
            )
        )
    # Months within the period, bands within the total.
    months, bands = keys["by_month"], keys["by_frequency"]
    if months:
        relations.append(total_of(HOURS, total, months))
        relations += [at_most(PEOPLE, month, total) for month in months]
        relations.append(total_of(PEOPLE, total, months, equal=False))
    if bands:
        relations.append(total_of(HOURS, total, bands))
        relations.append(total_of(PEOPLE, total, bands))
    _specialist(model, report, roles, total, prefix, shares)


def _specialist(
    model: Model, report: dict[str, Any], roles: list[Key], total: Key, prefix: Key, shares: Any
) -> None:
    """The specialist value and its coverage, as equations over each role's hours at each rate."""
    specialist = report["value"]["specialist"]
    coverage = specialist["coverage"]
    trivial = (coverage is None or str(coverage) == "0.0") and str(specialist["amount"]) == str(
        report["value"]["generalist"]["amount"]
    )
    if not shares or len(shares) != len(roles):
        if trivial:
            return
        raise AuditError("the report does not say how its hours split between occupation rates")
    base = _per_hour(report)
    weighted: list[tuple[Key, float]] = []
    covered: list[Key] = []
    for index, (role, parts) in enumerate(zip(roles, shares, strict=True)):
        merged: dict[tuple[Decimal, bool], int] = defaultdict(int)
        for part in parts:
            merged[(part.per_hour, part.occupation)] += part.seconds
        if len(merged) == 1:
            ((per_hour, occupation),) = merged
            weighted.append((role, float(per_hour / base) if base else 1.0))
            if occupation:
                covered.append(role)
            continue
        members = []
        for number, (per_hour, occupation) in enumerate(sorted(merged)):
            key = (*prefix, "part", index, number)
            model.aux[key] = Aux(key, HOURS)
            members.append(key)
            weighted.append((key, float(per_hour / base) if base else 1.0))
            if occupation:
                covered.append(key)
        model.relations.append(total_of(HOURS, role, members))
    if any(abs(c - 1.0) > 1e-12 for _key, c in weighted) and base:
        amount = Decimal(str(specialist["amount"]))
        key = (*prefix, "specialist")
        model.aux[key] = Aux(
            key,
            HOURS,
            float((amount - Decimal("0.005")) / base),
            float((amount + Decimal("0.005")) / base),
        )
        model.relations.append(Relation(HOURS, (*weighted, (key, -1.0))))
    if covered and coverage is not None:
        hours = Decimal(str(report["total_hours"]))
        share = Decimal(str(coverage))
        key = (*prefix, "covered")
        low = max(Decimal(0), (share - Decimal("0.05")) / 100 * (hours - Decimal("0.005")))
        high = (share + Decimal("0.05")) / 100 * (hours + Decimal("0.005"))
        model.aux[key] = Aux(key, HOURS, float(low), float(high))
        model.relations.append(total_of(HOURS, key, covered))


def apply_hidden(
    report: dict[str, Any], hidden: frozenset[Key], profile: str, k: int, prefix: Key = ()
) -> dict[str, Any]:
    """The report with hidden rows' figures as ``[c]`` (and counts rounded in ``nhs7``)."""
    published = copy.deepcopy(report)
    if (*prefix, "new") in hidden:
        published["new_volunteers"] = SUPPRESSED
    largest = largest_suppressed(profile, k)
    for table, (kind, columns) in TABLES.items():
        for index, row in enumerate(published[table]):
            if (*prefix, kind, index) in hidden:
                for column in columns.values():
                    row[column] = SUPPRESSED
            elif profile == "nhs7":
                people = int(row[columns[PEOPLE]])
                assert not 0 < people <= largest, "a small group is always hidden"
                row[columns[PEOPLE]] = round5(people) if people else 0
    protect_unlinked(report, published, largest)
    return published


def protect_unlinked(report: dict[str, Any], published: dict[str, Any], largest: int) -> None:
    """Figures no published total contains, so primary suppression is enough for them: the
    employer-time hours of a small group (1 to ``largest`` volunteers), and a time bank's
    activity with a small group of active members (its membership, with a small group of
    members)."""
    people = int(getattr(report, "employer_time_people", 0) or 0)
    if 0 < people <= largest:
        published["employer_time_hours"] = SUPPRESSED
    timebank = published.get("timebank")
    if isinstance(timebank, dict):
        timebank = published["timebank"] = dict(timebank)
        if 0 < _count(timebank.get("active_members")) <= largest:
            for key in TIMEBANK_ACTIVE:
                timebank[key] = SUPPRESSED
        if 0 < _count(timebank.get("members")) <= largest:
            timebank["members"] = SUPPRESSED


def _count(value: Any) -> int:
    return value if isinstance(value, int) else 0


def hidden_cells(published: dict[str, Any], prefix: Key = ()) -> set[Key]:
    """The cells a published report shows as ``[c]``; a row is hidden whole or not at all."""
    hidden: set[Key] = set()
    if published["new_volunteers"] == SUPPRESSED:
        hidden.add((*prefix, "new"))
    for table, (kind, columns) in TABLES.items():
        for index, row in enumerate(published[table]):
            marks = {row[column] == SUPPRESSED for column in columns.values()}
            if marks == {True}:
                hidden.add((*prefix, kind, index))
            elif len(marks) > 1:
                raise AuditError(f"row {index} of {table} is partly hidden")
    return hidden


def _check_shown(report: dict[str, Any], published: dict[str, Any], profile: str, k: int) -> None:
    """Every figure that is not hidden is the report's own (a count rounded in ``nhs7``)."""
    expected = apply_hidden(report, frozenset(hidden_cells(published)), profile, k)
    # Figures in no relation may be hidden on their own (a report read back from its JSON no
    # longer says how many people gave the employer-time hours): hiding more is always safe.
    if published.get("employer_time_hours") == SUPPRESSED:
        expected["employer_time_hours"] = SUPPRESSED
    timebank = published.get("timebank")
    if isinstance(timebank, dict) and isinstance(expected.get("timebank"), dict):
        expected["timebank"] = {
            key: SUPPRESSED if timebank.get(key) == SUPPRESSED else value
            for key, value in expected["timebank"].items()
        }
    for key, value in expected.items():
        if key != "disclosure" and published.get(key) != value:
            raise AuditError(f"the published {key} differs from the report's")


def audit_report(
    report: dict[str, Any],
    published: dict[str, Any],
    profile: str = "k10",
    k: int = 10,
    level: ProtectionLevel | None = None,
    *,
    auditor: Auditor | None = None,
) -> AuditResult:
    """The audit of a published value report against the full one it was made from: raises
    AuditError if a small group is shown or a figure was changed; else the interval of every
    hidden figure and whether it is wide enough."""
    level = level or ProtectionLevel()
    model, sensitive = value_model(report, profile, k, level, shown=published)
    hidden = hidden_cells(published)
    shown_small = sorted(sensitive - hidden, key=repr)
    if shown_small:
        raise AuditError(f"{model.cells[shown_small[0]].label} is a small group and is shown")
    _check_shown(report, published, profile, k)
    return run_audit(model, hidden, auditor=auditor)
