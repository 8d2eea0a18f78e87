"""The value report's time bank section: output, counted once per exchange, with a notional
value that is never added to the value of volunteering."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from volunteer_hub.core.money import two_dp
from volunteer_hub.extensions import db
from volunteer_hub.timebank.models import Account, Entry, Transfer


def figures(start: date, end: date, generalist_rate: Decimal | None) -> dict[str, Any]:
    """Exchanges (app-recorded or imported) dated in the period and not reversed: each counted
    once (the giver's side); members approved (and not suspended) at the period's end; active
    members took part in one of those exchanges."""
    reversal = aliased(Transfer)
    exchanges = (
        select(Transfer.id)
        .where(
            Transfer.kind.in_(("exchange", "import")),
            Transfer.done_on >= start,
            Transfer.done_on <= end,
            ~select(reversal.id).where(reversal.reverses_id == Transfer.id).exists(),
        )
        .subquery()
    )
    count, minutes = db.session.execute(
        select(
            func.count(func.distinct(Entry.transfer_id)), func.coalesce(func.sum(Entry.minutes), 0)
        ).where(Entry.transfer_id.in_(select(exchanges.c.id)), Entry.minutes > 0)
    ).one()
    active = db.session.scalar(
        select(func.count(func.distinct(Entry.account_id)))
        .join(Account, Account.id == Entry.account_id)
        .where(Entry.transfer_id.in_(select(exchanges.c.id)), Account.kind != "pot")
    )
    end_of_period = datetime.combine(end, time.max, tzinfo=UTC)
    members = db.session.scalar(
        select(func.count(Account.id)).where(
            Account.kind != "pot",
            Account.status != "pending",
            Account.approved_at.is_not(None),
            Account.approved_at <= end_of_period,
            or_(Account.suspended_at.is_(None), and_(Account.suspended_at > end_of_period)),
        )
    )
    hours = Decimal(int(minutes)) / 60
    active = int(active or 0)
    return {
        "hours_exchanged": two_dp(hours),
        "exchanges": int(count or 0),
        "members": int(members or 0),
        "active_members": active,
        "hours_per_active_member": two_dp(hours / active) if active else None,
        "notional_value": two_dp(hours * generalist_rate) if generalist_rate is not None else None,
        "note": (
            "Time credits exchanged in every time bank the centre runs. The notional value is the "
            "hours at the generalist rate, shown for context only: it is not money and is never "
            "added to the value of volunteering."
        ),
    }
