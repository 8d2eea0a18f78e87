"""The disclosure audit: can a hidden figure be worked out from what is published?

A published object (one report, or several published together) is described as a :class:`Model`:
*cells*, each with one or more *measures* (hours, value in pence, people), and the linear
relations between them that a reader of the published figures knows to hold — a total is the
sum of its parts; the people in a part are no more than those in the whole. Relations are
written per measure, homogeneous (``Σ coefficient × figure = 0`` or ``≤ 0``), so a published
total is simply a cell whose figure is known.

Given the hidden cells, :class:`Auditor` treats each hidden figure as unknown (non-negative and
at least its a-priori floor: a listed row has at least one person), every published figure as
known to within its rounding, and solves two linear programmes per hidden figure (HiGHS:
:mod:`volunteer_hub.reports.solver`) for its smallest and largest possible value. Hidden figures
linked only through published ones are independent, so each connected group of hidden figures is
solved on its own and remembered. A figure published as a range (a count rounded to the nearest
5 in ``nhs7``, or any range wider than :data:`LINK_WIDTH`) is an unknown that its groups share,
so groups linked through it are solved together (solved apart, each would let it take a
different value, and the intervals would be wider than a reader could really be left with).

A hidden cell passes when, for each of its measures,
- it is *sensitive* (a group of fewer than the minimum number of people): the interval reaches
  at least ``p`` either side of the true value ``x`` (below only as far as the floor allows), with
  ``p = max(share × x, minimum)``: by default ±25% and at least 10 hours, 3 people, or the value
  of 10 hours;
- otherwise (hidden only to protect others): it cannot be worked out exactly, the interval being
  at least one unit wide (an hour, a person, the value of an hour).

:func:`protect` chooses what to hide: from the sensitive cells, while a hidden cell fails, hide
the smallest published cell that shares a relation with it (directly or through other hidden
cells) and makes it pass, or else the one that helps most; then publish again, largest first, any
secondary cell the audit does not need.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Key = tuple[Any, ...]
HOURS, VALUE, PEOPLE = "hours", "value", "people"
INF = math.inf
#: A published figure whose range is wider than this links the hidden figures on either side of
#: it into one group. Narrower ranges (hours to the hundredth, money to the penny) are treated
#: as points for grouping; that can widen an interval by at most the range, far below any
#: protection level.
LINK_WIDTH = {HOURS: 0.02, VALUE: 2.0, PEOPLE: 0.0}


class AuditError(Exception):
    """The audit could not be completed or could not be passed; the report must not be released."""


class NotProtectable(AuditError):
    """No choice of further hidden cells protects this cell."""


@dataclass
class Cell:
    key: Key
    #: True figure of each measure (rounded as in the full report).
    true: dict[str, float]
    #: What a reader knows of each figure when it is published: (lowest, highest) allowed by its
    #: rounding, or by the rounding of the count in the ``nhs7`` profile.
    shown: dict[str, tuple[float, float]]
    #: What a reader knows of each figure when it is hidden: at least this (default 0).
    floor: dict[str, float] = field(default_factory=dict)
    sensitive: bool = False
    hideable: bool = True
    #: Order for "smallest first" (people, then hours).
    size: tuple[float, ...] = ()
    label: str = ""


@dataclass(frozen=True)
class Aux:
    """An unknown that is never published (part of a figure, an earlier period), with bounds."""

    key: Key
    measure: str
    low: float = 0.0
    high: float = INF


@dataclass(frozen=True)
class Relation:
    measure: str
    terms: tuple[tuple[Key, float], ...]
    equal: bool = True  # Σ coefficient × figure == 0, else <= 0


def total_of(measure: str, total: Key, parts: Iterable[Key], *, equal: bool = True) -> Relation:
    """``total = Σ parts`` (``equal``) or ``total ≤ Σ parts``."""
    return Relation(measure, ((total, 1.0), *((part, -1.0) for part in parts)), equal)


def at_most(measure: str, part: Key, whole: Key | Iterable[Key]) -> Relation:
    """``part ≤ whole`` (or ≤ the sum of several wholes)."""
    wholes = [whole] if isinstance(whole, tuple) else list(whole)
    return Relation(measure, ((part, 1.0), *((w, -1.0) for w in wholes)), False)


@dataclass(frozen=True)
class Protection:
    share: float
    #: Per measure: the least half-width of a sensitive figure's interval.
    minimum: Mapping[str, float]
    #: Per measure: the least width of any hidden figure's interval.
    width: Mapping[str, float]


@dataclass
class Model:
    cells: dict[Key, Cell]
    relations: list[Relation]
    protection: Protection
    #: Half the rounding step of a published figure in each measure (for the self-check).
    slack: Mapping[str, float]
    aux: dict[Key, Aux] = field(default_factory=dict)

    def add(self, cell: Cell) -> Cell:
        self.cells[cell.key] = cell
        return cell


@dataclass(frozen=True)
class Check:
    key: Key
    label: str
    measure: str
    sensitive: bool
    true: float
    low: float
    high: float
    need_low: float
    need_high: float

    @property
    def ok(self) -> bool:
        return self.low <= self.need_low and self.high >= self.need_high

    @property
    def shortfall(self) -> float:
        scale = max(self.need_high - self.need_low, 1e-9)
        return (max(0.0, self.low - self.need_low) + max(0.0, self.need_high - self.high)) / scale

    def describe(self) -> str:
        kind = "small group" if self.sensitive else "hidden figure"
        return (
            f"{self.label or self.key} ({kind}): {self.measure} could be worked out as "
            f"{self.low:g} to {self.high:g}, which is not wide enough"
        )


@dataclass(frozen=True)
class AuditResult:
    checks: tuple[Check, ...]

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]

    @property
    def passed(self) -> bool:
        return not self.failures


class Auditor:
    """Intervals of hidden figures for one model, remembered per connected group."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.measures = sorted({r.measure for r in model.relations} | _measures(model))
        self.by_measure: dict[str, list[Relation]] = {m: [] for m in self.measures}
        for relation in model.relations:
            self.by_measure[relation.measure].append(relation)
        self.touching: dict[tuple[str, Key], list[int]] = {}
        for measure, relations in self.by_measure.items():
            for index, relation in enumerate(relations):
                for key, _coefficient in relation.terms:
                    self.touching.setdefault((measure, key), []).append(index)
        self.scale = {m: self._scale(m) for m in self.measures}
        self.memo: dict[
            tuple[str, frozenset[Key], frozenset[Key]], dict[Key, tuple[float, float]]
        ] = {}
        self.partitions: dict[tuple[str, frozenset[Key]], dict[Key, frozenset[Key]]] = {}
        self.solves = 0

    # -- intervals ---------------------------------------------------------------------------

    def _scale(self, measure: str) -> float:
        values = [abs(c.true[measure]) for c in self.model.cells.values() if measure in c.true]
        values += [
            abs(bound)
            for c in self.model.cells.values()
            for bound in c.shown.get(measure, ())
            if math.isfinite(bound)
        ]
        values += [
            abs(bound)
            for a in self.model.aux.values()
            if a.measure == measure
            for bound in (a.low, a.high)
            if math.isfinite(bound)
        ]
        return max([1.0, *values])

    def _groups(self, measure: str, hidden: frozenset[Key]) -> dict[Key, frozenset[Key]]:
        """Each hidden figure's group: the hidden figures (and unknown parts) linked to it
        through relations, found once per hidden set."""
        known = self.partitions.get((measure, hidden))
        if known is not None:
            return known
        relations = self.by_measure[measure]
        free = {k for k in hidden if measure in self.model.cells[k].true}
        free |= {k for k, aux in self.model.aux.items() if aux.measure == measure}
        link_width = LINK_WIDTH.get(measure, 0.0)
        linking = {
            k
            for k, cell in self.model.cells.items()
            if k not in hidden
            and measure in cell.shown
            and cell.shown[measure][1] - cell.shown[measure][0] > link_width
        }
        out: dict[Key, frozenset[Key]] = {}
        seen_relations: set[int] = set()
        for start in sorted(free, key=repr):
            if start in out:
                continue
            group = {start}
            frontier = [start]
            while frontier:
                key = frontier.pop()
                for index in self.touching.get((measure, key), []):
                    if index in seen_relations:
                        continue
                    seen_relations.add(index)
                    for other, _coefficient in relations[index].terms:
                        if (other in free or other in linking) and other not in group:
                            group.add(other)
                            frontier.append(other)
            frozen = frozenset(group)
            for key in group:
                if key in free:
                    out[key] = frozen
        self.partitions[(measure, hidden)] = out
        return out

    def interval(self, measure: str, hidden: frozenset[Key], key: Key) -> tuple[float, float]:
        group = self._groups(measure, hidden)[key]
        # The same keys can form a group with different ones hidden (a range-published figure
        # links groups): the memo is per group and which of its figures are hidden.
        memo_key = (measure, group, group & hidden)
        known = self.memo.get(memo_key)
        if known is None:
            known = self.memo[memo_key] = self._solve(measure, hidden, group)
        return known[key]

    def _programme(
        self, measure: str, hidden: frozenset[Key], group: frozenset[Key]
    ) -> tuple[dict[Key, int], list[tuple[float, float]], dict[bool, list[tuple[int, int, float]]]]:
        """The group's programme (scaled): variables, their bounds, and the entries of the
        equality (True) and inequality (False) rows."""
        relations = self.by_measure[measure]
        indices = sorted({i for k in group for i in self.touching.get((measure, k), [])})
        scale = self.scale[measure]
        variables: dict[Key, int] = {}
        bounds: list[tuple[float, float]] = []

        def variable(k: Key) -> int:
            if k not in variables:
                variables[k] = len(bounds)
                if k in self.model.aux:
                    low, high = self.model.aux[k].low, self.model.aux[k].high
                elif k in hidden:
                    low, high = self.model.cells[k].floor.get(measure, 0.0), INF
                else:
                    low, high = self.model.cells[k].shown[measure]
                bounds.append((low / scale, high / scale))
            return variables[k]

        for k in sorted(group, key=repr):
            variable(k)
        entries: dict[bool, list[tuple[int, int, float]]] = {True: [], False: []}
        rows = {True: 0, False: 0}
        for index in indices:
            relation = relations[index]
            for k, coefficient in relation.terms:
                entries[relation.equal].append((rows[relation.equal], variable(k), coefficient))
            rows[relation.equal] += 1
        return variables, bounds, entries

    def _solve(
        self, measure: str, hidden: frozenset[Key], group: frozenset[Key]
    ) -> dict[Key, tuple[float, float]]:
        """The smallest and largest value of every hidden figure of the group."""
        from volunteer_hub.reports.solver import SolverError, extremes

        targets = sorted((k for k in group if k in hidden), key=repr)
        variables, bounds, entries = self._programme(measure, hidden, group)
        if not entries[True] and not entries[False]:  # in no relation: only the floor is known
            return {k: (self.model.cells[k].floor.get(measure, 0.0), INF) for k in targets}
        self.solves += 1
        try:
            ends = extremes(bounds, entries, [variables[k] for k in targets])
        except SolverError as error:
            raise AuditError(
                f"a disclosure-audit programme ({measure}) did not solve: {error}"
            ) from error
        scale = self.scale[measure]
        return {
            key: (low * scale, high * scale) for key, (low, high) in zip(targets, ends, strict=True)
        }

    # -- checks ------------------------------------------------------------------------------

    def check(self, hidden: frozenset[Key], key: Key) -> list[Check]:
        cell = self.model.cells[key]
        protection = self.model.protection
        out = []
        for measure, true in sorted(cell.true.items()):
            if measure not in self.by_measure:
                continue
            low, high = self.interval(measure, hidden, key)
            scale = self.scale[measure]
            slack = self.model.slack.get(measure, 0.0) + 1e-6 * scale
            if not (low - slack <= true <= high + slack):
                raise AuditError(
                    f"the audit's model does not fit the figures: {cell.label or key} "
                    f"({measure}) is {true:g}, outside {low:g} to {high:g}"
                )
            if measure == PEOPLE:  # whole people: round inwards
                nudge = min(0.4, 1e-6 * scale)
                low = float(math.ceil(low - nudge))
                high = float(math.floor(high + nudge)) if math.isfinite(high) else high
            tolerance = 1e-7 * scale
            floor = cell.floor.get(measure, 0.0)
            if cell.sensitive:
                margin = max(protection.share * true, protection.minimum[measure])
                need_low, need_high = max(floor, true - margin), true + margin
            else:
                # At least ``width`` wide, wherever the interval lies.
                width = protection.width[measure]
                need_low, need_high = low, low + width
            out.append(
                Check(
                    key,
                    cell.label,
                    measure,
                    cell.sensitive,
                    true,
                    low,
                    high,
                    need_low + tolerance,
                    need_high - tolerance,
                )
            )
        return out

    def first_failure(self, hidden: frozenset[Key]) -> Check | None:
        for key in self.order(hidden):
            for check in self.check(hidden, key):
                if not check.ok:
                    return check
        return None

    def audit(self, hidden: frozenset[Key]) -> AuditResult:
        return AuditResult(tuple(c for key in self.order(hidden) for c in self.check(hidden, key)))

    def order(self, keys: Iterable[Key]) -> list[Key]:
        """Sensitive cells first, then smallest first; stable."""
        cells = self.model.cells
        return sorted(keys, key=lambda k: (not cells[k].sensitive, cells[k].size, repr(k)))

    # -- choosing secondary cells -------------------------------------------------------------

    def candidates(
        self, hidden: frozenset[Key], key: Key, frozen: frozenset[Key], excluded: set[Key]
    ) -> list[Key]:
        """Published cells sharing a relation with ``key`` or with hidden cells linked to it."""
        group: set[Key] = {key}
        frontier = [key]
        found: set[Key] = set()
        while frontier:
            current = frontier.pop()
            for measure in self.measures:
                for index in self.touching.get((measure, current), []):
                    for other, _coefficient in self.by_measure[measure][index].terms:
                        if other in group:
                            continue
                        if other in hidden or other in self.model.aux:
                            group.add(other)
                            frontier.append(other)
                        elif other in self.model.cells:
                            cell = self.model.cells[other]
                            if (
                                cell.hideable
                                and other not in frozen
                                and other not in excluded
                                and any(v > 0 for v in cell.true.values())
                            ):
                                found.add(other)
        cells = self.model.cells
        return sorted(found, key=lambda k: (cells[k].size, repr(k)))


def _measures(model: Model) -> set[str]:
    return {m for cell in model.cells.values() for m in cell.true}


def protect(
    model: Model,
    start: Iterable[Key],
    *,
    frozen: Iterable[Key] = (),
    prune: bool = True,
    tries: int = 12,
    auditor: Auditor | None = None,
) -> frozenset[Key]:
    """The cells to hide: ``start`` (kept hidden) and as few more as the audit needs.

    ``frozen`` cells keep their state (hidden if in ``start``, else published). Raises
    :class:`NotProtectable` when no choice of published cells protects a hidden one. An
    ``auditor`` of the same model may be passed to keep what it has solved."""
    auditor = auditor if auditor is not None and auditor.model is model else Auditor(model)
    kept = frozenset(start)
    fixed = frozenset(frozen)
    hidden = set(kept)
    excluded: set[Key] = set()
    for _step in range(2 * len(model.cells) + 2):
        current = frozenset(hidden)
        failure = auditor.first_failure(current)
        if failure is None:
            break
        if not failure.sensitive and failure.key not in kept:
            # A secondary cell that can itself be worked out protects nothing: publish it.
            hidden.discard(failure.key)
            excluded.add(failure.key)
            continue
        options = auditor.candidates(current, failure.key, fixed, excluded)
        if not options:
            raise NotProtectable(failure.describe())
        hidden.add(_best(auditor, current, failure, options, tries))
    else:  # pragma: no cover - each step hides or excludes a cell, so this cannot run out
        raise NotProtectable("the choice of cells to hide did not settle")
    if prune:
        for key in reversed(auditor.order(hidden - kept - fixed)):
            trial = frozenset(hidden - {key})
            if auditor.first_failure(trial) is None:
                hidden.discard(key)
    return frozenset(hidden)


def _best(
    auditor: Auditor, hidden: frozenset[Key], failure: Check, options: list[Key], tries: int
) -> Key:
    """The smallest option that makes the failing cell pass; else the one that helps most;
    else the smallest (widening the search next time)."""
    before = sum(c.shortfall for c in auditor.check(hidden, failure.key))
    best, best_shortfall = options[0], before
    for option in options[:tries]:
        checks = auditor.check(hidden | {option}, failure.key)
        if all(c.ok for c in checks):
            return option
        shortfall = sum(c.shortfall for c in checks)
        if shortfall < best_shortfall - 1e-9:
            best, best_shortfall = option, shortfall
    return best


def audit(model: Model, hidden: Iterable[Key], *, auditor: Auditor | None = None) -> AuditResult:
    """The audit of ``model`` with ``hidden`` cells; an ``auditor`` of an equal model (the same
    figures and relations, hence the same programmes) is reused."""
    if auditor is None or auditor.model != model:
        auditor = Auditor(model)
    return auditor.audit(frozenset(hidden))
