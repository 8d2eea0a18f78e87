"""``purge``, which applies the retention schedule (``flask retention purge``).

The schedule is in ``schedule`` (re-exported here). People inactive for longer than their
setting are erased (``erasure.erase``); every other kind is a step its domain registers
(``core.privacy_hooks.purge``): DBS records and references (recruitment), receipt files and the
end of paid claims' holds (expenses), the end of concerns' holds (supervision), the audit log and
the outbox (accounts). A volunteer's last activity is the latest of the dates the domains report
(``core.privacy_hooks.activity``). Each step picks only records that still need doing, so a
second run with the same clock purges nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.core.dates import add_months
from volunteer_hub.core.privacy_hooks import REMOVED, REMOVED_EMAIL
from volunteer_hub.extensions import db
from volunteer_hub.privacy import redaction
from volunteer_hub.privacy.erasure import erase
from volunteer_hub.privacy.people import erased_volunteer_ids, people
from volunteer_hub.privacy.schedule import DEFAULTS, VERBS, schedule
from volunteer_hub.volunteers.models import Volunteer

__all__ = [
    "DEFAULTS",
    "REMOVED",
    "REMOVED_EMAIL",
    "VERBS",
    "add_months",
    "inactive_people",
    "last_activity",
    "purge",
    "schedule",
]


def last_activity(today: date) -> dict[int, date]:
    """Each volunteer's last activity: the latest of the dates each domain reports (profile
    changes, sign-ins, applications, placements (an open placement counts as today), hours,
    supervision, training, expenses, time-bank exchanges)."""
    latest: dict[int, date] = {}

    def take(rows: Iterable[Any]) -> None:
        for vid, *values in rows:
            for value in values:
                day = hooks.as_date(value)
                if day is not None and (vid not in latest or day > latest[vid]):
                    latest[vid] = day

    for activity in hooks.registry.activity:
        take(activity(today))
    return latest


def _staff_user_ids() -> set[int]:
    """People who work for the centre or an organisation: never erased by retention."""
    ids: set[int] = set()
    for staff in hooks.registry.staff:
        ids |= staff()
    return ids


def inactive_people(today: date) -> dict[str, list[int]]:
    """Volunteer ids due for erasure: ``applicants`` (never placed, no hours) and
    ``volunteers`` (placed, or with hours)."""
    settings = schedule()
    found: dict[str, list[int]] = {"applicants": [], "volunteers": []}
    if settings["applicants"] is None and settings["volunteers"] is None:
        return found
    erased = erased_volunteer_ids()
    staff = _staff_user_ids()
    placed: set[int] = set()
    for hook in hooks.registry.placed:
        placed |= hook()
    activity = last_activity(today)
    for vid, user_id in people():
        if vid in erased or (user_id is not None and user_id in staff):
            continue
        kind = "volunteers" if vid in placed else "applicants"
        months = settings[kind]
        if months is None:
            continue
        if activity.get(vid, today) < add_months(today, -months):
            found[kind].append(vid)
    return found


def _erase_people(ids: list[int], today: date, dry_run: bool) -> int:
    if dry_run:
        return len(ids)
    for vid in ids:
        volunteer = db.session.get(Volunteer, vid)
        if volunteer is not None:
            erase(actor=None, volunteer=volunteer, today=today)
    return len(ids)


def empty_rows(table: str, ids: list[int], done: list[bool]) -> int:
    """Empty the other free text of these rows (and the rows under them, and their audit
    events) in one ``redaction.redact``; how many rows changed (what the caller did, or their
    own row emptied)."""
    if not ids:
        return 0
    emptied = redaction.redact(redaction.Identity(), start={table: set(ids)})
    return sum(
        changed or (table, row_id) in emptied.emptied_rows
        for row_id, changed in zip(ids, done, strict=True)
    )


def _step(kind: str, purge: hooks.Purge) -> int:
    step = hooks.registry.purge.get(kind)
    if step is None:
        raise LookupError(f"retention: no domain registered the {kind!r} step")
    return step(purge)


def purge(today: date, dry_run: bool) -> list[tuple[str, int]]:
    """Apply the schedule: ``[(kind, records anonymised or deleted)]`` in ``DEFAULTS`` order
    (with ``dry_run``: what would be, changing nothing). Flushes, never commits; receipt files
    are deleted once the transaction commits."""
    settings = schedule()
    people_due = inactive_people(today)
    leaving = set(people_due["applicants"]) | set(people_due["volunteers"]) if dry_run else set()
    counts: list[tuple[str, int]] = []
    for kind, months in settings.items():
        if months is None:
            counts.append((kind, 0))
        elif kind in people_due:
            counts.append((kind, _erase_people(people_due[kind], today, dry_run)))
        else:
            step = hooks.Purge(
                today=today,
                months=months,
                dry_run=dry_run,
                schedule=settings,
                leaving=leaving,
                erased=erased_volunteer_ids(),
                empty_rows=empty_rows,
            )
            counts.append((kind, _step(kind, step)))
    db.session.flush()
    return counts
