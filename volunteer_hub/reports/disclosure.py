"""Disclosure control for every figure that leaves the organisation.

Two entry points, both ending in the disclosure audit (:mod:`volunteer_hub.reports.audit`):

- ``apply_disclosure_control(table, profile)`` takes a table of counts (a pandas DataFrame: rows
  are groups such as "Ethnicity", columns the categories) and returns the table to publish, with
  a ``Total`` column, suppressed cells shown as ``[c]``. Used for the equality profile.
- :func:`publish` (and :func:`for_partners`, its settings given) turns a value report into what
  partners receive — the API, the ``--published`` command, and the partner's pages and files all
  use it — and :func:`publish_quarterly` does the same for the board's quarterly comparison.

Profiles (shared/docs/value-of-volunteering.md):
- ``k10`` (default): counts 1 to k−1 (k = 10 unless set) are suppressed; zero is shown. Then
  secondary suppression: in a table of counts, in any row or column with exactly one suppressed
  cell, the next smallest cell is suppressed too, repeated until no row or column has exactly one;
  then, and in the value report from the start, more cells as the audit requires.
- ``nhs7``: 0 stays 0, 1 to 7 are suppressed, every other count is rounded to the nearest 5;
  totals are computed from the unrounded data, then rounded. Hours and money are not rounded, so
  the audit adds secondary suppression here too.

The audit (run on the very object about to be released; a report that fails it, for whatever
reason, is not released): every hidden figure is unknown, every published one is known to within
its rounding, and the relations a reader knows are written as linear equations and inequalities.
For the value report, per measure:

- hours and value (pence), which add up exactly: organisations sum to the report's total; the
  roles of an organisation sum to its row; months sum to the total; frequency bands sum to the
  total; and, where occupation rates are loaded, each role's hours split between its occupation
  codes, whose hours at their rates sum to the published specialist value and whose covered hours
  give the published coverage (assuming a reader knows each role's occupation code);
- people, which do not add up across roles, organisations or months (one person can volunteer in
  two): a role has at most its organisation's people, an organisation at most its roles' sum; an
  organisation or a month has at most the report's active volunteers, and all organisations (and
  all months) together at least that; frequency bands do add up (each volunteer is in one band);
  new volunteers are at most the active volunteers.

A hidden row is a group of fewer than k people (sensitive) or hidden to protect one. Each
sensitive figure must be uncertain to at least ±25% and at least 10 hours / 3 people / the value
of 10 hours (``DISCLOSURE_PROTECTION_SHARE``, ``_HOURS``, ``_PEOPLE``); no hidden figure may be
worked out exactly. Secondary cells are chosen smallest first and unneeded ones published again.
"""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from volunteer_hub.reports.audit import (
    PEOPLE,
    AuditError,
    Auditor,
    Cell,
    Key,
    Model,
    at_most,
    protect,
    total_of,
)
from volunteer_hub.reports.audit import audit as run_audit
from volunteer_hub.reports.cache import derived
from volunteer_hub.reports.disclosure_model import (
    PEOPLE_COLUMNS,
    PROFILES,
    ROW_FIGURES,
    SUPPRESSED,
    TABLES,
    ProtectionLevel,
    apply_hidden,
    audit_report,
    count_interval,
    hidden_cells,
    largest_suppressed,
    protection,
    round5,
    value_model,
)
from volunteer_hub.reports.published import Disclosure, ValueReport, render_json, unlinked

if TYPE_CHECKING:  # pandas loads on first use, so commands and the API start quickly
    import pandas as pd

    from volunteer_hub.reports.figures import ValueFigures

__all__ = [
    "PEOPLE_COLUMNS",
    "PROFILES",
    "ROW_FIGURES",
    "SUPPRESSED",
    "TABLES",
    "AuditFailed",
    "NotPublished",
    "ProtectionLevel",
    "TooFewToPublish",
    "apply_disclosure_control",
    "audit_report",
    "for_partners",
    "percentages",
    "publish",
    "publish_quarterly",
]


class NotPublished(ValueError):
    """The report is not released to partners; ``str()`` is the message for them."""

    status = 400


class TooFewToPublish(NotPublished):
    """The selection covers fewer people than the minimum group size."""


class AuditFailed(NotPublished):
    """The disclosure audit failed or could not run; ``reason`` says why (for operators)."""

    status = 422
    MESSAGE = (
        "This report cannot be published to partners: the disclosure check could not confirm "
        "that its hidden figures cannot be worked out from the published ones. Choose a longer "
        "period or all organisations, or ask the volunteer centre."
    )

    def __init__(self, reason: str) -> None:
        super().__init__(self.MESSAGE)
        self.reason = " ".join(reason.split())


# -- tables of counts (the equality profile) ----------------------------------------------------


def _validate(table: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    if table.empty:
        return table.astype(int)
    values = table.to_numpy()
    for value in values.flat:
        if pd.isna(value) or int(value) != value or value < 0:
            raise ValueError("disclosure control takes whole, non-negative counts")
    return table.astype(int)


def _secondary(mask: list[list[bool]], values: list[list[int]]) -> None:
    """Suppress the next smallest cell in any row/column with exactly one suppressed cell."""
    rows, cols = len(values), len(values[0]) if values else 0
    changed = True
    while changed:
        changed = False
        lines = [[(r, c) for c in range(cols)] for r in range(rows)]
        if rows > 1:
            lines += [[(r, c) for r in range(rows)] for c in range(cols)]
        for line in lines:
            suppressed = [cell for cell in line if mask[cell[0]][cell[1]]]
            if len(suppressed) != 1:
                continue
            candidates = [
                cell for cell in line if not mask[cell[0]][cell[1]] and values[cell[0]][cell[1]] > 0
            ]
            if not candidates:
                continue
            r, c = min(candidates, key=lambda cell: (values[cell[0]][cell[1]], cell))
            mask[r][c] = True
            changed = True


def _audit_table(
    values: list[list[int]], mask: list[list[bool]], profile: str, k: int, level: ProtectionLevel
) -> None:
    """Hide more cells until every row passes the audit against its published total."""
    largest = largest_suppressed(profile, k)
    model = Model({}, [], protection(level, 1.0), {PEOPLE: 0.0})
    for r, row in enumerate(values):
        total = sum(row)
        shown_total = round5(total) if profile == "nhs7" else total
        low, high = count_interval(shown_total, profile, rounded=True)
        model.add(
            Cell((r, "total"), {PEOPLE: total}, {PEOPLE: (max(0.0, low), high)}, hideable=False)
        )
        for c, value in enumerate(row):
            shown = round5(value) if profile == "nhs7" and value > largest else value
            model.add(
                Cell(
                    (r, c),
                    {PEOPLE: value},
                    {PEOPLE: count_interval(shown, profile, rounded=True)},
                    floor={PEOPLE: 1.0},
                    sensitive=0 < value <= largest,
                    hideable=value > 0,
                    size=(value,),
                    label=f"row {r}, column {c}",
                )
            )
        model.relations.append(total_of(PEOPLE, (r, "total"), [(r, c) for c in range(len(row))]))
    start = {(r, c) for r, row in enumerate(mask) for c, hidden in enumerate(row) if hidden}
    try:
        hidden = protect(model, start, prune=False)
        result = run_audit(model, hidden)
    except AuditError as error:
        raise AuditFailed(str(error)) from error
    except Exception as error:  # the solver or anything else: the table is not shown
        raise AuditFailed(f"the disclosure audit could not run: {error!r}") from error
    if not result.passed:
        raise AuditFailed(result.failures[0].describe())
    for r, c in hidden:
        mask[r][c] = True


def apply_disclosure_control(
    table: pd.DataFrame, profile: str = "k10", *, k: int = 10, level: ProtectionLevel | None = None
) -> pd.DataFrame:
    """Raises AuditFailed when no suppression protects the small counts (the table is then not
    to be shown)."""
    if profile not in PROFILES:
        raise ValueError(
            f"unknown disclosure profile {profile!r}; use one of {', '.join(PROFILES)}"
        )
    import pandas as pd

    counts = _validate(table)
    values = [[int(v) for v in row] for row in counts.to_numpy().tolist()]
    totals = [sum(row) for row in values]
    largest = largest_suppressed(profile, k)
    mask = [[0 < v <= largest for v in row] for row in values]
    if profile == "k10":
        _secondary(mask, values)
    if values and values[0]:
        _audit_table(values, mask, profile, k, level or ProtectionLevel())
    if profile == "nhs7":
        out: list[list[Any]] = [
            [SUPPRESSED if mask[r][c] else 0 if v == 0 else round5(v) for c, v in enumerate(row)]
            for r, row in enumerate(values)
        ]
        total_column = [round5(t) for t in totals]
    else:
        out = [
            [SUPPRESSED if mask[r][c] else v for c, v in enumerate(row)]
            for r, row in enumerate(values)
        ]
        total_column = totals
    result = pd.DataFrame(out, index=counts.index, columns=counts.columns, dtype=object)
    result["Total"] = total_column
    return result


def percentages(published: pd.DataFrame) -> pd.DataFrame:
    """Row percentages (one decimal) for unsuppressed cells only; suppressed stay ``[c]``."""
    out = published.copy()
    for index, row in published.iterrows():
        total = row["Total"]
        for column in published.columns:
            if column == "Total":
                continue
            value = row[column]
            out.at[index, column] = (
                SUPPRESSED
                if value == SUPPRESSED or not total
                else str(
                    (Decimal(value) * 100 / Decimal(total)).quantize(
                        Decimal("0.1"), rounding=ROUND_HALF_UP
                    )
                )
            )
    return out.drop(columns=["Total"])


def for_partners(
    report: dict[str, Any],
    profile: str = "k10",
    *,
    k: int = 10,
    level: ProtectionLevel | None = None,
) -> dict[str, Any]:
    """The value report as partners may see it. No selection covering fewer than ``k`` active
    volunteers (raises TooFewToPublish); rows of fewer than k people (1 to 7 in ``nhs7``) are
    hidden with their hours and value, and as many more as the audit needs; the result is
    audited before it is returned (raises AuditFailed). Other figures are unchanged."""
    if profile not in PROFILES:
        raise ValueError(
            f"unknown disclosure profile {profile!r}; use one of {', '.join(PROFILES)}"
        )
    active = int(report["active_volunteers"])
    if 0 < active < k:
        raise TooFewToPublish(
            f"This selection covers fewer than {k} active volunteers, so to protect their "
            "privacy it is not published to partners; choose a longer period or every "
            "organisation."
        )
    level = level or ProtectionLevel()
    try:
        model, sensitive = value_model(report, profile, k, level)
        auditor = Auditor(model)
        hidden = protect(model, sensitive, auditor=auditor)
        published = _release(report, hidden, profile, k)
        # The audit proper, read from the object about to be released (reusing what was solved
        # when that object's figures and relations are the same as those protected).
        result = audit_report(report, published, profile, k, level, auditor=auditor)
    except AuditError as error:
        raise AuditFailed(str(error)) from error
    except Exception as error:  # the solver or anything else: the report is not released
        raise AuditFailed(f"the disclosure audit could not run: {error!r}") from error
    if not result.passed:
        raise AuditFailed(result.failures[0].describe())
    return published


def decide(figures: ValueFigures, hidden: frozenset[Key], profile: str, k: int) -> Disclosure:
    """The typed decision for a report's figures: the rows the audit's protection hides, and
    the figures in no total hidden for their own small groups."""
    employer_time, timebank = unlinked(figures, profile, k)
    return Disclosure(profile, k, hidden, employer_time, timebank)


def _release(
    report: dict[str, Any], hidden: frozenset[Key], profile: str, k: int
) -> dict[str, Any]:
    """The object to release: the report's typed figures rendered with the disclosure decided
    for them; a report given only as JSON (hand-made tables) has its figures hidden in place."""
    figures = getattr(report, "figures", None)
    if figures is not None:
        return render_json(figures, decide(figures, hidden, profile, k))
    published = apply_hidden(report, hidden, profile, k)
    published["disclosure"] = {
        "profile": profile,
        "k": k,
        "note": Disclosure(profile, k).note,
    }
    return published


def settings() -> tuple[str, int, ProtectionLevel]:
    """The profile, minimum group and protection level configured for this application."""
    from flask import current_app

    config = current_app.config
    level = ProtectionLevel(
        share=float(config.get("DISCLOSURE_PROTECTION_SHARE", 0.25)),
        hours=float(config.get("DISCLOSURE_PROTECTION_HOURS", 10)),
        people=float(config.get("DISCLOSURE_PROTECTION_PEOPLE", 3)),
    )
    if not (level.share >= 0 and math.isfinite(level.share)) or level.hours < 0 or level.people < 0:
        raise AuditFailed("the disclosure protection level is not set correctly")
    return (
        str(config.get("DISCLOSURE_PROFILE", "k10")),
        int(config.get("DISCLOSURE_MIN_GROUP", 10)),
        level,
    )


def publish(report: dict[str, Any]) -> dict[str, Any]:
    """The one published (audited) form of a value report, with this application's settings:
    what the API returns, ``flask report value --published`` prints, and partners' pages and
    files show. Raises TooFewToPublish or AuditFailed (logged with its reason)."""
    from flask import current_app

    try:
        profile, k, level = settings()
        source = getattr(report, "source", None)
        if source is None:  # not from build_value_report (hand-made reports: tests, tools)
            return for_partners(report, profile, k=k, level=level)
        # The same report and settings give the same published object: it is worked out (and
        # audited) once, then shared by every viewer until the data changes.
        *parts, version = source
        return derived(
            "published-value",
            (*parts, profile, k, level),
            version,
            lambda: for_partners(report, profile, k=k, level=level),
        )
    except AuditFailed as failure:
        current_app.logger.warning("Disclosure audit failed, not published: %s", failure.reason)
        raise


def publish_quarterly(
    reports: dict[str, dict[str, Any]], *, same_period: bool
) -> dict[str, dict[str, Any] | None]:
    """The quarterly comparison as published: ``this_quarter`` (raises if it cannot be
    published), ``year_to_date`` and ``same_quarter_last_year`` (None when not published).

    Each is first published on its own, exactly as the API and pages show it. Then the columns
    are audited together where they add up: the year to date contains this quarter, so its new
    volunteers are at least this quarter's (equal when the periods are the same); other headline
    figures of those columns are never hidden and the same quarter last year shares nothing with
    them. If needed, the year to date's new volunteers are hidden too."""
    from flask import current_app

    published: dict[str, dict[str, Any] | None] = {}
    quarter = publish(reports["this_quarter"])
    published["this_quarter"] = quarter
    for key in ("year_to_date", "same_quarter_last_year"):
        try:
            published[key] = publish(reports[key])
        except NotPublished:
            published[key] = None
    to_date = published["year_to_date"]
    if to_date is None:
        return published
    try:
        profile, k, level = settings()
        model, _sensitive = value_model(
            reports["this_quarter"], profile, k, level, shown=quarter, prefix=("quarter",)
        )
        quarter_cells = frozenset(model.cells)
        hidden = hidden_cells(quarter, ("quarter",))
        new = int(reports["year_to_date"]["new_volunteers"])
        model.add(
            Cell(
                ("to_date", "new"),
                {PEOPLE: float(new)},
                {PEOPLE: (float(new), float(new))},
                floor={PEOPLE: 1.0},
                sensitive=0 < new < k,
                hideable=new > 0,
                size=(new,),
                label="new volunteers in the year to date",
            )
        )
        if to_date["new_volunteers"] == SUPPRESSED:
            hidden.add(("to_date", "new"))
        relation = (
            total_of(PEOPLE, ("to_date", "new"), [("quarter", "new")])
            if same_period
            else at_most(PEOPLE, ("quarter", "new"), ("to_date", "new"))
        )
        model.relations.append(relation)
        chosen = protect(model, hidden, frozen=quarter_cells, prune=False)
        result = run_audit(model, chosen)
        if not result.passed:
            raise AuditError(result.failures[0].describe())
    except Exception as error:  # whatever the reason, the comparison is not released
        reason = str(error) if isinstance(error, AuditError) else f"could not run: {error!r}"
        current_app.logger.warning("Quarterly disclosure audit failed: %s", reason)
        raise AuditFailed(reason) from error
    if ("to_date", "new") in chosen:
        decided = getattr(to_date, "disclosure", None)
        if isinstance(to_date, ValueReport) and to_date.figures and decided is not None:
            decided = replace(decided, hidden=decided.hidden | {("new",)})
            published["year_to_date"] = render_json(to_date.figures, decided)
        else:
            to_date["new_volunteers"] = SUPPRESSED
    return published
