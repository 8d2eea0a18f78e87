"""The weekly digest: each consenting volunteer hears, once a week, of the roles published in
the last seven days that match them. A ``DigestSent`` row per person and week (unique) is
written before the email, in the same transaction, so running the job twice sends nothing new.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.outbox import queue_email
from volunteer_hub.core.navigation import external_url
from volunteer_hub.extensions import db
from volunteer_hub.matching import queries
from volunteer_hub.matching.models import DigestSent

#: Roles published this long ago or less are "new" in a digest.
NEW_DAYS = 7
#: At most this many roles in one email.
DIGEST_ROLES = 8


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def send_digests(now: datetime) -> dict[str, int]:
    """Queue this week's digest for everyone due one; flushes, never commits."""
    today = now.date()
    monday = week_of(today)
    since = now - timedelta(days=NEW_DAYS)
    counts = {"queued": 0, "already_sent": 0, "nothing_new": 0}
    for volunteer in queries.digest_recipients():
        if queries.digest_sent(volunteer.id, monday):
            counts["already_sent"] += 1
            continue
        user = db.session.get(User, volunteer.user_id) if volunteer.user_id else None
        if user is None or not user.is_active or not user.email:
            continue
        matches = queries.matching_roles(volunteer, today, since=since, limit=DIGEST_ROLES)
        if not matches:
            counts["nothing_new"] += 1
            continue
        try:
            with db.session.begin_nested():
                db.session.add(
                    DigestSent(
                        volunteer_id=volunteer.id,
                        week_of=monday,
                        role_ids=[role.id for role, _ in matches],
                    )
                )
        except IntegrityError:  # another run sent this week's first
            counts["already_sent"] += 1
            continue
        queue_email(
            kind="matching_digest",
            to=user.email,
            user=user,
            subject=f"New volunteering roles for you: {len(matches)} this week",
            roles=[
                (role, match.explain(), external_url("recruitment.opportunity", slug=role.slug))
                for role, match in matches
            ],
            preferences=external_url("matching.preferences"),
        )
        counts["queued"] += 1
    db.session.flush()
    return counts
