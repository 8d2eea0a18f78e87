"""The equality profile of the volunteers active in a report's period, disclosure-controlled.

Answers are read only here, only in aggregate, and only for a period/organisation with at least
the minimum group size (``DISCLOSURE_MIN_GROUP``) of active volunteers; below it the profile is
withheld rather than shown, so no filter can isolate a small group.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import current_app

from volunteer_hub.hours.queries import active_volunteer_count, active_volunteers
from volunteer_hub.reports.cache import by_content, cached
from volunteer_hub.reports.disclosure import (
    AuditFailed,
    apply_disclosure_control,
    percentages,
    settings,
)
from volunteer_hub.reports.disclosure_model import ProtectionLevel
from volunteer_hub.reports.figures import Period
from volunteer_hub.volunteers.equality import (
    PREFER_NOT_TO_SAY,
    QUESTIONS,
    answers_of,
    group_of,
    reporting_groups,
)

PREFER_LABEL = "Prefer not to say"
CANNOT_CONFIRM = (
    "The equality profile cannot be shown: the disclosure check could not confirm that its "
    "hidden counts cannot be worked out from the others."
)
NOT_ANSWERED = "Not answered"


def equality_profile(period: Period, organisation_id: int | None) -> dict[str, Any]:
    """``{"withheld": reason | None, "profile": k10|nhs7, "questions": [...]}``; each question
    has ``columns`` (labels), ``cells`` (published counts or ``[c]``), ``percentages`` and
    ``total``."""
    profile = str(current_app.config.get("DISCLOSURE_PROFILE", "k10"))
    k = int(current_app.config.get("DISCLOSURE_MIN_GROUP", 10))
    try:
        level = settings()[2]
        # The counts once per period, organisation and version of the data; their disclosure
        # control and audit once per content: the same counts and settings give the same
        # published profile, whatever else changed (an approval of someone already active in
        # the period changes no count). A failed audit raises through the cache, never kept.
        total, all_counts = cached(
            "equality-counts",
            (period.start, period.end, organisation_id),
            lambda: _counts(period, organisation_id, k),
        )
        content = (
            total,
            None
            if all_counts is None
            else tuple((q, tuple(sorted(c.items()))) for q, c in sorted(all_counts.items())),
        )
        return by_content(
            "equality-published",
            (content, profile, k, level),
            lambda: _published(all_counts, profile, k, level),
        )
    except AuditFailed as failure:
        current_app.logger.warning("Equality profile not published: %s", failure.reason)
        return {"withheld": CANNOT_CONFIRM, "profile": profile, "k": k, "questions": []}


def _published(
    all_counts: dict[str, Counter[str]] | None, profile: str, k: int, level: ProtectionLevel
) -> dict[str, Any]:
    result: dict[str, Any] = {"withheld": None, "profile": profile, "k": k, "questions": []}
    if all_counts is None:
        result["withheld"] = (
            f"The equality profile is not shown for fewer than {k} active volunteers, so that "
            "nobody can be identified."
        )
        return result
    import pandas as pd  # loaded on first use, so commands and the API start quickly

    for question, (label, _options) in QUESTIONS.items():
        counts = all_counts[question]
        groups = [*reporting_groups(question), PREFER_LABEL, NOT_ANSWERED]
        table = pd.DataFrame([[counts[g] for g in groups]], index=[label], columns=groups)
        # AuditFailed goes up to equality_profile, which withholds the profile (never kept).
        published = apply_disclosure_control(table, profile, k=k, level=level)
        shares = percentages(published)
        result["questions"].append(
            {
                "question": question,
                "label": label,
                "columns": groups,
                "cells": [_plain(published.iloc[0][g]) for g in groups],
                "percentages": [_plain(shares.iloc[0][g]) for g in groups],
                "total": _plain(published.iloc[0]["Total"]),
            }
        )
    return result


def _counts(
    period: Period, organisation_id: int | None, k: int
) -> tuple[int, dict[str, Counter[str]] | None]:
    """The active volunteers, and each question's answers counted by reporting group (None
    below ``k`` active volunteers: then the answers are not read). Counts only, never a
    person's answers: this is what the report cache keeps, per data version; the published
    profile made from it (disclosure control and its audit) is kept by these counts and the
    settings (:func:`~volunteer_hub.reports.cache.by_content`)."""
    total_active = active_volunteer_count(period.start, period.end, organisation_id)
    if total_active < k:
        return total_active, None
    answers = answers_of(active_volunteers(period.start, period.end, organisation_id))
    answered = len(answers)
    result: dict[str, Counter[str]] = {}
    for index, question in enumerate(QUESTIONS):
        counts: Counter[str] = Counter()
        for row in answers:
            value = row[index]
            if value is None:
                counts[NOT_ANSWERED] += 1
            elif value == PREFER_NOT_TO_SAY:
                counts[PREFER_LABEL] += 1
            else:
                counts[group_of(question, value)] += 1
        counts[NOT_ANSWERED] += total_active - answered
        result[question] = counts
    return total_active, result


def _plain(value: Any) -> Any:
    """numpy scalars → Python ints, so the profile serialises to JSON."""
    return value if isinstance(value, str) else int(value)
